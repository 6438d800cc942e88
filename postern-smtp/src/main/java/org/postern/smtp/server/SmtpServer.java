// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.net.Connection;
import org.postern.net.ConnectionHandler;
import org.postern.net.TlsContext;

/**
 * The SMTP server for one port: MX (25), submission (587) or submissions (465), per
 * {@link SmtpConfig.Mode}. Each accepted connection runs an {@link SmtpSession} on the Listener's
 * virtual thread.
 *
 * @param sasl the mechanisms for AUTH; null disables AUTH (e.g. a pure MX)
 * @param tls the server certificate for STARTTLS; null disables STARTTLS
 */
public final class SmtpServer implements ConnectionHandler {
    private final SmtpConfig config;
    private final MailIntake intake;
    private final SaslMechanisms sasl;
    private final TlsContext tls;
    private final Set<SmtpSession> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean shuttingDown;

    public SmtpServer(SmtpConfig config, MailIntake intake, SaslMechanisms sasl, TlsContext tls) {
        if (config.mode().implicitTls() && tls == null) {
            throw new IllegalArgumentException("SUBMISSIONS needs a TLS context");
        }
        this.config = config;
        this.intake = intake;
        this.sasl = sasl;
        this.tls = tls;
    }

    public SmtpConfig config() {
        return config;
    }

    @Override
    public void handle(Connection connection) throws IOException {
        SmtpSession session = new SmtpSession(this, config, intake, sasl, tls, connection);
        sessions.add(session);
        try {
            if (shuttingDown) {
                refuse(connection, "Service shutting down");
                return;
            }
            session.run();
        } finally {
            sessions.remove(session);
        }
    }

    /** RFC 5321 §3.8: 421 and close when the service cannot take the connection. */
    @Override
    public void refuse(Connection connection, String reason) throws IOException {
        connection.writeLine("421 4.7.0 " + config.hostname() + " " + reason + ", try again later");
        connection.flush();
    }

    /** Says 421 to every session waiting for a command and closes them all (RFC 5321 §3.8). */
    public void shutdown() {
        shuttingDown = true;
        for (SmtpSession s : sessions) s.goodbye();
    }

    boolean isShuttingDown() {
        return shuttingDown;
    }

    public int openSessions() {
        return sessions.size();
    }
}
