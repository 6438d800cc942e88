// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.postern.auth.AuthResult;
import org.postern.auth.sasl.SaslMechanism;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.auth.sasl.SaslStep;
import org.postern.net.Connection;
import org.postern.net.LineReader;
import org.postern.net.TlsContext;
import org.postern.pop3.wire.Pop3Command;
import org.postern.pop3.wire.Pop3Parser;
import org.postern.store.Account;
import org.postern.store.ChangeEvent;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import org.postern.store.MailboxSnapshot;
import org.postern.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One POP3 connection from greeting to close: the AUTHORIZATION state here (RFC 1939 §4, RFC 2595
 * §4, RFC 5034), the TRANSACTION and UPDATE states in {@link TransactionHandler}.
 *
 * <p>Replies are flushed only when the client has nothing more pipelined (RFC 2449 §6.6), so a
 * pipelining client gets its answers in one write.
 */
final class Pop3Session {
    private static final Logger log = LoggerFactory.getLogger(Pop3Session.class);
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);
    /** SCRAM needs two rounds, PLAIN and LOGIN fewer; more is a client looping. */
    private static final int MAX_SASL_ROUNDS = 5;
    /** Ends sessions that stay in AUTHORIZATION state past {@link Pop3Config#loginDeadline()}. */
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pop3-login-deadline");
        t.setDaemon(true);
        return t;
    });

    private final Pop3Config config;
    private final MailStore store;
    private final SaslMechanisms sasl;
    private final TlsContext tls;
    private final Connection conn;
    /** Held while a command runs, so shutdown's goodbye never lands inside a reply. */
    private final ReentrantLock io = new ReentrantLock();
    private volatile boolean closing;
    /** Guarded by {@link #io}. */
    private boolean saidGoodbye;

    private int errors;
    private String pendingUser;
    private MaildropLocks.Lock lock;
    private AutoCloseable subscription;
    /** Null in AUTHORIZATION state; read by the login deadline thread. */
    private volatile TransactionHandler transaction;
    /** RFC 6856 §2: the client sent UTF8, so messages go out without header downgrade. */
    private boolean utf8;
    private ScheduledFuture<?> loginDeadline;

    Pop3Session(Pop3Config config, MailStore store, SaslMechanisms sasl, TlsContext tls, Connection conn) {
        this.config = config;
        this.store = store;
        this.sasl = sasl;
        this.tls = tls;
        this.conn = conn;
    }

    void run() throws IOException {
        try {
            conn.setReadTimeout(config.loginIdleTimeout());
            loginDeadline = DEADLINES.schedule(this::loginExpired, config.loginDeadline().toMillis(),
                    TimeUnit.MILLISECONDS);
            io.lock();
            try {
                // RFC 1939 §4: no APOP timestamp, since APOP is not offered.
                conn.writeLine("+OK Postern POP3 server ready");
                conn.flush();
            } finally {
                io.unlock();
            }
            while (true) {
                if (closing) {
                    shutdownGoodbye();
                    return;
                }
                byte[] line;
                try {
                    line = conn.in().readLine(Pop3Parser.MAX_LINE);
                } catch (SocketTimeoutException e) {
                    // RFC 1939 §3: autologout; the UPDATE state is not entered.
                    goodbye("-ERR Autologout: idle for too long");
                    return;
                }
                if (line == null) return;
                io.lock();
                try {
                    if (closing) {
                        shutdownGoodbye();
                        return;
                    }
                    boolean more = step(line, conn.in().problem());
                    if (!more || conn.in().buffered() == 0) conn.flush();
                    if (!more) return;
                } finally {
                    io.unlock();
                }
            }
        } finally {
            end();
        }
    }

    /**
     * Ends the session from another thread: a goodbye unless a command is still running after a
     * second (a slow reader of a large RETR), then close.
     */
    void shutdown() {
        closing = true;
        boolean locked = false;
        try {
            locked = io.tryLock(1, TimeUnit.SECONDS);
            if (locked) shutdownGoodbye();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (locked) {
                io.unlock();
                conn.close();
            } else {
                // A RETR is blocked writing to a client that stopped reading (HOSTILE A47). Closing a TLS
                // socket sends close_notify, which waits for that write: on another thread, so shutdown
                // never hangs on a stalled client. The session ends once the client goes or times out.
                Thread.ofVirtual().name("pop3-close").start(conn::close);
            }
        }
    }

    /**
     * Runs on the deadline thread when the AUTHORIZATION state lasted too long: a slowloris, or a
     * client that never logs in. Says goodbye unless a command is still running after a second (a
     * SASL exchange the client never finishes), then closes.
     */
    private void loginExpired() {
        boolean locked = false;
        try {
            locked = io.tryLock(1, TimeUnit.SECONDS);
            if (transaction != null) return;
            if (locked && !saidGoodbye) {
                saidGoodbye = true;
                goodbye("-ERR Autologout: login took too long");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (locked) io.unlock();
        }
        if (transaction == null) conn.close();
    }

    /**
     * Under {@link #io}: whichever of the session thread and the shutting-down thread gets here first
     * says goodbye, before either closes the connection.
     */
    private void shutdownGoodbye() {
        if (saidGoodbye) return;
        saidGoodbye = true;
        goodbye("-ERR [SYS/TEMP] Server shutting down");
    }

    private void goodbye(String line) {
        try {
            conn.writeLine(line);
            conn.flush();
        } catch (IOException ignored) {
            // The client is gone already.
        }
    }

    private void end() {
        if (loginDeadline != null) loginDeadline.cancel(false);
        if (transaction != null) transaction.saveSeen();
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                log.debug("pop3: closing change subscription failed: {}", e.toString());
            }
        }
        if (lock != null) lock.close();
    }

    /** Runs one command line; false when the session ends. */
    private boolean step(byte[] line, LineReader.Problem problem) throws IOException {
        Pop3Command cmd = switch (problem) {
            case NONE -> Pop3Parser.parse(line);
            case TOO_LONG -> new Pop3Command.Invalid("Command line too long");
            case BARE_LF -> new Pop3Command.Invalid("Lines must end with CRLF");
            case BARE_CR -> new Pop3Command.Invalid("Invalid characters in command");
        };
        try {
            boolean more = transaction == null ? authorization(cmd) : transaction.execute(cmd);
            errors = 0;
            return more;
        } catch (Pop3Error e) {
            if (++errors >= config.maxErrors()) {
                conn.writeLine("-ERR Too many errors, closing connection");
                return false;
            }
            conn.writeLine(e.reply());
            return true;
        }
    }

    private boolean authorization(Pop3Command cmd) throws Pop3Error, IOException {
        switch (cmd) {
            case Pop3Command.Capa c -> multiline("+OK Capability list follows",
                    Capabilities.lines(null, 0, loginAllowed(), stlsAvailable()));
            case Pop3Command.Stls s -> stls();
            case Pop3Command.User u -> {
                requireLoginAllowed();
                pendingUser = u.name();
                // The same answer for every name: USER must not tell which accounts exist.
                conn.writeLine("+OK Send PASS");
            }
            case Pop3Command.Pass p -> pass(p);
            case Pop3Command.Auth a -> {
                requireLoginAllowed();
                pendingUser = null;
                authenticate(a);
            }
            case Pop3Command.AuthList a -> {
                requireLoginAllowed();
                multiline("+OK Mechanisms follow", SaslMechanisms.NAMES);
            }
            case Pop3Command.Utf8 u -> {
                utf8 = true;
                conn.writeLine("+OK UTF8 enabled");
            }
            case Pop3Command.Quit q -> {
                conn.writeLine("+OK Postern POP3 server signing off");
                return false;
            }
            case Pop3Command.Invalid i -> throw new Pop3Error(i.reply());
            // RFC 1939 §4: only USER, PASS, APOP, QUIT (and CAPA, STLS, AUTH) before login.
            default -> throw new Pop3Error("Not logged in");
        }
        return true;
    }

    private boolean loginAllowed() {
        return conn.isSecure() || config.allowPlaintextAuth();
    }

    private boolean stlsAvailable() {
        return tls != null && !conn.isSecure();
    }

    private void requireLoginAllowed() throws Pop3Error {
        // RFC 8314 §3, RFC 2595 §2.2: no credentials over a plaintext connection.
        if (!loginAllowed()) throw new Pop3Error(Pop3Error.AUTH, "TLS required: use STLS first");
    }

    private void stls() throws Pop3Error, IOException {
        // RFC 2595 §4: -ERR once a security layer is active.
        if (conn.isSecure()) throw new Pop3Error("Command not permitted when TLS active");
        if (tls == null) throw new Pop3Error("STLS not available");
        conn.writeLine("+OK Begin TLS negotiation");
        conn.setReadTimeout(HANDSHAKE_TIMEOUT);
        // Flushes the +OK, discards anything pipelined after STLS, then handshakes (CVE-2011-0411).
        conn.startTls(tls);
        conn.setReadTimeout(config.loginIdleTimeout());
        pendingUser = null;
    }

    private void pass(Pop3Command.Pass p) throws Pop3Error, IOException {
        requireLoginAllowed();
        if (pendingUser == null) throw new Pop3Error("Send USER first");
        String user = pendingUser;
        pendingUser = null;
        AuthResult r = sasl.authenticator().authenticate(user, p.password(), conn.remoteAddress());
        if (!(r instanceof AuthResult.Success s)) {
            // Failure and Throttled read the same: a guesser learns nothing.
            throw new Pop3Error(Pop3Error.AUTH, "Authentication failed");
        }
        login(s.account());
    }

    private void authenticate(Pop3Command.Auth a) throws Pop3Error, IOException {
        SaslMechanism m = sasl.create(a.mechanism(), conn.remoteAddress())
                .orElseThrow(() -> new Pop3Error("Unsupported authentication mechanism"));
        byte[] initial = null;
        if (a.initialResponse() != null) {
            if (!(Pop3Parser.decodeInitialResponse(a.initialResponse()) instanceof Pop3Parser.SaslResponse.Data d)) {
                throw new Pop3Error("Invalid base64 in initial response");
            }
            initial = d.bytes();
        }
        SaslStep step = m.start(initial);
        for (int round = 0;; round++) {
            switch (step) {
                case SaslStep.Success s -> {
                    login(s.account());
                    return;
                }
                case SaslStep.Failure f -> throw f.malformed()
                        ? new Pop3Error("Malformed authentication exchange")
                        : new Pop3Error(Pop3Error.AUTH, "Authentication failed");
                case SaslStep.Challenge c -> {
                    if (round >= MAX_SASL_ROUNDS) throw new Pop3Error("Authentication exchange too long");
                    // RFC 5034 §4: "+" SP base64 (empty for an empty challenge).
                    conn.writeLine("+ " + Base64.getEncoder().encodeToString(c.data()));
                    conn.flush();
                    byte[] line = conn.in().readLine(Pop3Parser.MAX_SASL_LINE);
                    if (line == null) throw new EOFException("client left during AUTH");
                    if (conn.in().problem() != LineReader.Problem.NONE) {
                        throw new Pop3Error("Invalid authentication response");
                    }
                    switch (Pop3Parser.parseSaslResponse(line)) {
                        case Pop3Parser.SaslResponse.Cancel x -> throw new Pop3Error("Authentication cancelled");
                        case Pop3Parser.SaslResponse.Malformed x -> throw new Pop3Error("Invalid base64 in response");
                        case Pop3Parser.SaslResponse.Data d -> step = m.next(d.bytes());
                    }
                }
            }
        }
    }

    /** Locks and opens the maildrop (RFC 1939 §4: "+OK maildrop locked and ready"). */
    private void login(Account account) throws Pop3Error, IOException {
        MaildropLocks.Lock l = MaildropLocks.tryAcquire(store, account.id());
        // RFC 2449 §8.1.2; the session stays in AUTHORIZATION state and may try again.
        if (l == null) throw new Pop3Error(Pop3Error.IN_USE, "Mailbox locked by another session");
        // RFC 2449 §8.1.1; checked once the credentials are good, so it reveals nothing to a guesser.
        if (!LoginDelay.tryLogin(store, account, Instant.now())) {
            l.close();
            throw new Pop3Error(Pop3Error.LOGIN_DELAY, "Logged in too recently, try again later");
        }
        Maildrop maildrop;
        try {
            Mailbox inbox = store.mailboxes().find(account.id(), Mailbox.INBOX)
                    .orElseThrow(() -> new Pop3Error(Pop3Error.SYS_PERM, "The account has no INBOX"));
            MailboxSnapshot snapshot = store.mailboxes().snapshot(account.id(), inbox.id());
            maildrop = Maildrop.of(snapshot, store.blobs(), WireSizes.SHARED, utf8);
            subscription = store.changes().subscribe(account.id(), this::onChange);
        } catch (Pop3Error e) {
            l.close();
            throw e;
        } catch (StoreException e) {
            l.close();
            log.warn("pop3: opening the maildrop of {} failed: {}", account.address(), e.toString());
            throw new Pop3Error(Pop3Error.SYS_TEMP, "Mailbox unavailable, try again later");
        }
        lock = l;
        Retention retention = Retention.ofSetting(account.setting(Retention.SETTING, "keep"));
        transaction = new TransactionHandler(store, account, maildrop, retention, conn);
        loginDeadline.cancel(false);
        conn.setReadTimeout(config.idleTimeout());
        // No octet count: it would mean reading every message now (RFC 1939 §4 asks for none).
        conn.writeLine("+OK Logged in, " + maildrop.count() + " messages");
    }

    /** Runs on the notifier thread: only closing the connection is safe from here. */
    private void onChange(ChangeEvent e) {
        // The account was deleted or its password changed: the session must end (store contract).
        // Closing makes the session thread's read fail, which ends the session without UPDATE.
        if (e.kind() == ChangeEvent.Kind.ACCOUNT) conn.close();
    }

    private void multiline(String first, List<String> lines) throws IOException {
        conn.writeLine(first);
        for (String l : lines) conn.writeLine(l);
        conn.writeLine(".");
    }
}
