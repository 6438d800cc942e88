// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

/** postern.conf cannot be used; the message is one line naming the line number when there is one. */
public final class ConfigException extends Exception {
    private final int line;

    public ConfigException(int line, String message) {
        super(line > 0 ? "postern.conf line " + line + ": " + message : "postern.conf: " + message);
        this.line = line;
    }

    /** 1-based line number, or 0 when the problem is not on one line. */
    public int line() {
        return line;
    }
}
