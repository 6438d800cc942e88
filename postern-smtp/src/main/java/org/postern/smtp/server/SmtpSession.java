// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSession;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.core.MailAddress;
import org.postern.net.Connection;
import org.postern.net.LineReader;
import org.postern.net.TlsContext;
import org.postern.smtp.wire.BodyType;
import org.postern.smtp.wire.MailParameters;
import org.postern.smtp.wire.RcptParameters;
import org.postern.smtp.wire.SmtpCommand;
import org.postern.smtp.wire.SmtpCommandParser;
import org.postern.smtp.wire.SmtpReply;
import org.postern.store.Account;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP session from greeting to close, as the RFC 5321 §4.1.4 state machine: greeted, EHLO/HELO
 * seen, transaction (MAIL, RCPT*, DATA). STARTTLS (RFC 3207) and AUTH (RFC 4954) are in
 * {@link AuthHandler} and here; the data section in {@link DataReader}.
 *
 * <p>Replies are buffered and flushed when the client has nothing more buffered (RFC 2920 §3.2:
 * responses to a pipelined group may go out together), and always after DATA, QUIT and STARTTLS.
 */
final class SmtpSession {
    private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SmtpServer server;
    private final SmtpConfig config;
    private final MailIntake intake;
    private final SaslMechanisms sasl;
    private final TlsContext tls;
    final Connection connection;
    private final String id = newId();
    private final Instant connectedAt = Instant.now();
    private final long deadlineNanos;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Between reading a command and flushing its reply; shutdown then must not write (no interleaving). */
    private volatile boolean busy;

    private String helo;
    private boolean esmtp;
    private Account account;
    private Transaction transaction;
    private int errors;
    private int tooLongLines;
    private boolean ended;

    /** MAIL FROM seen; recipients keyed by their look-up form so duplicates count once. */
    private static final class Transaction {
        final MailAddress from;
        final MailParameters params;
        final Map<String, MailAddress> recipients = new LinkedHashMap<>();
        final Map<String, RcptParameters> rcptParams = new LinkedHashMap<>();

        Transaction(MailAddress from, MailParameters params) {
            this.from = from;
            this.params = params;
        }
    }

    SmtpSession(SmtpServer server, SmtpConfig config, MailIntake intake, SaslMechanisms sasl, TlsContext tls,
            Connection connection) {
        this.server = server;
        this.config = config;
        this.intake = intake;
        this.sasl = sasl;
        this.tls = tls;
        this.connection = connection;
        this.deadlineNanos = System.nanoTime() + config.maxSessionDuration().toNanos();
    }

    void run() throws IOException {
        connection.setReadTimeout(config.idleTimeout());
        if (config.mode() == SmtpConfig.Mode.MX && config.preGreetingDelay().toMillis() > 0 && talksFirst()) {
            reply(SmtpReply.of(554, "5.5.1", "Protocol error: talked before greeting"));
            flush();
            return;
        }
        writeRaw("220 " + config.hostname() + " ESMTP Postern");
        flushIdle();
        LineReader in = connection.in();
        while (!ended) {
            SmtpCommand command = readCommand();
            if (command == null) return;
            handle(command);
            if (in.buffered() == 0 || ended) flushIdle();
        }
    }

    /**
     * Reads and parses the next command line; null when the session is over (the closing reply, if
     * any, is already written). Also used between BDAT chunks by {@link ChunkReader}.
     */
    SmtpCommand readCommand() throws IOException {
        LineReader in = connection.in();
        byte[] line;
        try {
            line = in.readLine(SmtpCommandParser.MAX_AUTH_LINE);
        } catch (SocketTimeoutException e) {
            end(SmtpReply.of(421, "4.4.2", config.hostname() + " Error: timeout exceeded"));
            return null;
        }
        busy = true;
        if (line == null || connection.isClosed()) {
            ended = true;
            return null;
        }
        if (server.isShuttingDown()) {
            end(SmtpReply.of(421, "4.3.2", config.hostname() + " Service shutting down"));
            return null;
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            end(SmtpReply.of(421, "4.4.2", config.hostname() + " Error: session too long"));
            return null;
        }
        if (in.problem() == LineReader.Problem.BARE_LF) {
            // RFC 5321 §2.3.8: only CRLF ends a line. Whatever follows a bare LF is not a command
            // this server may run (a parser differential with the peer that sent it, HOSTILE A07),
            // and there is no safe place to resume, so the session ends, as Postfix's
            // smtpd_forbid_bare_newline does.
            end(SmtpReply.of(521, "5.5.2", config.hostname() + " Error: bare <LF> received"));
            return null;
        }
        return switch (in.problem()) {
            case TOO_LONG -> new SmtpCommand.Invalid(SmtpReply.LINE_TOO_LONG);
            case BARE_LF, BARE_CR -> new SmtpCommand.Invalid(SmtpReply.BARE_CR_LF); // bare CR: the whole line is one bad command
            case NONE -> SmtpCommandParser.parse(line);
        };
    }

    /** HOSTILE A14 (Postfix postscreen "pregreet"): a client that talks first is not a real MTA. */
    private boolean talksFirst() throws IOException {
        connection.setReadTimeout(config.preGreetingDelay());
        try {
            connection.in().readFully(new byte[1], 0, 1);
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (EOFException e) {
            return true;
        } finally {
            connection.setReadTimeout(config.idleTimeout());
        }
    }

    private void handle(SmtpCommand command) throws IOException {
        switch (command) {
            case SmtpCommand.Ehlo e -> hello(e.domain(), true);
            case SmtpCommand.Helo h -> hello(h.domain(), false);
            case SmtpCommand.Mail m -> mail(m);
            case SmtpCommand.Rcpt r -> rcpt(r);
            case SmtpCommand.Data d -> data();
            case SmtpCommand.Bdat b -> bdat(b);
            case SmtpCommand.Rset r -> {
                transaction = null;
                reply(SmtpReply.of(250, "2.0.0", "Ok"));
            }
            case SmtpCommand.Noop n -> reply(SmtpReply.of(250, "2.0.0", "Ok"));
            case SmtpCommand.Quit q -> end(SmtpReply.of(221, "2.0.0", config.hostname() + " Bye"));
            // RFC 5321 §3.5.3: 252 when the server will not verify; no address harvesting (HOSTILE).
            case SmtpCommand.Vrfy v -> reply(SmtpReply.of(252, "2.5.0",
                    "Cannot VRFY user, but will accept message and attempt delivery"));
            case SmtpCommand.Expn x -> reply(SmtpReply.of(252, "2.5.0",
                    "Cannot EXPN list, but will accept message and attempt delivery"));
            case SmtpCommand.Help h -> reply(SmtpReply.of(214, "2.0.0",
                    "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH; see RFC 5321"));
            case SmtpCommand.StartTls s -> startTls();
            case SmtpCommand.Auth a -> new AuthHandler(this, sasl).auth(a);
            case SmtpCommand.NotImplemented n -> reply(SmtpReply.NOT_IMPLEMENTED);
            case SmtpCommand.Invalid i -> {
                reply(i.reply());
                if (i.reply() == SmtpReply.LINE_TOO_LONG && ++tooLongLines >= config.maxTooLongLines()) {
                    end(SmtpReply.of(421, "4.7.0", config.hostname() + " Too many long lines, closing connection"));
                }
            }
        }
    }

    /** RFC 5321 §4.1.1.1; an EHLO/HELO also ends any transaction, like RSET (§4.1.4). */
    private void hello(String name, boolean extended) {
        helo = name;
        esmtp = extended;
        transaction = null;
        String first = config.hostname() + " Hello " + name;
        if (!extended) {
            reply(new SmtpReply(250, null, List.of(first)));
            return;
        }
        List<String> lines = new ArrayList<>();
        lines.add(first);
        lines.add("PIPELINING");
        lines.add("SIZE " + config.maxMessageSize());
        lines.add("8BITMIME");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("SMTPUTF8");
        lines.add("CHUNKING"); // RFC 3030
        lines.add("BINARYMIME");
        lines.add("DSN"); // RFC 3461
        if (config.offersFutureRelease()) lines.add(futureRelease(Instant.now()));
        if (tls != null && !connection.isSecure()) lines.add("STARTTLS");
        if (connection.isSecure()) lines.add("REQUIRETLS"); // RFC 8689 §2: only once TLS protects the session
        if (authOffered()) lines.add("AUTH " + String.join(" ", org.postern.auth.sasl.SaslMechanisms.NAMES));
        reply(new SmtpReply(250, null, lines));
    }

    /** RFC 4865 §3: "FUTURERELEASE" max-future-release-interval max-future-release-date-time. */
    private String futureRelease(Instant now) {
        Instant latest = now.plus(config.maxFutureRelease()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return "FUTURERELEASE " + config.maxFutureRelease().toSeconds() + " " + latest;
    }

    private boolean tooLate(MailParameters p) {
        Instant now = Instant.now();
        Instant latest = now.plus(config.maxFutureRelease());
        return p.holdFor() != null ? p.holdFor().compareTo(config.maxFutureRelease()) > 0 : p.holdUntil().isAfter(latest);
    }

    boolean authOffered() {
        return sasl != null && (config.mode().isSubmission() || config.authOnMx())
                && (connection.isSecure() || config.allowPlaintextAuth() && config.mode().isSubmission());
    }

    /** AUTH would be offered once TLS is active (RFC 4954 §4: 538 then). */
    boolean authNeedsTls() {
        return sasl != null && !connection.isSecure() && tls != null
                && (config.mode().isSubmission() || config.authOnMx());
    }

    private void mail(SmtpCommand.Mail m) {
        if (helo == null) {
            reply(SmtpReply.of(503, "5.5.1", "Send EHLO or HELO first"));
        } else if (transaction != null) {
            reply(SmtpReply.of(503, "5.5.1", "Sender already specified"));
        } else if (config.mode().isSubmission() && account == null) {
            reply(SmtpReply.of(530, "5.7.0", "Authentication required")); // RFC 4954 §6
        } else if (!esmtp && !m.params().isEmpty()) {
            reply(SmtpReply.of(555, "5.5.4", "MAIL parameters need EHLO"));
        } else if (m.params().requireTls() && !connection.isSecure()) {
            reply(SmtpReply.of(530, "5.7.10", "REQUIRETLS needs a TLS session")); // RFC 8689 §4
        } else if (m.params().held() && !config.offersFutureRelease()) {
            reply(SmtpReply.of(555, "5.5.4", "Unsupported parameter " + (m.params().holdFor() != null ? "HOLDFOR" : "HOLDUNTIL")));
        } else if (m.params().held() && tooLate(m.params())) {
            // RFC 4865 §3: a release later than the advertised maximum is refused.
            reply(SmtpReply.of(501, "5.5.4", "Release time beyond the maximum of " + config.maxFutureRelease().toSeconds()
                    + " seconds"));
        } else if (m.params().size() > config.maxMessageSize()) {
            reply(SmtpReply.of(552, "5.3.4", "Message size exceeds fixed maximum message size")); // RFC 1870 §6.1
        } else if (m.from() != null && !m.params().smtpUtf8() && !isAscii(m.from())) {
            reply(SmtpReply.of(553, "5.6.7", "Non-ASCII address requires SMTPUTF8")); // RFC 6531 §3.5
        } else {
            SenderDecision decision;
            try {
                decision = intake.sender(info(), m.from());
            } catch (RuntimeException e) {
                log.warn("session {}: sender check failed", id, e);
                reply(SmtpReply.of(451, "4.3.0", "Temporary failure, please try again later"));
                return;
            }
            switch (decision) {
                case SenderDecision.Accept a -> {
                    // HOLDFOR counts from now; the queue keeps the absolute release time.
                    transaction = new Transaction(m.from(), m.params().held() ? m.params().released(Instant.now()) : m.params());
                    reply(SmtpReply.of(250, "2.1.0", "Ok"));
                }
                case SenderDecision.Reject r -> reply(r.reply());
            }
        }
    }

    private void rcpt(SmtpCommand.Rcpt r) {
        if (transaction == null) {
            reply(SmtpReply.of(503, "5.5.1", "Need MAIL command"));
            return;
        }
        MailAddress to = r.postmaster() ? new MailAddress("postmaster", config.hostname()) : r.to();
        if (transaction.recipients.containsKey(to.key())) {
            reply(SmtpReply.of(250, "2.1.5", "Ok"));
            return;
        }
        if (transaction.recipients.size() >= config.maxRecipients()) {
            reply(SmtpReply.of(452, "4.5.3", "Too many recipients")); // RFC 5321 §4.5.3.1.10
            return;
        }
        if (!transaction.params.smtpUtf8() && !isAscii(to)) {
            reply(SmtpReply.of(553, "5.6.7", "Non-ASCII address requires SMTPUTF8"));
            return;
        }
        RecipientDecision decision;
        try {
            decision = intake.recipient(info(), to, Math.max(0, transaction.params.size()));
        } catch (RuntimeException e) {
            log.warn("session {}: recipient check failed", id, e);
            reply(SmtpReply.of(451, "4.3.0", "Temporary failure, please try again later"));
            return;
        }
        switch (decision) {
            case RecipientDecision.Accept a -> {
                transaction.recipients.put(to.key(), to);
                transaction.rcptParams.put(to.key(), r.params());
                reply(SmtpReply.of(250, "2.1.5", "Ok"));
            }
            case RecipientDecision.Reject j -> reply(j.reply());
        }
    }

    /** RFC 5321 §4.1.1.4, §6.1: 250 only once the intake says the message is durable. */
    private void data() throws IOException {
        if (transaction == null) {
            reply(SmtpReply.of(503, "5.5.1", "Need MAIL command"));
            return;
        }
        if (transaction.recipients.isEmpty()) {
            reply(SmtpReply.of(554, "5.5.1", "No valid recipients"));
            return;
        }
        if (transaction.params.body() == BodyType.BINARY_MIME) {
            // RFC 3030 §3: BINARYMIME cannot be used with DATA.
            reply(SmtpReply.of(503, "5.5.1", "BODY=BINARYMIME requires BDAT"));
            return;
        }
        writeRaw("354 End data with <CR><LF>.<CR><LF>");
        flush();
        Envelope envelope = envelope();
        transaction = null;
        DataReader source = new DataReader(connection.in(), config.maxMessageSize(), deadlineNanos);
        SmtpReply outcome;
        try {
            Receipt receipt = intake.accept(info(), envelope, source);
            outcome = source.finished() && source.problem() == DataReader.Problem.NONE
                    ? SmtpReply.of(250, "2.0.0", "Ok: queued as " + receipt.id())
                    : temporaryFailure("intake returned before reading the message", null);
        } catch (IntakeException e) {
            outcome = e.reply();
        } catch (IOException e) {
            if (source.clientFailed()) throw e;
            outcome = temporaryFailure("intake failed", e);
        } catch (RuntimeException e) {
            if (source.clientFailed()) throw e;
            outcome = temporaryFailure("intake failed", e);
        }
        try {
            source.drain();
        } catch (DataReader.SessionExpiredException e) {
            end(SmtpReply.of(421, "4.4.2", config.hostname() + " Error: session too long"));
            return;
        }
        reply(outcome);
        flush();
    }

    private Envelope envelope() {
        return new Envelope(transaction.from, transaction.params, List.copyOf(transaction.recipients.values()),
                List.copyOf(transaction.rcptParams.values()));
    }

    /**
     * RFC 3030 §2. The chunk data follows the command whatever we answer, so every path reads (or
     * discards) exactly {@code size} octets or ends the session; 250 for BDAT LAST only once the
     * intake says the message is durable (RFC 5321 §6.1).
     */
    private void bdat(SmtpCommand.Bdat b) throws IOException {
        if (b.size() < 0) {
            end(SmtpReply.of(501, "5.5.4", "Syntax: BDAT size [LAST]; closing connection"));
            return;
        }
        // RFC 3030 §2: BDAT only after CHUNKING was advertised, i.e. after EHLO.
        SmtpReply refusal = !esmtp ? SmtpReply.of(503, "5.5.1", "BDAT needs EHLO")
                : transaction == null ? SmtpReply.of(503, "5.5.1", "Need MAIL command")
                : transaction.recipients.isEmpty() ? SmtpReply.of(503, "5.5.1", "Need RCPT command") : null;
        if (refusal != null) {
            if (b.size() > config.maxMessageSize()) {
                end(SmtpReply.of(552, "5.3.4", "Message size exceeds fixed maximum message size"));
                return;
            }
            discard(b.size());
            transaction = null;
            reply(refusal);
            return;
        }
        Envelope envelope = envelope();
        transaction = null;
        ChunkReader source = new ChunkReader(this, connection.in(), config.maxMessageSize(),
                envelope.params().body() == BodyType.BINARY_MIME, b, deadlineNanos);
        SmtpReply outcome;
        try {
            if (!source.started() && b.size() > config.maxMessageSize()) {
                end(SmtpReply.of(552, "5.3.4", "Message size exceeds fixed maximum message size"));
                return;
            }
            Receipt receipt = intake.accept(info(), envelope, source);
            outcome = source.finished() && source.problem() == DataReader.Problem.NONE
                    ? SmtpReply.of(250, "2.0.0", "Ok: queued as " + receipt.id())
                    : temporaryFailure("intake returned before reading the message", null);
        } catch (IntakeException e) {
            outcome = e.reply();
        } catch (IOException | RuntimeException e) {
            if (source.endSession() != null) {
                end(source.endSession());
                return;
            }
            if (source.interruptedBy() != null) {
                interrupted(source.interruptedBy());
                return;
            }
            if (source.clientFailed()) throw e;
            outcome = temporaryFailure("intake failed", e);
        }
        if (!source.started()) discard(b.size()); // the intake failed before reading: skip the chunk
        reply(outcome);
        flush();
    }

    /** A command other than BDAT between chunks ended the transaction (RFC 3030 §2: state indeterminate). */
    private void interrupted(SmtpCommand c) throws IOException {
        switch (c) {
            case SmtpCommand.Rset r -> handle(r);
            case SmtpCommand.Quit q -> handle(q);
            case SmtpCommand.Ehlo e -> handle(e);
            case SmtpCommand.Helo h -> handle(h);
            case SmtpCommand.Bdat b -> handle(b); // malformed: ends the session
            default -> reply(SmtpReply.of(503, "5.5.1", "Bad sequence of commands: BDAT transaction aborted"));
        }
    }

    /** Reads and drops {@code n} octets of chunk data, within the session's deadline. */
    private void discard(long n) throws IOException {
        byte[] buf = new byte[8192];
        long left = n;
        while (left > 0) {
            int len = (int) Math.min(buf.length, left);
            connection.in().readFully(buf, 0, len);
            left -= len;
            if (System.nanoTime() - deadlineNanos > 0) throw new DataReader.SessionExpiredException();
        }
    }

    /** Flushes buffered replies when the client has sent nothing more (RFC 2920 §3.2). */
    void flushIfIdle() throws IOException {
        if (connection.in().buffered() == 0) flush();
    }

    private SmtpReply temporaryFailure(String what, Exception e) {
        log.warn("session {}: {}", id, what, e);
        return SmtpReply.of(451, "4.3.0", "Temporary failure, please try again later");
    }

    /** RFC 3207 §4, §4.2; HOSTILE A01, A05. */
    private void startTls() throws IOException {
        if (tls == null) {
            reply(SmtpReply.of(454, "4.7.0", "TLS not available"));
            return;
        }
        if (connection.isSecure()) {
            reply(SmtpReply.of(503, "5.5.1", "TLS already active"));
            return;
        }
        reply(SmtpReply.of(220, "2.0.0", "Ready to start TLS"));
        writeLock.lock();
        try {
            connection.setReadTimeout(config.tlsHandshakeTimeout());
            // Flushes the 220, then drops every byte pipelined after STARTTLS (CVE-2011-0411).
            connection.startTls(tls);
            connection.setReadTimeout(config.idleTimeout());
        } catch (IOException e) {
            log.debug("session {}: TLS handshake failed: {}", id, e.toString());
            ended = true;
            return;
        } finally {
            writeLock.unlock();
        }
        // RFC 3207 §4.2: discard any knowledge obtained from the client; EHLO must come again.
        helo = null;
        esmtp = false;
        account = null;
        transaction = null;
    }

    SessionInfo info() {
        SSLSession s = connection.tlsSession();
        return new SessionInfo(id, config.mode(), connection.remoteAddress(), helo, esmtp,
                s == null ? null : s.getProtocol(), s == null ? null : s.getCipherSuite(), account, connectedAt);
    }

    // State AuthHandler reads and sets.
    boolean greetedWithEhlo() {
        return helo != null && esmtp;
    }

    boolean inTransaction() {
        return transaction != null;
    }

    Account account() {
        return account;
    }

    void authenticated(Account a) {
        account = a;
    }

    String id() {
        return id;
    }

    private static boolean isAscii(MailAddress a) {
        String s = a.localPart() + a.domain();
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
        return true;
    }

    /** Buffers a reply; counts protocol errors and ends the session after too many (HOSTILE limits). */
    void reply(SmtpReply r) {
        writeRaw(r.render());
        if (r.code() >= 500 && ++errors >= config.maxErrors() && !ended) {
            end(SmtpReply.of(421, "4.7.0", config.hostname() + " Too many errors, closing connection"));
        }
    }

    void end(SmtpReply r) {
        writeRaw(r.render());
        ended = true;
    }

    /** Writes one or more complete lines (with CRLF), or a single line given without one. */
    void writeRaw(String text) {
        writeLock.lock();
        try {
            byte[] b = (text.endsWith("\r\n") ? text : text + "\r\n").getBytes(StandardCharsets.UTF_8);
            connection.out().write(b);
        } catch (IOException e) {
            // The peer is gone; the next read or flush ends the session.
            ended = true;
        } finally {
            writeLock.unlock();
        }
    }

    void flush() throws IOException {
        writeLock.lock();
        try {
            connection.flush();
        } finally {
            writeLock.unlock();
        }
    }

    /** Flushes the replies of a command group; the session then only waits for the client. */
    private void flushIdle() throws IOException {
        writeLock.lock();
        try {
            busy = false;
            connection.flush();
        } finally {
            writeLock.unlock();
        }
    }

    /** Says 421 when the session waits for a command (else a write would interleave), then closes. */
    void goodbye() {
        boolean locked = false;
        try {
            locked = writeLock.tryLock(200, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (locked) {
            try {
                if (!busy) {
                    connection.out().write(("421 4.3.2 " + config.hostname() + " Service shutting down\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    connection.flush();
                }
            } catch (IOException ignored) {
                // best effort
            } finally {
                writeLock.unlock();
            }
        }
        connection.close();
    }

    private static String newId() {
        char[] alphabet = "0123456789BCDFGHJKLMNPQRSTVWXYZ".toCharArray();
        char[] out = new char[12];
        for (int i = 0; i < out.length; i++) out[i] = alphabet[RANDOM.nextInt(alphabet.length)];
        return new String(out);
    }
}
