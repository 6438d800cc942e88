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
 */
public record AcmeConfig(URI directory, List<String> domains, String contactEmail, Path accountKey, Path certificate,
        Path privateKey, Path challengeDir, Duration renewBefore, Optional<SSLContext> trust) {
    public static final Duration DEFAULT_RENEW_BEFORE = Duration.ofDays(30);
    public static final URI LETS_ENCRYPT = URI.create("https://acme-v02.api.letsencrypt.org/directory");

    public AcmeConfig {
        domains = List.copyOf(domains);
        if (domains.isEmpty()) throw new IllegalArgumentException("no domain to get a certificate for");
        if (!directory.getScheme().equals("https")) throw new IllegalArgumentException("the ACME directory must be https");
    }
}
