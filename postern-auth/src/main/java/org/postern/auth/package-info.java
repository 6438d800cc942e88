// SPDX-License-Identifier: Apache-2.0
/**
 * Password hashing, credential checks and auth-failure throttling, shared by every protocol.
 *
 * <p>RFC 9106 (Argon2id), RFC 5802 §3 and RFC 7677 (SCRAM-SHA-256 verifiers), RFC 4616 (PLAIN).
 *
 * <p>Invariants: passwords are never stored or logged in clear; an unknown user and a wrong password
 * cost the same time and get the same answer; failures are slowed and then refused per client address
 * and per account, counted in the shared store when several nodes serve one database, so a
 * guesser gains nothing by spreading guesses over nodes.
 */
package org.postern.auth;
