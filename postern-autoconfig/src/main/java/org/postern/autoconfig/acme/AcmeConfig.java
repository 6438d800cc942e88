// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig.acme;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Where to get certificates and where to keep them.
 *
 * @param directory the CA's directory URL (RFC 8555 §7.1.1), e.g. Let's Encrypt's
 * @param domains the names the certificate must cover, the host name first (it becomes the subject)
 * @param contactEmail "" for none; the CA mails expiry notices there (RFC 8555 §7.3)
 * @param accountKey the account's key pair (PEM), created on first use
 * @param certificate the chain PEM the listeners read; replaced on renewal
 * @param privateKey the certificate's key PEM; replaced on renewal
 * @param challengeDir where http-01 responses are put for {@link AcmeChallengeHandler}
 * @param renewBefore renew when the certificate expires sooner than this
 * @param trust for the CA's own HTTPS: empty for the JDK's trusted CAs (a test CA needs its own)
 * @param challenge how the CA checks that this server answers for each name
 */
public record AcmeConfig(URI directory, List<String> domains, String contactEmail, Path accountKey, Path certificate,
        Path privateKey, Path challengeDir, Duration renewBefore, Optional<SSLContext> trust, Challenge challenge) {
    public static final Duration DEFAULT_RENEW_BEFORE = Duration.ofDays(30);
    public static final URI LETS_ENCRYPT = URI.create("https://acme-v02.api.letsencrypt.org/directory");

    /** RFC 8555 §8.3 (an HTTP request to port 80) or RFC 8737 (a TLS handshake on port 443 with ALPN "acme-tls/1"). */
    public enum Challenge { HTTP_01, TLS_ALPN_01 }

    public AcmeConfig(URI directory, List<String> domains, String contactEmail, Path accountKey, Path certificate,
            Path privateKey, Path challengeDir, Duration renewBefore, Optional<SSLContext> trust) {
        this(directory, domains, contactEmail, accountKey, certificate, privateKey, challengeDir, renewBefore, trust, Challenge.HTTP_01);
    }

    public AcmeConfig {
        if (challenge == null) challenge = Challenge.HTTP_01;
        domains = List.copyOf(domains);
        if (domains.isEmpty()) throw new IllegalArgumentException("no domain to get a certificate for");
        if (!directory.getScheme().equals("https")) throw new IllegalArgumentException("the ACME directory must be https");
    }
}
