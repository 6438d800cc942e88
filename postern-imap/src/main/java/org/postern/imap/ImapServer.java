// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.imap.CommandTable.State;
import org.postern.imap.parse.Command;
import org.postern.net.Connection;
import org.postern.net.ConnectionHandler;
import org.postern.net.TlsContext;
import org.postern.store.MailStore;

/**
 * The IMAP4rev1 server (RFC 3501) with IDLE, UIDPLUS, MOVE, NAMESPACE, ENABLE, UNSELECT, SPECIAL-USE,
 * ID, LITERAL+, SASL-IR and CHILDREN. One {@link ImapSession} per connection, on the connection's
 * virtual thread; handlers are shared and keep no per-session state.
 */
public final class ImapServer implements ConnectionHandler {
    private final ImapConfig config;
    private final MailStore store;
    private final SaslMechanisms sasl;
    private final TlsContext tls;
    private final Set<ImapSession> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean shuttingDown;

    private final AuthHandler auth;
    private final SelectHandler select = new SelectHandler();
    private final MailboxHandler mailboxes = new MailboxHandler();
    private final AppendHandler append = new AppendHandler();
    private final FetchHandler fetch = new FetchHandler();
    private final SearchHandler search = new SearchHandler();
    private final StoreHandler storeFlags = new StoreHandler();
    private final CopyMoveHandler copyMove = new CopyMoveHandler();
    private final IdleHandler idle = new IdleHandler();

    /** {@code tls} may be null only when no connection will ever need it (tests without TLS). */
    public ImapServer(ImapConfig config, MailStore store, SaslMechanisms sasl, TlsContext tls) {
        this.config = config;
        this.store = store;
        this.sasl = sasl;
        this.tls = tls;
        this.auth = new AuthHandler(sasl);
    }

    @Override
    public void handle(Connection connection) throws IOException {
        ImapSession s = new ImapSession(this, connection);
        if (shuttingDown) {
            refuse(connection, "Server shutting down");
            return;
        }
        sessions.add(s);
        try {
            s.run();
        } finally {
            sessions.remove(s);
        }
    }

    @Override
    public void refuse(Connection connection, String reason) throws IOException {
        connection.writeLine("* BYE " + reason.replaceAll("\\p{Cntrl}", " "));
        connection.flush();
    }

    /**
     * Says goodbye to open sessions. Best effort: a session busy in a command gets its BYE from the
     * listener closing the socket instead; IDLE sessions (the common case) are told properly.
     */
    public void shutdown() {
        shuttingDown = true;
        for (ImapSession s : sessions) {
            s.accountGone = false;
            s.shutdownRequested = true;
            if (s.wake.availablePermits() == 0) s.wake.release();
        }
    }

    ImapConfig config() {
        return config;
    }

    MailStore store() {
        return store;
    }

    TlsContext tls() {
        return tls;
    }

    SaslMechanisms sasl() {
        return sasl;
    }

    /** RFC 3501 §6.1.1; RFC 9051 §6.2.3: no AUTH= and LOGINDISABLED while plaintext logins are refused. */
    String capabilities(ImapSession s) {
        StringBuilder sb = new StringBuilder("IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE");
        if (s.state == State.NOT_AUTHENTICATED) {
            boolean secure = s.conn.isSecure();
            if (!secure && tls != null && !config.implicitTls()) sb.append(" STARTTLS");
            if (secure || config.allowPlaintextAuth()) {
                for (String m : SaslMechanisms.NAMES) sb.append(" AUTH=").append(m);
            } else {
                sb.append(" LOGINDISABLED");
            }
        } else {
            sb.append(" NAMESPACE UIDPLUS MOVE UNSELECT CHILDREN SPECIAL-USE");
        }
        return sb.toString();
    }

    /** Runs one command; returns the tagged OK text, or null when the handler wrote the reply itself. */
    String dispatch(ImapSession s, String tag, Command c) throws IOException, ImapException {
        return switch (c) {
            case Command.Capability x -> {
                s.out().raw("* CAPABILITY " + capabilities(s)).crlf();
                yield "CAPABILITY completed";
            }
            case Command.Noop x -> "NOOP completed";
            case Command.Check x -> "CHECK completed";
            case Command.Logout x -> {
                s.out().raw("* BYE Logging out").crlf().raw(tag + " OK LOGOUT completed").crlf();
                s.out().flush();
                s.state = State.LOGOUT;
                yield null;
            }
            case Command.Id x -> {
                // RFC 2971 §3.1: the server's own identification; the client's is only logged.
                s.out().raw("* ID (\"name\" \"Postern\" \"vendor\" \"Postern\")").crlf();
                yield "ID completed";
            }
            case Command.Enable x -> {
                // RFC 5161 §3.2: nothing to enable yet, so the ENABLED response lists nothing.
                s.out().raw("* ENABLED").crlf();
                yield "ENABLE completed";
            }
            case Command.StartTls x -> auth.startTls(s, tag);
            case Command.Login x -> auth.login(s, x);
            case Command.Authenticate x -> auth.authenticate(s, tag, x);
            case Command.Select x -> select.select(s, x);
            case Command.Close x -> select.close(s);
            case Command.Unselect x -> select.unselect(s);
            case Command.Expunge x -> select.expunge(s, x);
            case Command.Create x -> mailboxes.create(s, x);
            case Command.Delete x -> mailboxes.delete(s, x);
            case Command.Rename x -> mailboxes.rename(s, x);
            case Command.Subscribe x -> mailboxes.subscribe(s, x);
            case Command.ListMailboxes x -> mailboxes.list(s, x);
            case Command.Status x -> mailboxes.status(s, x);
            case Command.Namespace x -> mailboxes.namespace(s);
            case Command.Append x -> append.append(s, tag, x);
            case Command.Fetch x -> fetch.fetch(s, x);
            case Command.Search x -> search.search(s, x);
            case Command.Store x -> storeFlags.store(s, x);
            case Command.Copy x -> copyMove.copy(s, x);
            case Command.Idle x -> idle.idle(s, tag);
        };
    }
}
