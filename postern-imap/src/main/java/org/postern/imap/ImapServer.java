// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.imap.CommandTable.State;
import org.postern.imap.fetch.StructureCache;
import org.postern.imap.parse.Command;
import org.postern.net.Connection;
import org.postern.net.ConnectionHandler;
import org.postern.net.TlsContext;
import org.postern.search.SearchIndex;
import org.postern.store.MailStore;

/**
 * The IMAP server (IMAP4rev1 and IMAP4rev2 with the extensions of package-info). One
 * {@link ImapSession} per connection, on the connection's virtual thread; handlers are shared and
 * keep no per-session state.
 */
public final class ImapServer implements ConnectionHandler {
    private final ImapConfig config;
    private final MailStore store;
    private final SaslMechanisms sasl;
    private final TlsContext tls;
    /** Full-text index for SEARCH text keys; null means every SEARCH scans the messages. */
    private final SearchIndex searchIndex;
    private final Set<ImapSession> sessions = ConcurrentHashMap.newKeySet();
    private final SearchLimit searchLimit;
    private final ChangesCache changes = new ChangesCache();
    /** Per server, not static: the start-up warm-up's throwaway server must not fill the real one's. */
    private final StructureCache structures = new StructureCache(StructureCache.DEFAULT_MAX_BYTES);
    private final NotifyFeed notifyFeed;
    private volatile boolean shuttingDown;

    private final AuthHandler auth;
    private final SelectHandler select = new SelectHandler();
    private final MailboxHandler mailboxes = new MailboxHandler();
    private final AppendHandler append = new AppendHandler();
    private final CatenateHandler catenate = new CatenateHandler();
    private final FetchHandler fetch = new FetchHandler();
    private final SearchHandler search = new SearchHandler();
    private final SortHandler sort = new SortHandler();
    private final ThreadHandler thread = new ThreadHandler();
    private final StoreHandler storeFlags = new StoreHandler();
    private final CopyMoveHandler copyMove = new CopyMoveHandler();
    private final IdleHandler idle = new IdleHandler();
    private final CompressHandler compress = new CompressHandler();
    private final QuotaHandler quota = new QuotaHandler();
    private final MetadataHandler metadata = new MetadataHandler();
    private final AclHandler acl = new AclHandler();
    private final NotifyHandler notify = new NotifyHandler();

    /** {@code tls} may be null only when no connection will ever need it (tests without TLS). */
    public ImapServer(ImapConfig config, MailStore store, SaslMechanisms sasl, TlsContext tls) {
        this(config, store, sasl, tls, null);
    }

    /** {@code searchIndex} may be null: SEARCH then reads every message it needs. */
    public ImapServer(ImapConfig config, MailStore store, SaslMechanisms sasl, TlsContext tls, SearchIndex searchIndex) {
        this.config = config;
        this.store = store;
        this.sasl = sasl;
        this.tls = tls;
        this.searchIndex = searchIndex;
        this.auth = new AuthHandler(sasl);
        this.searchLimit = new SearchLimit(config.searchesPerUser(), config.searchWait());
        this.notifyFeed = new NotifyFeed(store, sessions);
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
        notifyFeed.close();
        // The cache is shared by every server of the process (the start-up warm-up runs a second one):
        // a closed store's keys must not stay reachable.
        SortKeyCache.evict(store);
        for (ImapSession s : sessions) {
            s.accountGone = false;
            s.shutdownRequested = true;
            if (s.wake.availablePermits() == 0) s.wake.release();
        }
    }

    ImapConfig config() {
        return config;
    }

    SearchIndex searchIndex() {
        return searchIndex;
    }

    /** RFC 5465 §5.9-5.10: annotation changes, from the store's change feed, for NOTIFY sessions. */
    NotifyFeed notifyFeed() {
        return notifyFeed;
    }

    ChangesCache changes() {
        return changes;
    }

    /** Rendered ENVELOPE/BODY/BODYSTRUCTURE by blob id, shared by this server's sessions. */
    StructureCache structures() {
        return structures;
    }

    SearchLimit searchLimit() {
        return searchLimit;
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

    /**
     * RFC 3501 §6.1.1; RFC 9051 §6.2.3: no AUTH= and LOGINDISABLED while plaintext logins are refused.
     * Only what is implemented and tested is listed; RFC 5161 §3.1: ENABLE never changes this list.
     */
    String capabilities(ImapSession s) {
        StringBuilder sb = new StringBuilder("IMAP4rev1 IMAP4rev2 SASL-IR LITERAL+ ID ENABLE IDLE");
        if (s.state == State.NOT_AUTHENTICATED) {
            boolean secure = s.conn.isSecure();
            if (!secure && tls != null && !config.implicitTls()) sb.append(" STARTTLS");
            if (secure || config.allowPlaintextAuth()) {
                for (String m : SaslMechanisms.NAMES) sb.append(" AUTH=").append(m);
            } else {
                sb.append(" LOGINDISABLED");
            }
        } else {
            sb.append(" NAMESPACE UIDPLUS MOVE UNSELECT CHILDREN SPECIAL-USE CREATE-SPECIAL-USE LIST-EXTENDED LIST-STATUS"
                    + " STATUS=SIZE CONDSTORE QRESYNC ESEARCH SEARCHRES WITHIN OBJECTID SAVEDATE BINARY UTF8=ACCEPT MULTIAPPEND CATENATE"
                    + " SORT SORT=DISPLAY ESORT"
                    + " THREAD=ORDEREDSUBJECT THREAD=REFERENCES PREVIEW REPLACE COMPRESS=DEFLATE"
                    + " QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE QUOTASET METADATA METADATA-SERVER NOTIFY ACL RIGHTS=texk APPENDLIMIT=")
                    .append(config.maxMessageSize());
        }
        return sb.toString();
    }

    /**
     * RFC 5161 §3.1 / RFC 9051 §6.3.1: unknown names are ignored; ENABLED lists what this command newly
     * enabled. RFC 7162 §3.2.3: QRESYNC implies CONDSTORE.
     */
    private static String enable(ImapSession s, Command.Enable c) throws IOException {
        StringBuilder sb = new StringBuilder("* ENABLED");
        for (String name : c.capabilities()) {
            for (ImapSession.Extension e : ImapSession.Extension.values()) {
                if (!e.wire.equalsIgnoreCase(name) || s.enabled.contains(e)) continue;
                s.enabled.add(e);
                sb.append(' ').append(e.wire);
            }
        }
        if (s.qresync()) s.enabled.add(ImapSession.Extension.CONDSTORE);
        s.out().raw(sb.toString()).crlf();
        return "ENABLE completed";
    }

    /**
     * RFC 8508 §3.3: APPEND the new message, then expunge the old one; the APPENDUID goes in an
     * untagged OK, the EXISTS/EXPUNGE (or VANISHED) from the sync before the tagged OK. When the old
     * message is not there (or the mailbox is read-only) the new one is not stored either.
     */
    private String replace(ImapSession s, String tag, Command.Replace c) throws IOException, ImapException {
        SelectedMailbox m = s.selected;
        ImapException refusal = null;
        int seq = -1;
        if (m.readOnly) {
            refusal = ImapException.no("READ-ONLY", "Mailbox is read-only");
        } else if (c.uid()) {
            seq = m.seqOf(c.number());
        } else {
            long n = c.number() == org.postern.imap.parse.SequenceSet.STAR ? m.size() : c.number();
            seq = n >= 1 && n <= m.size() ? (int) n : -1;
        }
        if (refusal == null && (seq < 0 || m.isPendingExpunge(m.at(seq).uid()))) {
            refusal = c.uid() ? ImapException.no("NONEXISTENT", "No such message")
                    : ImapException.bad("Invalid message sequence number");
        }
        AppendHandler.Appended a = append.receive(s, tag, c.message(), refusal, true);
        if (a == null) return null;
        long old = m.at(seq).uid();
        s.out().raw("* OK [APPENDUID " + a.mailbox().uidValidity() + " " + a.uids().getFirst() + "] Replacement Message ID").crlf();
        store.mailboxes().expunge(s.accountId(), m.mailboxId, java.util.List.of(old));
        return c.name() + " completed";
    }

    private static boolean mayExpunge(ImapSession s) {
        if (!SharedMailboxes.isShared(s.selected.mailboxId)) return true;
        return s.store.mailboxes().byId(s.accountId(), s.selected.mailboxId)
                .map(m -> Rights.has(AclHandler.rights(s, m), 'e')).orElse(false);
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
            case Command.Enable x -> enable(s, x);
            case Command.StartTls x -> auth.startTls(s, tag);
            case Command.Login x -> auth.login(s, x);
            case Command.Authenticate x -> auth.authenticate(s, tag, x);
            case Command.Select x -> select.select(s, x);
            // RFC 4314 §4: CLOSE without "e" skips the expunge and still succeeds.
            case Command.Close x -> mayExpunge(s) ? select.close(s) : select.unselect(s).replace("UNSELECT", "CLOSE");
            case Command.Unselect x -> select.unselect(s);
            case Command.Expunge x -> {
                // RFC 4314 §4: EXPUNGE needs "e", whether or not anything is \Deleted.
                if (!mayExpunge(s)) throw ImapException.no("NOPERM", "Missing right 'e' on this mailbox");
                yield select.expunge(s, x);
            }
            case Command.Create x -> mailboxes.create(s, x);
            case Command.Delete x -> mailboxes.delete(s, x);
            case Command.Rename x -> mailboxes.rename(s, x);
            case Command.Subscribe x -> mailboxes.subscribe(s, x);
            case Command.ListMailboxes x -> mailboxes.list(s, x);
            case Command.Status x -> mailboxes.status(s, x);
            case Command.Namespace x -> mailboxes.namespace(s);
            case Command.Append x -> append.append(s, tag, x);
            case Command.Catenate x -> catenate.append(s, x);
            case Command.Replace x -> replace(s, tag, x);
            case Command.Fetch x -> fetch.fetch(s, x);
            case Command.Search x -> search.search(s, x, tag);
            case Command.Sort x -> sort.sort(s, x, tag);
            case Command.Thread x -> thread.thread(s, x);
            case Command.Store x -> storeFlags.store(s, x);
            case Command.Copy x -> copyMove.copy(s, x);
            case Command.Idle x -> idle.idle(s, tag);
            case Command.Compress x -> compress.compress(s, tag, x);
            case Command.GetQuota x -> quota.getQuota(s, x);
            case Command.GetQuotaRoot x -> quota.getQuotaRoot(s, x);
            case Command.SetQuota x -> quota.setQuota(s, x);
            case Command.GetMetadata x -> metadata.get(s, x);
            case Command.SetMetadata x -> metadata.set(s, x);
            case Command.SetAcl x -> acl.setAcl(s, x);
            case Command.DeleteAcl x -> acl.deleteAcl(s, x);
            case Command.GetAcl x -> acl.getAcl(s, x);
            case Command.ListRights x -> acl.listRights(s, x);
            case Command.MyRights x -> acl.myRights(s, x);
            case Command.Notify x -> notify.notify(s, x);
        };
    }
}
