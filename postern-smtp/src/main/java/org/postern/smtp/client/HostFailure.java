// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

/**
 * A session with one host failed as a whole (connection, greeting, EHLO, TLS, protocol): the next
 * host may be tried. {@code permanent} is set only by an explicit 5xx that concerns the message,
 * not the host (MAIL FROM refused).
 */
final class HostFailure extends Exception {
    private static final long serialVersionUID = 1L;

    final String status;
    final boolean permanent;
    final boolean tlsFailed;
    final boolean remoteReply;

    HostFailure(String diagnostic, String status, boolean permanent, boolean tlsFailed, boolean remoteReply) {
        super(diagnostic);
        this.status = status;
        this.permanent = permanent;
        this.tlsFailed = tlsFailed;
        this.remoteReply = remoteReply;
    }

    static HostFailure local(String diagnostic) {
        return new HostFailure(diagnostic, "4.4.2", false, false, false);
    }

    static HostFailure reply(String what, ClientReply r) {
        return new HostFailure(r.summary() + " (" + what + ")", r.status(), false, false, true);
    }
}
