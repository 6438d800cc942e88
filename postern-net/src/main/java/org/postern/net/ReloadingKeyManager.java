// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import java.io.IOException;
import java.io.Reader;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one certificate chain and key, and picks up new PEM files without a restart: each handshake
 * looks at the files' modification times (at most once a second) and reloads when they changed.
 * Handshakes in flight keep the old key; established connections are not touched.
 * A broken new file is logged and the previous certificate stays in use.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {
    private static final Logger log = LoggerFactory.getLogger(ReloadingKeyManager.class);
    private static final java.util.concurrent.atomic.AtomicLong GENERATION = new java.util.concurrent.atomic.AtomicLong();

    /** The alias names the generation, so a handshake that straddles a reload still gets a matching key and chain. */
    record Material(PrivateKey key, X509Certificate[] chain, FileTime certTime, FileTime keyTime, String alias) {}

    private final Path certFile;
    private final Path keyFile;
    private volatile Material current;
    private volatile Material previous;
    private volatile long nextCheckNanos;
    /** RFC 8737 §3: validation certificates by the (lower-case) name being validated, only while a challenge is open. */
    private final java.util.concurrent.ConcurrentHashMap<String, Material> acmeChallenges = new java.util.concurrent.ConcurrentHashMap<>();

    private ReloadingKeyManager(Path certFile, Path keyFile, Material initial) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.current = initial;
    }

    static ReloadingKeyManager fixed(PrivateKey key, X509Certificate[] chain) {
        return new ReloadingKeyManager(null, null, new Material(key, chain, null, null, "postern-" + GENERATION.incrementAndGet()));
    }

    static ReloadingKeyManager watching(Path cert, Path key) throws IOException, GeneralSecurityException {
        return new ReloadingKeyManager(cert, key, load(cert, key));
    }

    X509Certificate[] currentChain() {
        refreshIfChanged();
        return current.chain().clone();
    }

    private void refreshIfChanged() {
        if (certFile == null) return;
        long now = System.nanoTime();
        if (now - nextCheckNanos < 0) return;
        nextCheckNanos = now + 1_000_000_000L;
        try {
            FileTime c = Files.getLastModifiedTime(certFile);
            FileTime k = Files.getLastModifiedTime(keyFile);
            Material m = current;
            if (c.equals(m.certTime()) && k.equals(m.keyTime())) return;
            Material fresh = load(certFile, keyFile);
            previous = m;
            current = fresh;
            log.info("TLS certificate reloaded from {}: {}", certFile, current.chain()[0].getSubjectX500Principal());
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            log.warn("TLS certificate files changed but could not be loaded ({}); keeping the previous certificate", e.toString());
        }
    }

    static Material load(Path certPath, Path keyPath) throws IOException, GeneralSecurityException {
        FileTime ct = Files.getLastModifiedTime(certPath);
        FileTime kt = Files.getLastModifiedTime(keyPath);
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
        try (Reader r = Files.newBufferedReader(certPath); PEMParser p = new PEMParser(r)) {
            Object o;
            while ((o = p.readObject()) != null) {
                if (o instanceof X509CertificateHolder h) chain.add(conv.getCertificate(h));
            }
        }
        if (chain.isEmpty()) throw new CertificateException("no certificate in " + certPath);
        PrivateKey key;
        try (Reader r = Files.newBufferedReader(keyPath); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            JcaPEMKeyConverter kc = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) key = kc.getPrivateKey(kp.getPrivateKeyInfo());
            else if (o instanceof PrivateKeyInfo pki) key = kc.getPrivateKey(pki);
            else throw new GeneralSecurityException("no private key in " + keyPath);
        }
        // Files replaced one after the other (key first, then chain) can be caught in between: a key
        // that does not sign for the leaf would fail every handshake, so such a pair is not taken.
        if (!pair(key, chain.get(0).getPublicKey())) {
            throw new GeneralSecurityException("the private key in " + keyPath + " does not belong to the certificate in " + certPath);
        }
        return new Material(key, chain.toArray(X509Certificate[]::new), ct, kt, "postern-" + GENERATION.incrementAndGet());
    }

    /** Whether a signature made with {@code key} verifies with {@code pub}. */
    static boolean pair(PrivateKey key, java.security.PublicKey pub) throws GeneralSecurityException {
        String alg = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (alg == null) return true; // a key type this check does not know: the handshake judges it
        byte[] probe = "postern key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try {
            java.security.Signature sign = java.security.Signature.getInstance(alg);
            sign.initSign(key);
            sign.update(probe);
            byte[] sig = sign.sign();
            java.security.Signature verify = java.security.Signature.getInstance(alg);
            verify.initVerify(pub);
            verify.update(probe);
            return verify.verify(sig);
        } catch (java.security.InvalidKeyException | java.security.SignatureException e) {
            return false; // e.g. an EC key beside an RSA certificate
        }
    }

    void putAcmeChallenge(String name, PrivateKey key, X509Certificate certificate) {
        acmeChallenges.put(name.toLowerCase(java.util.Locale.ROOT), new Material(key, new X509Certificate[] {certificate}, null, null,
                "acme-tls-" + GENERATION.incrementAndGet()));
    }

    void removeAcmeChallenge(String name) {
        acmeChallenges.remove(name.toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        if (socket instanceof javax.net.ssl.SSLSocket ssl && TlsContext.ACME_TLS_1.equals(ssl.getHandshakeApplicationProtocol())) {
            return acmeAlias(keyType, ssl.getHandshakeSession());
        }
        refreshIfChanged();
        return matches(keyType) ? current.alias() : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        if (TlsContext.ACME_TLS_1.equals(engine.getHandshakeApplicationProtocol())) {
            return acmeAlias(keyType, engine.getHandshakeSession());
        }
        refreshIfChanged();
        return matches(keyType) ? current.alias() : null;
    }

    /**
     * RFC 8737 §3: a handshake that negotiated "acme-tls/1" gets the validation certificate for the
     * name in its SNI, or no certificate at all (the handshake fails) when no challenge for that name
     * is open. The JDK chooses the certificate after ALPN only in TLS 1.3; validation servers use it.
     */
    private String acmeAlias(String keyType, javax.net.ssl.SSLSession handshake) {
        if (!(handshake instanceof javax.net.ssl.ExtendedSSLSession ext)) return null;
        for (javax.net.ssl.SNIServerName n : ext.getRequestedServerNames()) {
            if (n instanceof javax.net.ssl.SNIHostName host) {
                Material m = acmeChallenges.get(host.getAsciiName().toLowerCase(java.util.Locale.ROOT));
                if (m != null && matches(keyType, m.key())) return m.alias();
            }
        }
        return null;
    }

    private Material byAlias(String alias) {
        Material c = current;
        if (c.alias().equals(alias)) return c;
        Material p = previous;
        if (p != null && p.alias().equals(alias)) return p;
        for (Material m : acmeChallenges.values()) {
            if (m.alias().equals(alias)) return m;
        }
        return null;
    }

    private boolean matches(String keyType) {
        return matches(keyType, current.key());
    }

    private static boolean matches(String keyType, PrivateKey key) {
        String alg = key.getAlgorithm();
        if (keyType == null) return true;
        return keyType.equalsIgnoreCase(alg) || keyType.startsWith(alg) || ("EC".equals(alg) && keyType.startsWith("EC"));
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Material m = byAlias(alias);
        return m == null ? null : m.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Material m = byAlias(alias);
        return m == null ? null : m.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return matches(keyType) ? new String[] {current.alias()} : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
