// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.postern.auth.sasl.SaslMechanism;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.auth.sasl.SaslStep;
import org.postern.net.LineReader;
import org.postern.smtp.wire.SmtpCommand;
import org.postern.smtp.wire.SmtpCommandParser;
import org.postern.smtp.wire.SmtpReply;

/**
 * The AUTH exchange, RFC 4954 §4: optional initial response ("=" for an empty one), 334 challenges in
 * base64, "*" cancels (501), 235 on success, 535 on bad credentials. Runs the mechanisms of
 * postern-auth, which also throttle failures (HOSTILE A17-A20).
 */
final class AuthHandler {
    private static final SmtpReply CANCELLED = SmtpReply.of(501, "5.0.0", "Authentication cancelled");
    private static final SmtpReply UNDECODABLE = SmtpReply.of(501, "5.5.2", "Cannot decode response");
    private static final SmtpReply INVALID = SmtpReply.of(535, "5.7.8", "Authentication credentials invalid");

    private final SmtpSession session;
    private final SaslMechanisms sasl;

    AuthHandler(SmtpSession session, SaslMechanisms sasl) {
        this.session = session;
        this.sasl = sasl;
    }

    void auth(SmtpCommand.Auth command) throws IOException {
        if (!session.authOffered()) {
            session.reply(session.authNeedsTls()
                    ? SmtpReply.of(538, "5.7.11", "Encryption required for requested authentication mechanism")
                    : SmtpReply.of(502, "5.5.1", "AUTH not available"));
            return;
        }
        if (!session.greetedWithEhlo()) {
            session.reply(SmtpReply.of(503, "5.5.1", "Send EHLO first"));
            return;
        }
        if (session.account() != null) {
            session.reply(SmtpReply.of(503, "5.5.1", "Already authenticated")); // RFC 4954 §4
            return;
        }
        if (session.inTransaction()) {
            session.reply(SmtpReply.of(503, "5.5.1", "AUTH not permitted during a mail transaction"));
            return;
        }
        Optional<SaslMechanism> created = sasl.create(command.mechanism(), session.connection.remoteAddress());
        if (created.isEmpty()) {
            session.reply(SmtpReply.of(504, "5.5.4", "Unrecognized authentication type"));
            return;
        }
        SaslMechanism mechanism = created.get();
        byte[] initial = null;
        if (command.initialResponse() != null) {
            String ir = command.initialResponse();
            if (ir.equals("*")) {
                session.reply(CANCELLED);
                return;
            }
            initial = ir.equals("=") ? new byte[0] : decode(ir);
            if (initial == null) {
                session.reply(UNDECODABLE);
                return;
            }
        }
        SaslStep step = mechanism.start(initial);
        LineReader in = session.connection.in();
        while (step instanceof SaslStep.Challenge challenge) {
            session.writeRaw("334 " + Base64.getEncoder().encodeToString(challenge.data()));
            session.flush();
            byte[] line = in.readLine(SmtpCommandParser.MAX_AUTH_LINE);
            if (line == null) {
                session.end(SmtpReply.of(421, "4.4.2", "Connection closed during AUTH"));
                return;
            }
            if (in.problem() == LineReader.Problem.TOO_LONG) {
                session.reply(SmtpReply.of(500, "5.5.6", "Authentication exchange line is too long"));
                return;
            }
            if (in.problem() != LineReader.Problem.NONE) {
                session.reply(SmtpReply.BARE_CR_LF);
                return;
            }
            String response = new String(line, StandardCharsets.US_ASCII).strip();
            if (response.equals("*")) {
                session.reply(CANCELLED);
                return;
            }
            byte[] decoded = decode(response);
            if (decoded == null) {
                session.reply(UNDECODABLE);
                return;
            }
            step = mechanism.next(decoded);
        }
        switch (step) {
            case SaslStep.Success s -> {
                session.authenticated(s.account());
                session.reply(SmtpReply.of(235, "2.7.0", "Authentication successful"));
            }
            // Throttled gets the same words as a wrong password (AuthResult's contract).
            case SaslStep.Failure f -> session.reply(f.malformed()
                    ? SmtpReply.of(501, "5.5.2", "Malformed authentication data") : INVALID);
            case SaslStep.Challenge c -> throw new AssertionError();
        }
    }

    private static byte[] decode(String s) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
