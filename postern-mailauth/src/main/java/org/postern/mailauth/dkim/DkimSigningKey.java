// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.dkim;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * A domain's signing key: private key as PKCS#8, public key as X.509 SubjectPublicKeyInfo, and the
 * DNS record that publishes it (RFC 6376 §3.6.1, RFC 8463 §4).
 *
 * @param algorithm {@link DkimSignature#RSA_SHA256} or {@link DkimSignature#ED25519_SHA256}
 */
public record DkimSigningKey(String domain, String selector, String algorithm, byte[] privateKeyPkcs8, byte[] publicKeySpki) {
    public static final int RSA_BITS = 2048;

    public DkimSigningKey {
        domain = domain.toLowerCase(Locale.ROOT);
        selector = selector.toLowerCase(Locale.ROOT);
        if (!algorithm.equals(DkimSignature.RSA_SHA256) && !algorithm.equals(DkimSignature.ED25519_SHA256)) {
            throw new IllegalArgumentException("unknown DKIM algorithm " + algorithm);
        }
        privateKeyPkcs8 = privateKeyPkcs8.clone();
        publicKeySpki = publicKeySpki.clone();
    }

    /** A new key pair: RSA 2048 (RFC 8301 §3.2 recommends at least 2048) or Ed25519. */
    public static DkimSigningKey generate(String domain, String selector, String algorithm) {
        try {
            KeyPairGenerator g;
            if (algorithm.equals(DkimSignature.ED25519_SHA256)) {
                g = KeyPairGenerator.getInstance("Ed25519");
            } else {
                g = KeyPairGenerator.getInstance("RSA");
                g.initialize(RSA_BITS);
            }
            KeyPair kp = g.generateKeyPair();
            return new DkimSigningKey(domain, selector, algorithm, kp.getPrivate().getEncoded(), kp.getPublic().getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate " + algorithm + " keys", e);
        }
    }

    public boolean ed25519() {
        return algorithm.equals(DkimSignature.ED25519_SHA256);
    }

    public PrivateKey privateKey() throws GeneralSecurityException {
        return KeyFactory.getInstance(ed25519() ? "Ed25519" : "RSA").generatePrivate(new PKCS8EncodedKeySpec(privateKeyPkcs8));
    }

    public PublicKey publicKey() throws GeneralSecurityException {
        return KeyFactory.getInstance(ed25519() ? "Ed25519" : "RSA").generatePublic(new X509EncodedKeySpec(publicKeySpki));
    }

    /** The owner name of the key record. */
    public String recordName() {
        return selector + "._domainkey." + domain;
    }

    /** The TXT record text: "v=DKIM1; k=rsa; p=..." (ed25519: the bare 32-octet key, RFC 8463 §4). */
    public String recordText() {
        byte[] p = ed25519() ? Arrays.copyOfRange(publicKeySpki, publicKeySpki.length - 32, publicKeySpki.length) : publicKeySpki;
        return "v=DKIM1; k=" + (ed25519() ? "ed25519" : "rsa") + "; p=" + Base64.getEncoder().encodeToString(p);
    }

    /** The record as zone-file character-strings of at most 255 octets each (RFC 1035 §3.3.14). */
    public List<String> recordStrings() {
        String text = recordText();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < text.length(); i += 250) out.add(text.substring(i, Math.min(text.length(), i + 250)));
        return out;
    }

    /** The private key as PEM, for operators who move keys by hand. */
    public String privateKeyPem() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("-----BEGIN PRIVATE KEY-----\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.writeBytes(Base64.getMimeEncoder(64, new byte[] {'\n'}).encode(privateKeyPkcs8));
        out.writeBytes("\n-----END PRIVATE KEY-----\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return out.toString(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
