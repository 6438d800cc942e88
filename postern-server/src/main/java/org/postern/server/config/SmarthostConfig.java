// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

/**
 * The {@code outbound.smarthost*} settings: send all outbound mail through one relay, for networks that
 * block outbound port 25. Values only; {@code org.postern.server.OutboundRelay} reads the password file.
 *
 * @param host "" for none (mail goes to each domain's MX hosts), else a host name or IP literal
 * @param port 587 for STARTTLS, 465 for implicit TLS unless given ({@code host:port})
 * @param tls "starttls" (RFC 3207) or "implicit" (RFC 8314 §3.3); plaintext is never an option
 * @param user "" for a relay that needs no login
 * @param passwordFile a file holding the password (first line), so postern.conf holds no secret;
 *     relative to the data folder
 * @param verifyTls false accepts any certificate (self-signed test relays only)
 */
public record SmarthostConfig(String host, int port, String tls, String user, String passwordFile, boolean verifyTls) {
    public static final int SUBMISSION_PORT = 587;
    public static final int SUBMISSIONS_PORT = 465;

    public static SmarthostConfig none() {
        return new SmarthostConfig("", SUBMISSION_PORT, "starttls", "", "", true);
    }

    public boolean enabled() {
        return !host.isEmpty();
    }

    public boolean implicitTls() {
        return tls.equals("implicit");
    }

    /** The {@code outbound.smarthost} value: {@code host:port}, {@code [v6]:port}, or "". */
    public String address() {
        if (!enabled()) return "";
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
