// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

/**
 * A handler's refusal: the session loop turns it into {@code tag NO [code] text} or
 * {@code tag BAD [code] text}. {@code code} is a response code (RFC 5530) without brackets, or null.
 */
public final class ImapException extends Exception {
    public enum Status { NO, BAD }

    private final Status status;
    private final String code;

    private ImapException(Status status, String code, String text) {
        super(text, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static ImapException no(String code, String text) {
        return new ImapException(Status.NO, code, text);
    }

    public static ImapException no(String text) {
        return new ImapException(Status.NO, null, text);
    }

    public static ImapException bad(String text) {
        return new ImapException(Status.BAD, null, text);
    }

    public static ImapException bad(String code, String text) {
        return new ImapException(Status.BAD, code, text);
    }

    public Status status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** "NO [CODE] text" as it follows the tag. */
    public String reply() {
        return status + " " + (code == null ? "" : "[" + code + "] ") + getMessage();
    }
}
