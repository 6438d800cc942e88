// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import java.net.InetAddress;
import java.time.Instant;
import org.postern.store.Account;

/**
 * What the intake may know about the session a message comes from: for relay rules, sender
 * ownership, the Received: header (RFC 5321 §4.4) and, later, SPF (the client address and HELO name).
 *
 * @param heloName the EHLO/HELO argument, null before it
 * @param esmtp EHLO (not HELO) was used
 * @param tlsProtocol e.g. "TLSv1.3", null without TLS
 * @param tlsCipher the negotiated cipher suite, null without TLS
 * @param account the authenticated user, null when not authenticated
 */
public record SessionInfo(String sessionId, SmtpConfig.Mode mode, InetAddress clientAddress, String heloName,
        boolean esmtp, String tlsProtocol, String tlsCipher, Account account, Instant connectedAt) {

    public boolean tls() {
        return tlsProtocol != null;
    }

    public boolean authenticated() {
        return account != null;
    }
}
