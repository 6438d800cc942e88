// SPDX-License-Identifier: Apache-2.0
package org.postern.auth.sasl;

import java.net.InetAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import org.postern.auth.AuthResult;
import org.postern.auth.Authenticator;

/** RFC 4616: message = [authzid] NUL authcid NUL passwd, UTF-8. */
final class PlainMechanism implements SaslMechanism {
    private final Authenticator authenticator;
    private final InetAddress client;

    PlainMechanism(Authenticator authenticator, InetAddress client) {
        this.authenticator = authenticator;
        this.client = client;
    }

    @Override
    public String name() {
        return "PLAIN";
    }

    @Override
    public SaslStep start(byte[] initialResponse) {
        // RFC 4422 §5: no initial response means an empty challenge first.
        return initialResponse == null ? new SaslStep.Challenge(new byte[0]) : next(initialResponse);
    }

    @Override
    public SaslStep next(byte[] response) {
        String[] parts = split(response);
        if (parts == null) return new SaslStep.Failure(true, false);
        String authzid = parts[0], authcid = parts[1], password = parts[2];
        if (authcid.isEmpty() || password.isEmpty()) return new SaslStep.Failure(true, false);
        AuthResult r = authenticator.authenticate(authcid, password, client);
        return switch (r) {
            case AuthResult.Success s -> sameIdentity(authzid, s.account().address())
                    ? new SaslStep.Success(s.account())
                    : new SaslStep.Failure(false, false); // HOSTILE A18: no impersonation via authzid
            case AuthResult.Throttled t -> new SaslStep.Failure(false, true);
            case AuthResult.Failure f -> new SaslStep.Failure(false, false);
        };
    }

    static boolean sameIdentity(String authzid, String address) {
        return authzid.isEmpty() || authzid.equalsIgnoreCase(address);
    }

    /** Exactly two NULs, valid UTF-8, no empty authcid; null otherwise. */
    static String[] split(byte[] msg) {
        if (msg.length > 3 * 1024) return null;
        int first = -1, second = -1;
        for (int i = 0; i < msg.length; i++) {
            if (msg[i] == 0) {
                if (first < 0) first = i;
                else if (second < 0) second = i;
                else return null;
            }
        }
        if (second < 0) return null;
        try {
            var dec = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            String s = dec.decode(ByteBuffer.wrap(msg)).toString();
            int a = s.indexOf('\0');
            int b = s.indexOf('\0', a + 1);
            return new String[] {s.substring(0, a), s.substring(a + 1, b), s.substring(b + 1)};
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
