// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3;

/**
 * A command failed: the session writes {@code -ERR [code] text} (RFC 2449 §8; codes from RFC 2449
 * and RFC 3206). Handlers throw it; the session loop is the one place that turns it into a reply.
 */
final class Pop3Error extends Exception {
    /** RFC 2449 §8.1.2. */
    static final String IN_USE = "IN-USE";
    /** RFC 2449 §8.1.1. */
    static final String LOGIN_DELAY = "LOGIN-DELAY";
    /** RFC 3206 §4: the failure is about credentials or how they were presented. */
    static final String AUTH = "AUTH";
    /** RFC 3206 §3: a temporary system problem; retry later. */
    static final String SYS_TEMP = "SYS/TEMP";
    static final String SYS_PERM = "SYS/PERM";

    private final String code;

    Pop3Error(String text) {
        this(null, text);
    }

    Pop3Error(String code, String text) {
        super(text, null, false, false);
        this.code = code;
    }

    String reply() {
        return code == null ? "-ERR " + getMessage() : "-ERR [" + code + "] " + getMessage();
    }
}
