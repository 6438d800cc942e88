// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

/**
 * A command that does not follow the grammar: the session answers {@code tag BAD [code] message}
 * (untagged {@code * BAD} when no tag could be read). {@code code} is a response code such as
 * "TOOBIG" or "BADCHARSET ...", or null.
 */
public class ParseException extends Exception {
    private final String code;

    public ParseException(String message) {
        this(null, message);
    }

    public ParseException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
