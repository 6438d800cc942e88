// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * How the client connects.
 *
 * @param heloName the name in EHLO (RFC 5321 §4.1.1.1: the client's fully qualified domain name)
 * @param port the destination port: 25 (RFC 5321 §4.5.4.1); tests use another
 * @param connectTimeout bound of the TCP connect
 * @param commandTimeout bound of each reply (RFC 5321 §4.5.3.2 asks for 5 minutes)
 * @param dataEndTimeout bound of the reply to the final "." (§4.5.3.2.6: 10 minutes)
 * @param maxHostAttempts addresses tried per delivery (Postfix's smtp_mx_address_limit is 5)
 * @param verifiedTls the trust for TLS that must be PKIX-valid (MTA-STS, REQUIRETLS); null for the JDK's
 *     default trust store. Tests inject a context trusting their CA.
 */
public record SmtpClientConfig(String heloName, int port, TlsPolicy tls, Duration connectTimeout, Duration commandTimeout,
        Duration dataEndTimeout, int maxHostAttempts, SSLContext verifiedTls) {
    public SmtpClientConfig {
        if (heloName == null || heloName.isBlank()) throw new IllegalArgumentException("heloName required");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port " + port);
        if (maxHostAttempts < 1) throw new IllegalArgumentException("maxHostAttempts must be positive");
        if (verifiedTls == null) {
            try {
                verifiedTls = SSLContext.getDefault();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("no TLS in this JVM", e);
            }
        }
    }

    public SmtpClientConfig(String heloName, int port, TlsPolicy tls, Duration connectTimeout, Duration commandTimeout,
            Duration dataEndTimeout, int maxHostAttempts) {
        this(heloName, port, tls, connectTimeout, commandTimeout, dataEndTimeout, maxHostAttempts, null);
    }

    public SmtpClientConfig withVerifiedTls(SSLContext c) {
        return new SmtpClientConfig(heloName, port, tls, connectTimeout, commandTimeout, dataEndTimeout, maxHostAttempts, c);
    }

    public static SmtpClientConfig defaults(String heloName) {
        return new SmtpClientConfig(heloName, 25, TlsPolicy.OPPORTUNISTIC, Duration.ofSeconds(30), Duration.ofMinutes(5),
                Duration.ofMinutes(10), 5);
    }

    public SmtpClientConfig withPort(int p) {
        return new SmtpClientConfig(heloName, p, tls, connectTimeout, commandTimeout, dataEndTimeout, maxHostAttempts,
                verifiedTls);
    }

    public SmtpClientConfig withTls(TlsPolicy t) {
        return new SmtpClientConfig(heloName, port, t, connectTimeout, commandTimeout, dataEndTimeout, maxHostAttempts,
                verifiedTls);
    }

    public SmtpClientConfig withTimeouts(Duration connect, Duration command, Duration dataEnd) {
        return new SmtpClientConfig(heloName, port, tls, connect, command, dataEnd, maxHostAttempts, verifiedTls);
    }
}
