// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig.acme;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.provider.AbstractAcmeProvider;
import org.postern.net.TlsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets a certificate from an ACME CA (RFC 8555 §7): account (§7.3, created or found by its key),
 * order for every name (§7.4), an http-01 challenge per authorization (§8.3), finalization with a
 * fresh key's CSR, download of the chain, and installation into the PEM files the listeners reload.
 */
public final class AcmeClient {
    private static final Logger log = LoggerFactory.getLogger(AcmeClient.class);
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(2);

    private final AcmeConfig config;
    private final TlsContext tls;

    public AcmeClient(AcmeConfig config) {
        this(config, null);
    }

    /** @param tls the HTTPS listener's TLS context, which presents TLS-ALPN-01 validation certificates */
    public AcmeClient(AcmeConfig config, TlsContext tls) {
        if (config.challenge() == AcmeConfig.Challenge.TLS_ALPN_01 && tls == null) {
            throw new IllegalArgumentException("tls-alpn-01 needs the running server's TLS context");
        }
        this.config = config;
        this.tls = tls;
    }

    public AcmeConfig config() {
        return config;
    }

    /**
     * Whether a new certificate is needed: none yet, unreadable, self-signed (the placeholder a first
     * start serves until the CA answers), expiring within {@code renewBefore}, or not covering every
     * configured name.
     */
    public boolean due(Instant now) {
        X509Certificate current;
        try {
            current = readLeaf(config.certificate());
        } catch (IOException e) {
            return true;
        }
        if (current.getIssuerX500Principal().equals(current.getSubjectX500Principal())) return true;
        if (current.getNotAfter().toInstant().isBefore(now.plus(config.renewBefore()))) return true;
        List<String> names = dnsNames(current);
        return !names.containsAll(config.domains().stream().map(d -> d.toLowerCase(Locale.ROOT)).toList());
    }

    /** Obtains a certificate and installs it; returns the new leaf. */
    public X509Certificate obtain() throws IOException, AcmeException, InterruptedException {
        Session session = new Session(config.directory(), new Provider(config));
        KeyPair accountKey = accountKey();
        AccountBuilder ab = new AccountBuilder().agreeToTermsOfService().useKeyPair(accountKey);
        if (!config.contactEmail().isEmpty()) ab.addEmail(config.contactEmail());
        Account account = ab.create(session);
        Order order = account.newOrder().domains(config.domains()).create();
        List<String> tokens = new ArrayList<>();
        List<String> alpnNames = new ArrayList<>();
        String type = config.challenge() == AcmeConfig.Challenge.HTTP_01 ? "http-01" : "tls-alpn-01";
        try {
            List<Challenge> pending = new ArrayList<>();
            for (Authorization auth : order.getAuthorizations()) {
                if (auth.getStatus() == Status.VALID) continue;
                String name = auth.getIdentifier().getDomain();
                if (config.challenge() == AcmeConfig.Challenge.HTTP_01) {
                    Http01Challenge challenge = auth.findChallenge(Http01Challenge.class)
                            .orElseThrow(() -> new AcmeException("the CA offers no http-01 challenge for " + name));
                    AcmeChallengeHandler.put(config.challengeDir(), challenge.getToken(), challenge.getAuthorization());
                    tokens.add(challenge.getToken());
                    pending.add(challenge);
                } else {
                    TlsAlpn01Challenge challenge = auth.findChallenge(TlsAlpn01Challenge.class)
                            .orElseThrow(() -> new AcmeException("the CA offers no tls-alpn-01 challenge for " + name));
                    // RFC 8737 §3: a self-signed certificate for the name carrying the acmeIdentifier
                    // extension (SHA-256 of the key authorization), with a key used for nothing else.
                    KeyPair validationKey = newKey();
                    tls.putAcmeChallenge(name, validationKey.getPrivate(),
                            TlsAlpnCertificate.create(validationKey, name, challenge.getAcmeValidation()));
                    alpnNames.add(name);
                    pending.add(challenge);
                }
            }
            // All challenges first, then wait: the CA validates them in parallel.
            for (Challenge c : pending) c.trigger();
            for (Challenge c : pending) {
                Status s = poll(() -> c.fetch(), c::getStatus, Status.VALID, Status.INVALID);
                if (s != Status.VALID) {
                    throw new AcmeException(type + " validation failed: " + c.getError().map(Object::toString).orElse(s.toString()));
                }
            }
            Status ready = poll(() -> order.fetch(), order::getStatus, Status.READY, Status.VALID, Status.INVALID);
            if (ready == Status.INVALID) throw new AcmeException("the order became invalid: " + order.getError().map(Object::toString).orElse(""));
            KeyPair domainKey = newKey();
            order.execute(domainKey);
            Status done = poll(() -> order.fetch(), order::getStatus, Status.VALID, Status.INVALID);
            if (done != Status.VALID) {
                throw new AcmeException("the order ended " + done + ": " + order.getError().map(Object::toString).orElse(""));
            }
            org.shredzone.acme4j.Certificate cert = order.getCertificate();
            install(domainKey, cert);
            X509Certificate leaf = cert.getCertificate();
            log.info("new certificate for {} from {}, valid until {}", config.domains(), config.directory(), leaf.getNotAfter());
            return leaf;
        } finally {
            for (String t : tokens) AcmeChallengeHandler.remove(config.challengeDir(), t);
            for (String n : alpnNames) tls.removeAcmeChallenge(n);
        }
    }

    private interface Update {
        void run() throws AcmeException;
    }

    /**
     * Polls a resource until its status is one of {@code until}: soon at first (a local CA answers in
     * milliseconds), then backing off to 3 s, the interval acme4j would use without Retry-After.
     */
    private static Status poll(Update update, java.util.function.Supplier<Status> status, Status... until)
            throws AcmeException, InterruptedException {
        Instant deadline = Instant.now().plus(STEP_TIMEOUT);
        long sleep = 50;
        while (true) {
            Status s = status.get();
            for (Status u : until) {
                if (s == u) return s;
            }
            if (Instant.now().isAfter(deadline)) throw new AcmeException("the CA did not finish within " + STEP_TIMEOUT + " (" + s + ")");
            Thread.sleep(sleep);
            sleep = Math.min(sleep * 2, 3_000);
            update.run();
        }
    }

    /** The account key file holds the private key (PKCS#8) followed by the public key (SPKI). */
    private KeyPair accountKey() throws IOException {
        Path p = config.accountKey();
        if (Files.exists(p)) {
            try (Reader r = Files.newBufferedReader(p); PEMParser parser = new PEMParser(r)) {
                JcaPEMKeyConverter convert = new JcaPEMKeyConverter();
                if (parser.readObject() instanceof PrivateKeyInfo priv && parser.readObject() instanceof SubjectPublicKeyInfo pub) {
                    return new KeyPair(convert.getPublicKey(pub), convert.getPrivateKey(priv));
                }
                throw new IOException("no ACME account key pair in " + p);
            }
        }
        KeyPair kp = newKey();
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(new JcaPKCS8Generator(kp.getPrivate(), null).generate());
            pw.writeObject(kp.getPublic());
        }
        writeSecret(p, w.toString());
        return kp;
    }

    /** ECDSA P-256 from the JDK, without registering Bouncy Castle as a JCA provider. */
    private static KeyPair newKey() throws IOException {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("no EC key generation in this JVM", e);
        }
    }

    /** Key first, then chain: the reloading key manager only switches once both match. */
    private void install(KeyPair key, org.shredzone.acme4j.Certificate cert) throws IOException {
        StringWriter keyPem = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(keyPem)) {
            pw.writeObject(new JcaPKCS8Generator(key.getPrivate(), null).generate());
        }
        StringWriter chainPem = new StringWriter();
        cert.writeCertificate(chainPem);
        writeSecret(config.privateKey(), keyPem.toString());
        write(config.certificate(), chainPem.toString());
    }

    private static void writeSecret(Path target, String content) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void write(Path target, String content) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static X509Certificate readLeaf(Path pem) throws IOException {
        try (var in = Files.newInputStream(pem)) {
            Collection<? extends java.security.cert.Certificate> all = CertificateFactory.getInstance("X.509").generateCertificates(in);
            for (var c : all) {
                if (c instanceof X509Certificate x) return x;
            }
            throw new IOException("no certificate in " + pem);
        } catch (CertificateException e) {
            throw new IOException("unreadable certificate " + pem + ": " + e.getMessage(), e);
        }
    }

    static List<String> dnsNames(X509Certificate c) {
        List<String> out = new ArrayList<>();
        try {
            var sans = c.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if ((Integer) san.get(0) == 2) out.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            return out;
        }
        return out;
    }

    /**
     * Talks to any https directory URL; when the config names its own trust (a test CA such as
     * pebble), the CA's API is reached with that SSLContext.
     */
    private static final class Provider extends AbstractAcmeProvider {
        private final AcmeConfig config;

        Provider(AcmeConfig config) {
            this.config = config;
        }

        @Override
        public boolean accepts(URI serverUri) {
            return serverUri.equals(config.directory());
        }

        @Override
        public URL resolve(URI serverUri) {
            try {
                return serverUri.toURL();
            } catch (java.net.MalformedURLException e) {
                throw new IllegalArgumentException(e);
            }
        }

        @Override
        protected HttpConnector createHttpConnector(NetworkSettings settings) {
            return new HttpConnector(settings) {
                @Override
                public HttpClient.Builder createClientBuilder() {
                    HttpClient.Builder b = super.createClientBuilder();
                    config.trust().ifPresent(b::sslContext);
                    return b;
                }
            };
        }
    }
}
