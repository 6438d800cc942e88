// SPDX-License-Identifier: Apache-2.0
/**
 * Server side of SASL (RFC 4422) mechanisms: PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login),
 * SCRAM-SHA-256 (RFC 5802, RFC 7677). Pure of transport: each protocol base64-encodes the steps in its
 * own way (SMTP 334, IMAP "+", POP3 "+").
 *
 * <p>Invariant: an authorization identity different from the authenticated one is refused; Postern
 * has no proxy authorization, so nobody can log in as someone else (HOSTILE A18).
 */
package org.postern.auth.sasl;
