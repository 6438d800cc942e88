// SPDX-License-Identifier: Apache-2.0
package org.postern.auth.sasl;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.postern.auth.AuthResult;
import org.postern.auth.Authenticator;

/**
 * The LOGIN mechanism (draft-murchison-sasl-login): two challenges, "Username:" and "Password:".
 * Obsolete but still what Outlook and many devices use for SMTP AUTH.
 */
final class LoginMechanism implements SaslMechanism {
    private static final int MAX = 1024;

    private final Authenticator authenticator;
    private final InetAddress client;
    private String username;

    LoginMechanism(Authenticator authenticator, InetAddress client) {
        this.authenticator = authenticator;
        this.client = client;
    }

    @Override
    public String name() {
        return "LOGIN";
    }

    @Override
    public SaslStep start(byte[] initialResponse) {
        if (initialResponse != null && initialResponse.length > 0) return next(initialResponse);
        return new SaslStep.Challenge("Username:".getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public SaslStep next(byte[] response) {
        if (response.length > MAX) return new SaslStep.Failure(true, false);
        String s = new String(response, StandardCharsets.UTF_8);
        if (username == null) {
            if (s.isEmpty()) return new SaslStep.Failure(true, false);
            username = s;
            return new SaslStep.Challenge("Password:".getBytes(StandardCharsets.US_ASCII));
        }
        return switch (authenticator.authenticate(username, s, client)) {
            case AuthResult.Success ok -> new SaslStep.Success(ok.account());
            case AuthResult.Throttled t -> new SaslStep.Failure(false, true);
            case AuthResult.Failure f -> new SaslStep.Failure(false, false);
        };
    }
}
