// SPDX-License-Identifier: Apache-2.0
package org.postern.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * SCRAM-SHA-256 verifiers (RFC 5802 §3, RFC 7677): the server keeps StoredKey and ServerKey, never the
 * password. Stored as {@code iterations:salt:storedKey:serverKey} in base64.
 */
public record ScramCredentials(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
    /** RFC 7677 §4: at least 4096 iterations. */
    public static final int ITERATIONS = 4096;

    public static ScramCredentials derive(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return derive(password, salt, ITERATIONS);
    }

    public static ScramCredentials derive(String password, byte[] salt, int iterations) {
        byte[] salted = saltedPassword(password, salt, iterations);
        byte[] clientKey = hmac(salted, "Client Key");
        return new ScramCredentials(iterations, salt, sha256(clientKey), hmac(salted, "Server Key"));
    }

    public String encode() {
        Base64.Encoder e = Base64.getEncoder();
        return iterations + ":" + e.encodeToString(salt) + ":" + e.encodeToString(storedKey) + ":" + e.encodeToString(serverKey);
    }

    public static ScramCredentials decode(String s) {
        String[] p = s.split(":");
        if (p.length != 4) throw new IllegalArgumentException("bad SCRAM verifier");
        Base64.Decoder d = Base64.getDecoder();
        return new ScramCredentials(Integer.parseInt(p[0]), d.decode(p[1]), d.decode(p[2]), d.decode(p[3]));
    }

    /** Hi() of RFC 5802 §2.2 is PBKDF2 with HMAC-SHA-256; the password is SASLprep'd (RFC 4013, approximated by NFKC). */
    static byte[] saltedPassword(String password, byte[] salt, int iterations) {
        try {
            String prepared = Normalizer.normalize(password, Normalizer.Form.NFKC);
            PBEKeySpec spec = new PBEKeySpec(prepared.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] hmac(byte[] key, String data) {
        return hmac(key, data.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
