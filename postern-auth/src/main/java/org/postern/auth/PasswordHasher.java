// SPDX-License-Identifier: Apache-2.0
package org.postern.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes in the PHC string format ({@code $argon2id$v=19$m=..,t=..,p=..$salt$hash}).
 * The default cost (19 MiB, 2 passes, 1 lane) is OWASP's recommended minimum for Argon2id: slow on
 * purpose, which is why {@link Authenticator} caches recent successes.
 */
public final class PasswordHasher {
    public record Cost(int memoryKiB, int iterations, int parallelism) {
        public static final Cost DEFAULT = new Cost(19 * 1024, 2, 1);
        /** For tests only: cheap enough to hash thousands of times. */
        public static final Cost TEST = new Cost(64, 1, 1);
    }

    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Cost cost;

    public PasswordHasher(Cost cost) {
        this.cost = cost;
    }

    public String hash(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] h = derive(password, salt, cost.memoryKiB(), cost.iterations(), cost.parallelism(), 32);
        return "$argon2id$v=19$m=" + cost.memoryKiB() + ",t=" + cost.iterations() + ",p=" + cost.parallelism()
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(h);
    }

    /** Constant-time comparison; a malformed stored hash never matches. */
    public static boolean verify(String phc, String password) {
        try {
            String[] parts = phc.split("\\$");
            // ["", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash]
            if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) return false;
            int m = 0, t = 0, p = 0;
            for (String kv : parts[3].split(",")) {
                int v = Integer.parseInt(kv.substring(2));
                switch (kv.charAt(0)) {
                    case 'm' -> m = v;
                    case 't' -> t = v;
                    case 'p' -> p = v;
                    default -> { return false; }
                }
            }
            if (m < 8 || m > 1 << 21 || t < 1 || t > 16 || p < 1 || p > 16) return false;
            byte[] salt = B64D.decode(parts[4]);
            byte[] expected = B64D.decode(parts[5]);
            byte[] actual = derive(password, salt, m, t, p, expected.length);
            return MessageDigest.isEqual(expected, actual);
        } catch (RuntimeException e) {
            return false;
        }
    }

    static byte[] derive(String password, byte[] salt, int memoryKiB, int iterations, int parallelism, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKiB).withIterations(iterations).withParallelism(parallelism)
                .withSalt(salt).build();
        Argon2BytesGenerator g = new Argon2BytesGenerator();
        g.init(params);
        byte[] out = new byte[length];
        g.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
