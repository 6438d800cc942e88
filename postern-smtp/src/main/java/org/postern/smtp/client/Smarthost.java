// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import java.util.Locale;

/**
 * A relay that takes all outbound mail (a "smarthost"), for networks that block outbound port 25.
 * TLS is always required: STARTTLS on the submission port (RFC 3207, RFC 6409) or implicit TLS
 * (RFC 8314 §3.3); credentials go only over that TLS (RFC 4954 §4, RFC 8314 §3).
 *
 * @param host the relay's host name or IP literal; with {@code verifyTls} its certificate must be
 *     PKIX-valid for this name (RFC 6125)
 * @param implicitTls TLS from the first byte (port 465) instead of STARTTLS (port 587)
 * @param user empty: no AUTH (a relay that trusts this host's address)
 * @param verifyTls false only for self-signed test relays: the session is still encrypted, but an
 *     active attacker could read the password
 */
public record Smarthost(String host, int port, boolean implicitTls, String user, String password, boolean verifyTls) {
    public Smarthost {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("smarthost host required");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("smarthost port " + port);
        host = host.toLowerCase(Locale.ROOT);
        user = user == null ? "" : user;
        password = password == null ? "" : password;
        if (!user.isEmpty() && password.isEmpty()) throw new IllegalArgumentException("smarthost user without a password");
    }

    boolean authenticates() {
        return !user.isEmpty();
    }

    /** The name for logs and for the queue's per-destination limit; never the password. */
    public String destination() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return "Smarthost[" + destination() + (implicitTls ? " implicit TLS" : " STARTTLS")
                + (authenticates() ? " as " + user : "") + (verifyTls ? "" : " unverified") + "]";
    }
}
