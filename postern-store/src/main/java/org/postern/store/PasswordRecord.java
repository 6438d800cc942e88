// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

/**
 * How a password is kept: never in clear. {@code hash} is an Argon2id PHC string for PLAIN/LOGIN and
 * web logins; {@code scram} holds the SCRAM-SHA-256 verifiers (salt, iterations, StoredKey,
 * ServerKey; RFC 5802 §3, RFC 7677). The store treats both as opaque text; postern-auth makes them.
 */
public record PasswordRecord(String hash, String scram) {
    public static final PasswordRecord NONE = new PasswordRecord("", "");
}
