// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3;

import java.util.ArrayList;
import java.util.List;
import org.postern.auth.sasl.SaslMechanisms;

/** The CAPA listing (RFC 2449 §5-§6) for the session's current state. */
final class Capabilities {
    private Capabilities() {}

    /**
     * @param retention null before login
     * @param loginDelay the account's LOGIN-DELAY in seconds; ignored before login
     * @param loginAllowed USER/PASS/AUTH may be used now (TLS active or plaintext allowed)
     * @param stlsAvailable STLS can be issued now (RFC 2595 §4: not once TLS is active)
     */
    static List<String> lines(Retention retention, int loginDelay, boolean loginAllowed, boolean stlsAvailable) {
        List<String> caps = new ArrayList<>();
        caps.add("TOP");
        caps.add("UIDL");
        caps.add("RESP-CODES");
        // RFC 3206 §6: [AUTH] and [SYS/...] are used.
        caps.add("AUTH-RESP-CODE");
        caps.add("PIPELINING");
        boolean authorization = retention == null;
        if (authorization) {
            // RFC 6856 §2: the UTF8 command is valid in AUTHORIZATION state; "USER" says USER and
            // PASS accept UTF-8.
            caps.add("UTF8 USER");
            // RFC 2449 §6.7: the smallest value any account may have (delete after download), and
            // "USER" because the real value depends on the account.
            caps.add("EXPIRE 0 USER");
        } else {
            caps.add("EXPIRE " + retention.expire());
        }
        // RFC 2449 §6.5: before login, the largest value any account may have, with "USER".
        caps.add(authorization ? "LOGIN-DELAY " + LoginDelay.MAX_SECONDS + " USER" : "LOGIN-DELAY " + loginDelay);
        if (authorization && stlsAvailable) caps.add("STLS");
        if (authorization && loginAllowed) {
            caps.add("USER");
            caps.add("SASL " + String.join(" ", SaslMechanisms.NAMES));
        }
        caps.add("IMPLEMENTATION Postern");
        return caps;
    }
}
