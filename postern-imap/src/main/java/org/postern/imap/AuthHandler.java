// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.postern.auth.AuthResult;
import org.postern.auth.sasl.SaslMechanism;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.auth.sasl.SaslStep;
import org.postern.imap.parse.Command;

/**
 * STARTTLS, LOGIN and AUTHENTICATE. RFC 3501 §6.2; RFC 9051 §6.2.1 (after STARTTLS the client must
 * ask for CAPABILITY again, so none is sent unsolicited); RFC 9051 §6.2.3 and RFC 5530
 * PRIVACYREQUIRED (no credentials are checked before TLS unless configured, HOSTILE A17); RFC 4959
 * (SASL-IR); RFC 4422 §3.5 ("*" cancels).
 */
final class AuthHandler {
    /** RFC 4954 §4 suggests 12288 octets for a SASL line; the same bound serves IMAP. */
    private static final int MAX_SASL_LINE = 12_288;

    private final SaslMechanisms sasl;

    AuthHandler(SaslMechanisms sasl) {
        this.sasl = sasl;
    }

    String startTls(ImapSession s, String tag) throws IOException, ImapException {
        if (s.conn.isSecure()) throw ImapException.bad("TLS is already active");
        if (s.server.tls() == null) throw ImapException.no("TLS is not available");
        s.out().raw(tag + " OK Begin TLS negotiation now").crlf();
        s.out().flush();
        // Connection.startTls drops every plaintext byte pipelined after this command (HOSTILE A02).
        s.startTls();
        return null;
    }

    String login(ImapSession s, Command.Login c) throws IOException, ImapException {
        requirePrivacy(s);
        AuthResult r = sasl.authenticator().authenticate(c.user(), c.password(), s.conn.remoteAddress());
        if (r instanceof AuthResult.Success ok) {
            s.authenticated(ok.account());
            return "[CAPABILITY " + s.server.capabilities(s) + "] Logged in";
        }
        throw ImapException.no("AUTHENTICATIONFAILED", "Authentication failed");
    }

    String authenticate(ImapSession s, String tag, Command.Authenticate c) throws IOException, ImapException {
        requirePrivacy(s);
        Optional<SaslMechanism> m = sasl.create(c.mechanism(), s.conn.remoteAddress());
        if (m.isEmpty()) throw ImapException.no("Unsupported authentication mechanism");
        SaslStep step;
        if (c.initialResponse() == null) {
            step = m.get().start(null);
        } else {
            step = m.get().start(decode(c.initialResponse()));
        }
        while (step instanceof SaslStep.Challenge ch) {
            s.out().raw("+ " + Base64.getEncoder().encodeToString(ch.data())).crlf();
            s.out().flush();
            byte[] line = s.in().readLine(MAX_SASL_LINE);
            if (line == null) throw ImapException.bad("Connection closed during authentication");
            if (s.in().problem() != org.postern.net.LineReader.Problem.NONE) {
                throw ImapException.bad("Invalid authentication response");
            }
            String response = new String(line, StandardCharsets.US_ASCII);
            if (response.equals("*")) throw ImapException.bad("Authentication cancelled");
            step = m.get().next(decode(response));
        }
        return switch (step) {
            case SaslStep.Success ok -> {
                s.authenticated(ok.account());
                yield "[CAPABILITY " + s.server.capabilities(s) + "] Authenticated";
            }
            case SaslStep.Failure f when f.malformed() -> throw ImapException.bad("Malformed authentication exchange");
            default -> throw ImapException.no("AUTHENTICATIONFAILED", "Authentication failed");
        };
    }

    private void requirePrivacy(ImapSession s) throws ImapException {
        if (!s.conn.isSecure() && !s.config.allowPlaintextAuth()) {
            throw ImapException.no("PRIVACYREQUIRED", "Use STARTTLS first");
        }
    }

    private static byte[] decode(String b64) throws ImapException {
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw ImapException.bad("Invalid base64");
        }
    }
}
