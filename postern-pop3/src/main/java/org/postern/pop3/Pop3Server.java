// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.net.Connection;
import org.postern.net.ConnectionHandler;
import org.postern.net.TlsContext;
import org.postern.store.MailStore;

/**
 * Serves POP3 on one listener: port 110 with STLS, or 995 with implicit TLS (RFC 8314). One
 * {@link Pop3Session} per connection, on the connection's virtual thread.
 */
public final class Pop3Server implements ConnectionHandler {
    private final Pop3Config config;
    private final MailStore store;
    private final SaslMechanisms sasl;
    private final TlsContext tls;
    private final Set<Pop3Session> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean shuttingDown;

    /** @param tls the certificate for STLS; null when there is none (then STLS is not offered) */
    public Pop3Server(Pop3Config config, MailStore store, SaslMechanisms sasl, TlsContext tls) {
        this.config = config;
        this.store = store;
        this.sasl = sasl;
        this.tls = tls;
    }

    @Override
    public void handle(Connection connection) throws IOException {
        if (shuttingDown) {
            refuse(connection, "Server shutting down");
            return;
        }
        Pop3Session session = new Pop3Session(config, store, sasl, tls, connection);
        sessions.add(session);
        try {
            session.run();
        } finally {
            sessions.remove(session);
        }
    }

    @Override
    public void refuse(Connection connection, String reason) throws IOException {
        // RFC 3206 §3: SYS/TEMP tells the client to try again later.
        connection.writeLine("-ERR [SYS/TEMP] " + reason);
        connection.flush();
    }

    /**
     * Says goodbye to open sessions ({@code -ERR [SYS/TEMP]}) and closes them. They do not enter the
     * UPDATE state, so no message is deleted (RFC 1939 §6).
     */
    public void shutdown() {
        shuttingDown = true;
        for (Pop3Session s : sessions) s.shutdown();
    }

    /** Sessions currently open (tests, metrics). */
    public int openSessions() {
        return sessions.size();
    }
}
