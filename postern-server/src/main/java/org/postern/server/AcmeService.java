// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.postern.autoconfig.acme.AcmeClient;
import org.postern.autoconfig.acme.AcmeConfig;
import org.postern.autoconfig.acme.AcmeRenewal;
import org.postern.net.TlsContext;
import org.postern.server.config.CertificateConfig;

/**
 * Turns the {@code acme*} settings into a running {@link AcmeRenewal}: the certificate files are the
 * ones the listeners serve (DATA/acme/cert.pem and key.pem), the account key and http-01 responses
 * live beside them, and TLS-ALPN-01 validation certificates go to the shared TLS context.
 */
final class AcmeService {
    private AcmeService() {}

    /**
     * Checks the configuration once (a bad acme_trust_file stops the start), then starts the renewal,
     * which reads the local domains again before each check.
     */
    static AcmeRenewal start(ServerSettings s, TlsContext tls, Supplier<List<String>> localDomains)
            throws IOException, GeneralSecurityException {
        config(s, localDomains.get());
        return AcmeRenewal.start(() -> {
            try {
                return new AcmeClient(config(s, localDomains.get()), tls);
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }, Clock.systemUTC(), AcmeRenewal.DEFAULT_INTERVAL);
    }

    static AcmeConfig config(ServerSettings s, List<String> localDomains) throws IOException, GeneralSecurityException {
        CertificateConfig c = s.certificates();
        List<String> names = c.names().isEmpty() ? defaultNames(s.hostname(), localDomains) : c.names();
        Path acme = s.dataDir().resolve("acme");
        Optional<SSLContext> trust = c.trustFile().isEmpty() ? Optional.empty()
                : Optional.of(trusting(s.dataDir().resolve(c.trustFile()).normalize()));
        return new AcmeConfig(URI.create(c.directory()), names, c.email(), acme.resolve("account.pem"), s.tlsCert(), s.tlsKey(),
                acme.resolve("challenges"), AcmeConfig.DEFAULT_RENEW_BEFORE, trust,
                c.challenge().equals(CertificateConfig.TLS_ALPN_01) ? AcmeConfig.Challenge.TLS_ALPN_01 : AcmeConfig.Challenge.HTTP_01);
    }

    /**
     * The host name first (it becomes the subject), then autoconfig.D and mta-sts.D for each local
     * domain D: the names clients and MTA-STS senders connect to over HTTPS. Names a public CA cannot
     * validate (no dot, such as localhost) are left out.
     */
    static List<String> defaultNames(String hostname, List<String> localDomains) {
        return org.postern.server.cli.Doctor.clientNames(hostname, localDomains);
    }

    /** Trusts exactly the CA certificates in a PEM file, for a test CA's HTTPS directory. */
    static SSLContext trusting(Path pem) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("acme-ca-" + i++, cert);
            }
            if (i == 0) throw new IOException("no certificate in " + pem + " (acme_trust_file)");
        }
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, f.getTrustManagers(), null);
        return ctx;
    }
}
