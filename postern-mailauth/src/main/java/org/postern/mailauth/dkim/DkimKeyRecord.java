// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.dkim;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.io.ByteArrayOutputStream;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A DKIM public key record (RFC 6376 §3.6.1), TXT at {@code selector._domainkey.domain}.
 *
 * @param key null when p= is empty (the key is revoked, §3.6.1)
 * @param hashes h=, empty when any is acceptable
 * @param testing t=y; {@code strict} t=s (i= must be d= exactly)
 */
public record DkimKeyRecord(String keyType, PublicKey key, List<String> hashes, boolean testing, boolean strict) {
    /** RFC 8301 §3.2: verifiers must not accept RSA keys shorter than 1024 bits. */
    public static final int MIN_RSA_BITS = 1024;
    static final int MAX_RSA_BITS = 8192;

    /** Ed25519 SubjectPublicKeyInfo before the 32 raw key octets (RFC 8410 §4). */
    static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    public DkimKeyRecord {
        hashes = List.copyOf(hashes);
    }

    public boolean revoked() {
        return key == null;
    }

    public static DkimKeyRecord parse(String text) throws DkimSignature.DkimSyntaxException {
        Map<String, String> t;
        try {
            t = TagList.parse(text);
        } catch (TagList.TagSyntaxException e) {
            throw new DkimSignature.DkimSyntaxException("key record: " + e.getMessage());
        }
        if (t.containsKey("v")) {
            // §3.6.1: v= must be first and exactly DKIM1
            if (!t.keySet().iterator().next().equals("v") || !t.get("v").equals("DKIM1")) {
                throw new DkimSignature.DkimSyntaxException("key record: bad v=");
            }
        }
        String k = t.getOrDefault("k", "rsa").toLowerCase(Locale.ROOT);
        if (!k.equals("rsa") && !k.equals("ed25519")) throw new DkimSignature.DkimSyntaxException("unknown key type k=" + k);
        if (!t.containsKey("p")) throw new DkimSignature.DkimSyntaxException("key record without p=");
        List<String> hashes = t.containsKey("h")
                ? List.of(TagList.compact(t.get("h")).toLowerCase(Locale.ROOT).split(":")) : List.of();
        String s = TagList.compact(t.getOrDefault("s", "*")).toLowerCase(Locale.ROOT);
        if (!List.of(s.split(":")).contains("*") && !List.of(s.split(":")).contains("email")) {
            throw new DkimSignature.DkimSyntaxException("key not for email (s=" + s + ")");
        }
        List<String> flags = List.of(TagList.compact(t.getOrDefault("t", "")).toLowerCase(Locale.ROOT).split(":"));
        String p = TagList.compact(t.get("p"));
        PublicKey key = p.isEmpty() ? null : decode(k, p);
        return new DkimKeyRecord(k, key, hashes, flags.contains("y"), flags.contains("s"));
    }

    private static PublicKey decode(String k, String p) throws DkimSignature.DkimSyntaxException {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(p);
        } catch (IllegalArgumentException e) {
            throw new DkimSignature.DkimSyntaxException("key record: bad base64 in p=");
        }
        try {
            if (k.equals("ed25519")) {
                // RFC 8463 §4: p= is the bare 32-octet public key
                if (raw.length != 32) throw new DkimSignature.DkimSyntaxException("ed25519 key is not 32 octets");
                byte[] spki = new byte[ED25519_SPKI_PREFIX.length + 32];
                System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
                System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, 32);
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            }
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            PublicKey key;
            try {
                key = rsa.generatePublic(new X509EncodedKeySpec(raw));
            } catch (InvalidKeySpecException e) {
                // §3.6.1 literally says RSAPublicKey (PKCS#1); most publish SubjectPublicKeyInfo. Accept both.
                key = rsa.generatePublic(new X509EncodedKeySpec(wrapPkcs1(raw)));
            }
            int bits = ((RSAPublicKey) key).getModulus().bitLength();
            if (bits < MIN_RSA_BITS) throw new DkimSignature.DkimSyntaxException("RSA key of " + bits + " bits is too short");
            if (bits > MAX_RSA_BITS) throw new DkimSignature.DkimSyntaxException("RSA key of " + bits + " bits is too long");
            if (((RSAPublicKey) key).getPublicExponent().compareTo(BigInteger.ONE) <= 0) {
                throw new DkimSignature.DkimSyntaxException("bad RSA exponent");
            }
            return key;
        } catch (InvalidKeySpecException | ClassCastException | NoSuchAlgorithmException e) {
            throw new DkimSignature.DkimSyntaxException("key record: unreadable public key");
        }
    }

    /** SubjectPublicKeyInfo { rsaEncryption, NULL } around a PKCS#1 RSAPublicKey. */
    private static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] bitString = der(0x03, concat(new byte[] {0}, pkcs1));
        return der(0x30, concat(algorithm, bitString));
    }

    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n & 0xff);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
