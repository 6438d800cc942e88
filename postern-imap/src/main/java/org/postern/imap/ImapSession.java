// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.postern.imap.CommandTable.State;
import org.postern.imap.codec.ResponseWriter;
import org.postern.imap.fetch.MessageCache;
import org.postern.imap.parse.Command;
import org.postern.imap.parse.CommandParser;
import org.postern.imap.parse.ParseException;
import org.postern.imap.parse.Request;
import org.postern.net.Connection;
import org.postern.net.LineReader;
import org.postern.store.Account;
import org.postern.store.ChangeEvent;
import org.postern.store.ChangeFeed;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import org.postern.store.MailboxChanges;
import org.postern.store.MessageRecord;
import org.postern.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One IMAP connection from greeting to logout: reads a command with its literals, checks the command
 * table, runs the handler, reports mailbox changes where allowed and writes the one tagged reply.
 *
 * <p>Rules: the only place that writes tagged NO/BAD is {@link #execute}; the socket is written only
 * by the session's thread (and, during IDLE, by a short-lived reporting task holding {@link #outLock}
 * while the session thread waits for DONE; after NOTIFY SET, by NOTIFY's notifier whenever it holds
 * {@link #outLock}); output is flushed once per command, or at once for continuation requests and
 * IDLE and NOTIFY updates. Store calls are complete before any write, so no store lock is held while
 * writing.
 */
final class ImapSession {
    private static final Logger log = LoggerFactory.getLogger(ImapSession.class);
    /** Literals per command (HOSTILE A22, CVE-2024-34055): the byte budget bounds them too. */
    private static final int MAX_LITERALS = 1000;

    final ImapServer server;
    final ImapConfig config;
    final MailStore store;
    final Connection conn;
    final MessageCache cache;
    private ResponseWriter out;
    /** Where commands come from: the connection's reader, or an inflating one after COMPRESS. */
    private LineReader reader;
    private CompressHandler.Inflating inflating;
    private java.util.zip.Deflater deflater;
    State state = State.NOT_AUTHENTICATED;
    Account account;
    SelectedMailbox selected;
    private AutoCloseable subscription;
    private AutoCloseable ownerSubscription;
    private long watchedOwner;
    /** Extensions the client turned on (RFC 5161; RFC 7162 §3.1 CONDSTORE-enabling commands). */
    final java.util.EnumSet<Extension> enabled = java.util.EnumSet.noneOf(Extension.class);
    /** Released by the change feed; IDLE waits on it. */
    final IdleHandler.Wake wake = new IdleHandler.Wake();
    /**
     * Held while a command runs, and by IDLE's reporting task and the NOTIFY notifier while they report
     * (RFC 5465 §3.1: the client listens even when no command is in progress), so the view and the
     * socket have one user at a time. Not held while waiting for the next command, nor during IDLE's wait for DONE.
     */
    final java.util.concurrent.locks.ReentrantLock outLock = new java.util.concurrent.locks.ReentrantLock();
    /** What NOTIFY SET asked for; null before NOTIFY, after NOTIFY NONE and after an overflow. */
    volatile NotifyWatch notify;
    /** In IDLE, waiting for DONE: EXPUNGE may be sent (RFC 3501 §7.4.1), also for SELECTED-DELAYED. */
    volatile boolean idling;
    /** When the last change event arrived, on {@link ChangesCache}'s clock. */
    private volatile long lastEvent;
    /** A change arrived since NOTIFY last looked. */
    private volatile boolean notifyDirty;
    volatile boolean accountGone;
    volatile boolean shutdownRequested;
    private int consecutiveBad;
    /** The last LIST/LSUB response, written again while nothing it shows has changed. */
    ListMemo listMemo;

    ImapSession(ImapServer server, Connection conn) {
        this.server = server;
        this.config = server.config();
        // Mailboxes as this user sees them: their own plus those shared with them (RFC 4314).
        this.store = SharedMailboxes.session(server.store(), () -> account);
        this.conn = conn;
        this.cache = new MessageCache(config.messageCacheSize());
        this.out = new ResponseWriter(conn.out());
        this.reader = conn.in();
    }

    ResponseWriter out() {
        return out;
    }

    LineReader in() {
        return reader;
    }

    boolean compressing() {
        return inflating != null;
    }

    /**
     * RFC 4978 §3: from the octet after the tagged OK both directions are DEFLATE streams. Octets the
     * client sent before seeing the OK were not compressed and are dropped, as after STARTTLS.
     */
    void startCompression() throws IOException {
        conn.in().transfer(null, conn.in().buffered());
        inflating = new CompressHandler.Inflating(new CompressHandler.RawInput(conn.in()));
        inflating.budget(inputBudget());
        reader = new LineReader(inflating, CompressHandler.MAX_CHUNK);
        deflater = CompressHandler.deflater();
        out = new ResponseWriter(CompressHandler.deflating(conn.out(), deflater));
    }

    /** The session is about to read {@code octets} of message data (APPEND): the inflater may produce them. */
    void allowInput(long octets) {
        if (inflating != null) inflating.allow(octets);
    }

    /** One command's worth of input: the byte budget, one more line, and slack for line ends. */
    private long inputBudget() {
        return (long) config.maxCommandSize() + config.maxLine() + 1024;
    }

    /** What ENABLE can turn on, with its wire name. */
    enum Extension {
        IMAP4REV2("IMAP4rev2"), CONDSTORE("CONDSTORE"), QRESYNC("QRESYNC"), UTF8_ACCEPT("UTF8=ACCEPT");

        final String wire;

        Extension(String wire) {
            this.wire = wire;
        }
    }

    boolean rev2() {
        return enabled.contains(Extension.IMAP4REV2);
    }

    boolean condstore() {
        return enabled.contains(Extension.CONDSTORE);
    }

    boolean qresync() {
        return enabled.contains(Extension.QRESYNC);
    }

    /** RFC 6855 §3, RFC 9051 §5.1: mailbox names travel as UTF-8 instead of modified UTF-7. */
    boolean utf8Names() {
        return enabled.contains(Extension.IMAP4REV2) || enabled.contains(Extension.UTF8_ACCEPT);
    }

    /** A store name as it goes on the wire in this session. */
    String wireName(String name) {
        return utf8Names() ? name : org.postern.imap.codec.ModifiedUtf7.encode(name);
    }

    long accountId() {
        return account.id();
    }

    sealed interface Incoming {
        record Eof() implements Incoming {}

        record Complete(byte[] bytes) implements Incoming {}

        record AppendStart(Request request) implements Incoming {}

        /** {@code fatal}: octets are in flight that cannot be skipped, so the session must end. */
        record Rejected(String tag, String reply, boolean fatal) implements Incoming {}
    }

    void run() throws IOException {
        conn.setReadTimeout(config.preAuthTimeout());
        out.raw("* OK [CAPABILITY " + server.capabilities(this) + "] Postern ready").crlf();
        out.flush();
        try {
            while (state != State.LOGOUT && !conn.isClosed()) {
                Incoming in;
                try {
                    in = readCommand();
                } catch (CompressHandler.TooMuchInput e) {
                    bye("Too much input");
                    break;
                } catch (java.net.SocketTimeoutException e) {
                    // RFC 3501 §5.4 (RFC 9051 §5.4): the autologout timer ran out; say so before closing.
                    autologout();
                    break;
                }
                outLock.lock();
                try {
                    switch (in) {
                        case Incoming.Eof e -> state = State.LOGOUT;
                        case Incoming.Rejected r -> {
                            out.raw((r.tag() == null ? "*" : r.tag()) + " " + r.reply()).crlf();
                            if (r.fatal()) bye("Closing connection");
                            else countBad();
                        }
                        case Incoming.Complete c -> parseAndExecute(c.bytes());
                        case Incoming.AppendStart a -> execute(a.request());
                    }
                    if (accountGone && state != State.LOGOUT) bye("Account no longer available");
                    if (shutdownRequested && state != State.LOGOUT) bye("Server shutting down");
                    out.flush();
                } finally {
                    outLock.unlock();
                }
            }
        } finally {
            stopNotify();
            closeSubscription();
            if (inflating != null) inflating.close();
            if (deflater != null) deflater.end();
        }
    }

    private void autologout() {
        outLock.lock();
        try {
            bye(state == State.NOT_AUTHENTICATED ? "Autologout; no login in time" : "Autologout; idle for too long");
        } catch (IOException gone) {
            // the client went away as well: nothing to tell
        } finally {
            outLock.unlock();
        }
    }

    /** One BYE per session (RFC 9051 §7.1.5), whichever reason comes first; then the session ends. */
    void bye(String text) throws IOException {
        if (state == State.LOGOUT) return;
        out.raw("* BYE " + text).crlf();
        out.flush();
        state = State.LOGOUT;
    }

    private void countBad() throws IOException {
        // Dovecot's rule: a client that keeps sending garbage is not a mail client.
        if (++consecutiveBad >= config.maxBadCommands()) bye("Too many invalid commands");
    }

    private void parseAndExecute(byte[] bytes) throws IOException {
        Request r;
        try {
            r = CommandParser.parse(bytes, utf8Names());
        } catch (CommandParser.TaggedParseException e) {
            out.raw(e.tag() + " BAD " + codePrefix(e.code()) + e.getMessage()).crlf();
            countBad();
            return;
        } catch (ParseException e) {
            out.raw("* BAD " + codePrefix(e.code()) + e.getMessage()).crlf();
            countBad();
            return;
        }
        execute(r);
    }

    private static String codePrefix(String code) {
        return code == null ? "" : "[" + code + "] ";
    }

    void execute(Request r) throws IOException {
        Command c = r.command();
        CommandTable.Rule rule = CommandTable.rule(c.name());
        String tag = r.tag();
        if (!rule.states().contains(state)) {
            Command.Append streamed = c instanceof Command.Replace x ? x.message() : c instanceof Command.Append a ? a : null;
            if (streamed != null && !streamed.synchronizing()) {
                // The octets are on their way and we will not read them.
                out.raw(tag + " BAD Not allowed now").crlf();
                bye("Closing connection");
                return;
            }
            String why = state == State.NOT_AUTHENTICATED ? "Log in first"
                    : state == State.AUTHENTICATED && rule.states().equals(java.util.EnumSet.of(State.SELECTED))
                            ? "No mailbox selected" : "Not allowed now";
            out.raw(tag + " BAD " + why).crlf();
            countBad();
            return;
        }
        String ok;
        String wasSelected = selected == null ? null : selected.name;
        try {
            ok = server.dispatch(this, tag, c);
            if (ok == null) {
                consecutiveBad = 0;
                return;
            }
            if (state == State.SELECTED) syncSelected(rule.expunges());
            notifyAfter(c, wasSelected);
            out.raw(tag + " OK " + ok).crlf();
            consecutiveBad = 0;
        } catch (ImapException e) {
            if (state == State.SELECTED && e.status() == ImapException.Status.NO) trySync(rule.expunges());
            if (e.status() == ImapException.Status.NO) notifyAfter(c, wasSelected);
            out.raw(tag + " " + e.reply()).crlf();
            if (e.status() == ImapException.Status.BAD) countBad();
            else consecutiveBad = 0;
        } catch (StoreException e) {
            out.raw(tag + " " + storeFailure(e)).crlf();
            if (e instanceof StoreException.Unavailable) log.warn("store unavailable: {}", e.toString());
        }
    }

    static String storeFailure(StoreException e) {
        return switch (e) {
            case StoreException.NotFound n -> "NO [NONEXISTENT] " + safe(n.getMessage());
            case StoreException.Conflict n -> "NO [ALREADYEXISTS] " + safe(n.getMessage());
            case AclDenied n -> "NO [NOPERM] " + safe(n.getMessage());
            case StoreException.Refused n -> "NO [CANNOT] " + safe(n.getMessage());
            case StoreException.Unavailable n -> "NO [UNAVAILABLE] Temporary failure, try again later";
            default -> "NO [SERVERBUG] Internal error";
        };
    }

    /** Store messages are our own text, but keep them on one line whatever they contain. */
    private static String safe(String s) {
        if (s == null || s.isEmpty()) return "Failed";
        return s.replaceAll("[\\p{Cntrl}]", " ");
    }

    private void trySync(boolean allowExpunge) throws IOException {
        try {
            syncSelected(allowExpunge);
        } catch (StoreException | ImapException ignored) {
            // The NO reply goes out anyway; the next command syncs again.
        }
    }

    /** Reports what changed in the selected mailbox since this session last looked. */
    void syncSelected(boolean allowExpunge) throws IOException, ImapException {
        syncSelected(allowExpunge, false);
    }

    /**
     * {@code woken}: reporting a change event while no command runs (IDLE), where sessions idling on the
     * same mailbox may share one store answer ({@link ChangesCache}).
     */
    void syncSelected(boolean allowExpunge, boolean woken) throws IOException, ImapException {
        SelectedMailbox s = selected;
        if (s == null) return;
        // Read before the store is: a change committed meanwhile makes the next check ask again.
        long version = feedVersion();
        // Nothing published for the account(s) since the view was last synced, and nothing held back:
        // the store has nothing to report (ChangeFeed#version), so no read after every command.
        if (!woken && version != ChangeFeed.UNKNOWN && version == s.syncedVersion && !s.hasPendingExpunges()) return;
        // Only this session's own APPENDs were published since: they are the changes, no read needed.
        MailboxChanges own = woken || version == ChangeFeed.UNKNOWN ? null : s.ownChangesUpTo(version);
        if (own != null) {
            s.sync(own, allowExpunge, out);
            s.synced(version);
            return;
        }
        try {
            var changes = woken
                    ? server.changes().changesSince(store.mailboxes(), account.id(), s.mailboxId, s.highestModSeq(), lastEvent)
                    : store.mailboxes().changesSince(account.id(), s.mailboxId, s.highestModSeq());
            s.sync(changes, allowExpunge, out);
            // A woken report may reuse an answer another session asked for before the latest commit
            // (ChangesCache goes by the events this session's listener has seen, which may lag the
            // version): it proves nothing about the version, so the next command asks the store.
            s.synced(woken ? ChangeFeed.UNKNOWN : version);
        } catch (StoreException.NotFound e) {
            // The mailbox was deleted under us (RFC 3501 §6.3.4 lets the server end the session).
            selected = null;
            state = State.AUTHENTICATED;
            bye("Selected mailbox was deleted");
            throw ImapException.no("Mailbox deleted");
        }
    }

    void authenticated(Account a) throws IOException {
        account = a;
        state = State.AUTHENTICATED;
        conn.setReadTimeout(config.idleTimeout());
        subscription = store.changes().subscribe(a.id(), this::onChange);
    }

    /**
     * Something may have changed that no event announced (the fallback poll): the next report must ask
     * the store, not reuse an answer shared before.
     */
    void changeSuspected() {
        lastEvent = ChangesCache.tick();
        SelectedMailbox s = selected;
        if (s != null) s.synced(ChangeFeed.UNKNOWN);
    }

    /**
     * This session stored {@code r} in {@code mb}: while a mailbox of its own account is selected, the
     * next sync may report it from here rather than from a read ({@link SelectedMailbox#ownChangesUpTo}).
     */
    void appended(Mailbox mb, MessageRecord r) {
        SelectedMailbox s = selected;
        if (s == null) return;
        if (watchedOwner != 0 || SharedMailboxes.ownerOf(mb) != account.id()) {
            // Another account's version (a shared mailbox): the chain cannot vouch for it.
            s.synced(ChangeFeed.UNKNOWN);
            return;
        }
        s.appended(mb.id(), r, store.changes().lastWrite(account.id()));
    }

    /**
     * The change feed's version of what the selected view depends on: the account, and the owner's
     * account while a shared mailbox is selected (its messages change there).
     */
    private long feedVersion() {
        ChangeFeed feed = store.changes();
        long mine = feed.version(account.id());
        if (mine == ChangeFeed.UNKNOWN || watchedOwner == 0) return mine;
        long owner = feed.version(watchedOwner);
        return owner == ChangeFeed.UNKNOWN ? ChangeFeed.UNKNOWN : mine + owner;
    }

    private void onChange(ChangeEvent e) {
        // Identities, settings, annotations...: nothing IDLE reports (NOTIFY hears annotations through NotifyFeed).
        if (!e.kind().aboutMail() && e.kind() != ChangeEvent.Kind.ACCOUNT) return;
        lastEvent = ChangesCache.tick();
        if (e.kind() == ChangeEvent.Kind.ACCOUNT) accountGone = true;
        notifyDirty = true;
        if (wake.availablePermits() == 0) wake.release();
    }

    /** RFC 5465 §3.1: replaces what NOTIFY watched; the notifier thread runs until NOTIFY NONE or logout. */
    void startNotify(NotifyWatch w, java.util.List<org.postern.store.Mailbox> mailboxes) {
        stopNotify();
        notify = w;
        if (selected != null) selected.uidInFetch = true;
        w.start(mailboxes);
    }

    void stopNotify() {
        NotifyWatch w = notify;
        notify = null;
        if (w != null) w.stop();
    }

    /**
     * After a command, while NOTIFY is on: report other sessions' changes to non-selected mailboxes,
     * and take in this command's own silently (RFC 5465 §5: the client is not told what it did).
     */
    private void notifyAfter(Command c, String wasSelected) throws IOException {
        NotifyWatch w = notify;
        if (w == null) return;
        java.util.Set<String> quiet = new java.util.HashSet<>();
        if (wasSelected != null) quiet.add(wasSelected);
        switch (c) {
            case Command.Create x -> quiet.add(x.mailbox());
            case Command.Delete x -> quiet.add(x.mailbox());
            case Command.Rename x -> {
                quiet.add(x.from());
                quiet.add(x.to());
            }
            case Command.Subscribe x -> quiet.add(x.mailbox());
            case Command.Append x -> quiet.add(x.mailbox());
            case Command.Catenate x -> quiet.add(x.mailbox());
            case Command.Copy x -> quiet.add(x.mailbox());
            case Command.Select x -> quiet.add(x.mailbox());
            default -> { }
        }
        if (quiet.isEmpty() && !notifyDirty) return;
        notifyDirty = false;
        w.deliver(quiet);
    }

    void select(SelectedMailbox m) {
        if (m != null && notify != null) m.uidInFetch = true;
        selected = m;
        state = m == null ? State.AUTHENTICATED : State.SELECTED;
        cache.clear();
        watchOwner(m == null || !SharedMailboxes.isShared(m.mailboxId) ? 0
                : store.mailboxes().byId(account.id(), m.mailboxId).map(SharedMailboxes::ownerOf).orElse(0L));
    }

    /**
     * A shared mailbox changes in its owner's account: while one is selected, that account's changes
     * wake this session too (IDLE reports them at once instead of at the next poll).
     */
    private void watchOwner(long owner) {
        if (owner == watchedOwner) return;
        closeQuietly(ownerSubscription);
        ownerSubscription = null;
        watchedOwner = owner;
        if (owner != 0) {
            ownerSubscription = store.changes().subscribe(owner, e -> {
                if (!e.kind().aboutMail()) return;
                lastEvent = ChangesCache.tick();
                if (wake.availablePermits() == 0) wake.release();
            });
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing to release
        }
    }

    void startTls() throws IOException {
        conn.startTls(server.tls());
        out = new ResponseWriter(conn.out());
    }

    private void closeSubscription() {
        closeQuietly(ownerSubscription);
        ownerSubscription = null;
        if (subscription == null) return;
        try {
            subscription.close();
        } catch (Exception ignored) {
            // nothing to release
        }
        subscription = null;
    }

    // ---- reading a command with its literals (RFC 3501 §4.3, RFC 7888)

    private Incoming readCommand() throws IOException {
        boolean authed = state != State.NOT_AUTHENTICATED;
        int lineMax = authed ? config.maxLine() : config.maxLinePreAuth();
        int budget = authed ? config.maxCommandSize() : config.maxLinePreAuth();
        ByteArrayOutputStream cmd = new ByteArrayOutputStream(128);
        int literals = 0;
        if (inflating != null) inflating.budget(inputBudget());
        while (true) {
            byte[] line = reader.readLine(lineMax);
            if (line == null) return new Incoming.Eof();
            LineReader.Problem problem = reader.problem();
            cmd.write(line);
            byte[] soFar = cmd.toByteArray();
            String tag = CommandParser.tagOf(soFar);
            if (problem == LineReader.Problem.TOO_LONG || cmd.size() > budget) {
                return new Incoming.Rejected(tag, "BAD [TOOBIG] Command line too long", true);
            }
            if (problem != LineReader.Problem.NONE) {
                return new Incoming.Rejected(tag, "BAD Lines must end with CRLF", literals > 0);
            }
            long[] lit = literalAt(line);
            if (lit == null) return new Incoming.Complete(soFar);
            boolean sync = lit[1] == 1;
            try {
                Optional<Request> append = CommandParser.appendPrefix(soFar, utf8Names());
                if (append.isPresent()) return new Incoming.AppendStart(append.get());
            } catch (CommandParser.TaggedParseException e) {
                return new Incoming.Rejected(e.tag(), "BAD " + codePrefix(e.code()) + e.getMessage(), !sync);
            } catch (ParseException e) {
                return new Incoming.Rejected(tag, "BAD " + e.getMessage(), !sync);
            }
            long size = lit[0];
            if (size < 0 || ++literals > MAX_LITERALS || cmd.size() + 2 + size > budget) {
                // HOSTILE A21: refuse before "+", never allocate; pre-auth the session ends.
                return new Incoming.Rejected(tag, "BAD [TOOBIG] Literal too large", !sync || !authed);
            }
            if (sync) {
                out.raw("+ Ready for literal data").crlf();
                out.flush();
            }
            cmd.write('\r');
            cmd.write('\n');
            byte[] data = new byte[(int) size];
            reader.readFully(data, 0, data.length);
            cmd.write(data);
        }
    }

    /**
     * The literal announced at the end of a line: {size, 1 for synchronizing / 0 for LITERAL+}, size
     * -1 when it exceeds 2^32-1; null when the line does not end with one.
     */
    static long[] literalAt(byte[] line) {
        int i = line.length - 1;
        if (i < 2 || line[i] != '}') return null;
        i--;
        boolean sync = true;
        if (line[i] == '+') {
            sync = false;
            i--;
        }
        int end = i;
        while (i >= 0 && line[i] >= '0' && line[i] <= '9') i--;
        if (i < 0 || i == end || line[i] != '{') return null;
        String digits = new String(line, i + 1, end - i, StandardCharsets.US_ASCII);
        long size = digits.length() > 10 ? -1 : Long.parseLong(digits);
        if (size > 4_294_967_295L) size = -1;
        return new long[] {size, sync ? 1 : 0};
    }
}
