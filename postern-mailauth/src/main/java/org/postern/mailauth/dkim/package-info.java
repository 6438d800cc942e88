// SPDX-License-Identifier: Apache-2.0
/**
 * DKIM, RFC 6376: signature and key record syntax, simple and relaxed canonicalization (§3.4),
 * verification (§6) and signing (§5), with RSA-SHA256 and Ed25519-SHA256 (RFC 8463). RFC 8301:
 * rsa-sha1 signatures and RSA keys under 1024 bits are never valid.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Bounded work per message: at most {@link org.postern.mailauth.dkim.DkimVerifier#MAX_SIGNATURES}
 *       signatures (one key look-up each), {@link org.postern.mailauth.dkim.DkimSignature#MAX_SIGNED_HEADERS}
 *       names in h=, the header section capped by {@link org.postern.mailauth.HeaderSection#MAX_FIELDS};
 *       the body is streamed once through one digest per distinct (canonicalization, l=).</li>
 *   <li>Body octets after l= are unsigned; the result records how many there were.</li>
 *   <li>Header text is handled as ISO-8859-1, one char per octet, so "simple" hashes the octets received.</li>
 * </ul>
 */
package org.postern.mailauth.dkim;
