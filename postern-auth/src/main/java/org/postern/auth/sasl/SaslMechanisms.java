// SPDX-License-Identifier: Apache-2.0
package org.postern.auth.sasl;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.postern.auth.Authenticator;

/** The mechanisms Postern offers, in the order advertised. */
public final class SaslMechanisms {
    public static final List<String> NAMES = List.of("PLAIN", "LOGIN", "SCRAM-SHA-256");

    private final Authenticator authenticator;

    public SaslMechanisms(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    public Optional<SaslMechanism> create(String name, InetAddress client) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "PLAIN" -> Optional.of(new PlainMechanism(authenticator, client));
            case "LOGIN" -> Optional.of(new LoginMechanism(authenticator, client));
            case "SCRAM-SHA-256" -> Optional.of(new ScramSha256Mechanism(authenticator, client));
            default -> Optional.empty();
        };
    }

    public Authenticator authenticator() {
        return authenticator;
    }
}
