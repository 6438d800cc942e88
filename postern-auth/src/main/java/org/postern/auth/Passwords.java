// SPDX-License-Identifier: Apache-2.0
package org.postern.auth;

import java.security.SecureRandom;
import org.postern.store.PasswordRecord;

/** Turns a new password into what the store keeps, and makes generated passwords. */
public final class Passwords {
    /** Longest password accepted anywhere (a bound on hashing work and SASL buffers). */
    public static final int MAX_LENGTH = 1024;

    private final PasswordHasher hasher;

    public Passwords(PasswordHasher.Cost cost) {
        this.hasher = new PasswordHasher(cost);
    }

    public PasswordRecord record(String password) {
        if (password.isEmpty() || password.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a password must have 1 to " + MAX_LENGTH + " characters");
        }
        return new PasswordRecord(hasher.hash(password), ScramCredentials.derive(password).encode());
    }

    /** 20 characters from an alphabet without look-alikes (~113 bits). */
    public static String generate() {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        SecureRandom r = new SecureRandom();
        StringBuilder b = new StringBuilder(20);
        for (int i = 0; i < 20; i++) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return b.toString();
    }
}
