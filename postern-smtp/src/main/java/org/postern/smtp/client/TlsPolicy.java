// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

/** When the client uses STARTTLS (RFC 3207); MTA-STS (RFC 8461) and DANE enforcement come later. */
public enum TlsPolicy {
    /** Never: for tests and for relays that break TLS. */
    NONE,
    /**
     * When the server offers it, accepting any certificate (as Postfix's "may"): opportunistic TLS
     * protects against passive listeners only, and refusing a self-signed certificate would just push
     * the mail to plaintext. When the handshake fails the host is tried again without TLS.
     */
    OPPORTUNISTIC
}
