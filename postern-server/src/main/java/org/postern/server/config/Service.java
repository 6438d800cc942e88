// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import java.util.Locale;

/**
 * The seven mail ports and the two web ports of DESIGN.md §1, with what the port table prints about
 * each. The order is the order of that table.
 */
public enum Service {
    // RFC 5321 §4.5.4 (MX), RFC 3207 STARTTLS
    SMTP(25, "SMTP (MX)", "STARTTLS offered", "other mail servers deliver to our users"),
    // RFC 6409 submission; RFC 8314 §3.3: TLS before AUTH
    SUBMISSION(587, "SMTP submission", "STARTTLS, required before AUTH", "mail clients send"),
    // RFC 8314 §3.3 implicit TLS
    SUBMISSIONS(465, "SMTP submission", "implicit TLS", "mail clients send"),
    // RFC 9051 §6.2.1 STARTTLS, LOGINDISABLED before it
    IMAP(143, "IMAP", "STARTTLS, required before LOGIN", "mail clients read"),
    IMAPS(993, "IMAP", "implicit TLS", "mail clients read"),
    // RFC 2595 §4 STLS
    POP3(110, "POP3", "STLS, required before USER/PASS", "mail clients download"),
    POP3S(995, "POP3", "implicit TLS", "mail clients download"),
    // RFC 9110/9113 over TLS: webmail, JMAP (RFC 8620 §2), autoconfig
    HTTPS(443, "HTTPS", "implicit TLS, HTTP/2 and HTTP/1.1", "browsers, JMAP clients"),
    // RFC 6797 §7.2: plain HTTP only redirects to HTTPS
    HTTP(80, "HTTP", "none: redirects to HTTPS", "browsers typing the bare name");

    private final int standardPort;
    private final String protocol;
    private final String tlsMode;
    private final String users;

    Service(int standardPort, String protocol, String tlsMode, String users) {
        this.standardPort = standardPort;
        this.protocol = protocol;
        this.tlsMode = tlsMode;
        this.users = users;
    }

    /** The short name used in postern.conf ({@code smtp_port}) and by {@code PosternServer.port(name)}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String configKey() {
        return key() + "_port";
    }

    public int standardPort() {
        return standardPort;
    }

    public String protocol() {
        return protocol;
    }

    public String tlsMode() {
        return tlsMode;
    }

    public String users() {
        return users;
    }

    public boolean implicitTls() {
        return this == SUBMISSIONS || this == IMAPS || this == POP3S;
    }

    /** Served by the HTTP server rather than a mail protocol listener. */
    public boolean web() {
        return this == HTTPS || this == HTTP;
    }

    public static Service byKey(String key) {
        for (Service s : values()) {
            if (s.key().equalsIgnoreCase(key)) return s;
        }
        throw new IllegalArgumentException("no service named " + key);
    }
}
