// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.postern.jmap.Ids;

/**
 * What one warm-up round does, as real clients do it, over loopback to the throwaway server: an IMAPS
 * session of the requests a desktop client sends on a large mailbox (RFC 9051 SELECT, UID FETCH of flags,
 * FETCH ENVELOPE BODYSTRUCTURE, SEARCH; RFC 5256 SORT), the webmail's login and first list (the same JMAP
 * calls as its list.js and reader.js, RFC 8621 Email/query and Email/get with previews) and message
 * renders, and one SMTP delivery (RFC 5321) so the next round's requests see a changed mailbox.
 *
 * <p>Every read has a timeout and a size bound: a broken throwaway server ends the warm-up, never hangs it.
 */
final class WarmupSessions {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** More than a round's largest response (FETCH 1:* of a few thousand messages); a bound, not a buffer. */
    private static final long MAX_RESPONSE = 64L << 20;
    private static final Pattern CSRF = Pattern.compile("\"csrfToken\"\\s*:\\s*\"([^\"]+)\"");
    private static final String LIST_PROPS = "[\"id\",\"threadId\",\"mailboxIds\",\"keywords\",\"from\",\"to\",\"subject\","
            + "\"receivedAt\",\"size\",\"preview\",\"hasAttachment\",\"blobId\"]";
    private static final String READ_PROPS = "[\"id\",\"blobId\",\"threadId\",\"mailboxIds\",\"keywords\",\"size\",\"receivedAt\","
            + "\"sentAt\",\"from\",\"sender\",\"to\",\"cc\",\"bcc\",\"replyTo\",\"subject\",\"hasAttachment\",\"attachments\","
            + "\"messageId\",\"inReplyTo\",\"references\",\"preview\",\"header:Authentication-Results:asText:all\"]";
    /** Fresh mailboxes per round whose first SORT loads their keys (see {@link #imap}). */
    private static final int COLD_COPIES = 8;
    private static final int WARM_SORTS = 10;
    private static final String USING = "[\"urn:ietf:params:jmap:core\",\"urn:ietf:params:jmap:mail\"]";

    private final String address;
    private final String password;
    private final SSLContext tls;
    private final HttpClient http;
    private final String web;
    private final int imapsPort;
    private final int smtpPort;

    WarmupSessions(String address, String password, SSLContext tls, int imapsPort, int httpsPort, int smtpPort) {
        this.address = address;
        this.password = password;
        this.tls = tls;
        this.imapsPort = imapsPort;
        this.smtpPort = smtpPort;
        // The self-signed certificate names localhost; the listeners are on 127.0.0.1, where Java resolves it.
        this.web = "https://localhost:" + httpsPort;
        this.http = HttpClient.newBuilder().sslContext(tls).connectTimeout(TIMEOUT).build();
    }

    /**
     * One round; {@code round} varies which messages are opened, so caches of rendered documents do not answer.
     * Rounds after the first copy the Inbox to a new mailbox and work there: the per-mailbox caches (SORT keys,
     * the mailbox index JMAP queries) start cold again, so their loading code, what a first request after a
     * restart runs, is exercised every round instead of once.
     */
    void round(int round, int messages, long accountId, java.util.function.ToLongFunction<String> mailboxId)
            throws IOException, InterruptedException {
        String mailbox = round == 0 ? "INBOX" : "Round" + round;
        imap(round, messages, mailbox);
        webmail(round, messages, accountId, mailboxId.applyAsLong(mailbox));
        // Once: each delivery logs a line at INFO (from the throwaway sender below) in the operator's log.
        if (round == 0) smtp(round);
    }

    void close() {
        http.close();
    }

    private void imap(int round, int messages, String mailbox) throws IOException {
        Socket raw = new Socket();
        raw.connect(new InetSocketAddress("127.0.0.1", imapsPort), (int) TIMEOUT.toMillis());
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, "localhost", imapsPort, true)) {
            s.setSoTimeout((int) TIMEOUT.toMillis());
            s.startHandshake();
            ImapConversation c = new ImapConversation(s.getInputStream(), s.getOutputStream());
            c.untagged();
            c.command("LOGIN \"" + address + "\" \"" + password + "\"");
            if (!mailbox.equals("INBOX")) {
                c.command("CREATE " + mailbox);
                c.command("SELECT INBOX");
                c.command("UID COPY 1:* " + mailbox);
            }
            c.command("SELECT " + mailbox);
            c.command("UID SORT (SUBJECT DATE) UTF-8 ALL");
            c.command("UID SORT (DATE) UTF-8 ALL");
            c.command("UID SORT (FROM) UTF-8 ALL");
            c.command("UID SORT (REVERSE ARRIVAL) UTF-8 ALL");
            c.command("UID FETCH 1:* (UID FLAGS)");
            int from = 1 + (round * 211) % Math.max(1, messages - 200);
            c.command("FETCH " + from + ":" + (from + 199) + " (UID RFC822.SIZE FLAGS INTERNALDATE ENVELOPE BODYSTRUCTURE)");
            c.command("FETCH " + from + ":" + (from + 49) + " (BODY.PEEK[HEADER.FIELDS (DATE FROM SUBJECT TO CC MESSAGE-ID REFERENCES)])");
            c.command("UID SEARCH BODY " + WarmupMessages.WORDS[1 + round % 8]);
            c.command("UID SEARCH SUBJECT " + WarmupMessages.WORDS[2 + round % 8]);
            c.command("UID SEARCH UNSEEN");
            for (int k = 0; k < 4; k++) c.command("UID FETCH " + (from + k * 7) + " (BODY.PEEK[] BODY.PEEK[1])");
            c.command("UID STORE " + from + " +FLAGS.SILENT (\\Flagged)");
            // A first SORT after a restart spends its time in loops over every message (loading the sort keys,
            // ranking, writing UIDs) that run once per request: on a small mailbox the JIT compiles them only
            // after many requests. PrintCompilation showed them still being OSR-compiled during the first real
            // SORT, so each round adds cold SORTs on a chain of fresh copies (a cache miss each) and repeats warm ones.
            for (int k = 0; k < COLD_COPIES; k++) {
                String copy = "Cold" + round + "x" + k;
                c.command("CREATE " + copy);
                c.command("UID COPY 1:* " + copy);
                c.command("EXAMINE " + copy);
                c.command("UID SORT (SUBJECT DATE) UTF-8 ALL");
                c.command("UID SORT (DATE) UTF-8 ALL");
                c.command("UID SORT (FROM) UTF-8 ALL");
            }
            for (int k = 0; k < WARM_SORTS; k++) {
                c.command("UID SORT (SUBJECT DATE) UTF-8 ALL");
                c.command("UID SORT (REVERSE DATE) UTF-8 ALL");
            }
            c.command("LOGOUT");
        }
    }

    private void webmail(int round, int messages, long accountId, long inboxId) throws IOException, InterruptedException {
        String login = "{\"username\":\"" + address + "\",\"password\":\"" + password + "\"}";
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(web + "/login")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(login)), null);
        String cookie = r.headers().allValues("set-cookie").stream().map(v -> v.split(";", 2)[0]).findFirst()
                .orElseThrow(() -> new IOException("warm-up login set no cookie: " + r.statusCode()));
        Matcher csrf = CSRF.matcher(r.body());
        if (!csrf.find()) throw new IOException("warm-up login answered no CSRF token");
        String token = csrf.group(1);
        send(HttpRequest.newBuilder(URI.create(web + "/webmail/prefetch")).header("X-CSRF-Token", token)
                .POST(HttpRequest.BodyPublishers.noBody()), cookie);
        send(HttpRequest.newBuilder(URI.create(web + "/.well-known/jmap")).GET(), cookie);
        String acc = Ids.account(accountId);
        String inbox = Ids.mailbox(inboxId);
        jmap(cookie, token, "[[\"Mailbox/get\",{\"accountId\":\"" + acc + "\",\"ids\":null},\"m\"]]");
        for (boolean collapse : new boolean[] {true, false}) {
            for (int page = 0; page < 2; page++) {
                jmap(cookie, token, "[[\"Email/query\",{\"accountId\":\"" + acc + "\",\"filter\":{\"inMailbox\":\"" + inbox
                        + "\"},\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":false}],\"collapseThreads\":" + collapse
                        + ",\"position\":" + (page * 100 + round * 100 % Math.max(1, messages - 200)) + ",\"limit\":100,"
                        + "\"calculateTotal\":true},\"q\"],[\"Email/get\",{\"accountId\":\"" + acc + "\",\"#ids\":{\"resultOf\":\"q\","
                        + "\"name\":\"Email/query\",\"path\":\"/ids\"},\"properties\":" + LIST_PROPS + "},\"g\"]]");
            }
        }
        jmap(cookie, token, "[[\"Email/query\",{\"accountId\":\"" + acc + "\",\"filter\":{\"inMailbox\":\"" + inbox
                + "\",\"text\":\"" + WarmupMessages.WORDS[3 + round % 8] + "\"},\"sort\":[{\"property\":\"receivedAt\","
                + "\"isAscending\":false}],\"limit\":100},\"q\"],[\"Email/get\",{\"accountId\":\"" + acc + "\",\"#ids\":{"
                + "\"resultOf\":\"q\",\"name\":\"Email/query\",\"path\":\"/ids\"},\"properties\":" + LIST_PROPS + "},\"g\"]]");
        for (int k = 0; k < 6; k++) {
            // One of each MIME shape WarmupMessages makes (i % 6), a different message every round.
            long uid = 1 + ((long) round * 6 * 7 + k * 7 + k) % messages;
            String email = Ids.email(inboxId, uid);
            jmap(cookie, token, "[[\"Email/get\",{\"accountId\":\"" + acc + "\",\"ids\":[\"" + email + "\"],\"properties\":[\"threadId\"]},\"e\"],"
                    + "[\"Thread/get\",{\"accountId\":\"" + acc + "\",\"#ids\":{\"resultOf\":\"e\",\"name\":\"Email/get\",\"path\":\"/list/*/threadId\"}},\"t\"],"
                    + "[\"Email/get\",{\"accountId\":\"" + acc + "\",\"#ids\":{\"resultOf\":\"t\",\"name\":\"Thread/get\",\"path\":\"/list/*/emailIds\"},"
                    + "\"properties\":" + READ_PROPS + "},\"g\"]]");
            send(HttpRequest.newBuilder(URI.create(web + "/webmail/message/" + acc + "/" + email + (k % 3 == 0 ? "?remote=1" : "")))
                    .GET(), cookie);
        }
        send(HttpRequest.newBuilder(URI.create(web + "/logout")).header("X-CSRF-Token", token)
                .POST(HttpRequest.BodyPublishers.noBody()), cookie);
    }

    private void jmap(String cookie, String token, String calls) throws IOException, InterruptedException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(web + "/jmap/api/"))
                .header("Content-Type", "application/json").header("X-CSRF-Token", token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"using\":" + USING + ",\"methodCalls\":" + calls + "}")), cookie);
        if (r.body().contains("\"error\"")) throw new IOException("warm-up JMAP call failed: " + shorten(r.body()));
    }

    private HttpResponse<String> send(HttpRequest.Builder b, String cookie) throws IOException, InterruptedException {
        if (cookie != null) b.header("Cookie", cookie);
        HttpRequest request = b.timeout(TIMEOUT).header("Accept", "application/json").build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IOException("warm-up " + request.method() + " " + request.uri().getPath() + ": " + r.statusCode() + " "
                    + shorten(r.body()));
        }
        return r;
    }

    private static String shorten(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }

    private void smtp(int round) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", smtpPort), (int) TIMEOUT.toMillis());
            s.setSoTimeout((int) TIMEOUT.toMillis());
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            reply(in, "220");
            for (String[] step : List.of(new String[] {"EHLO mx.example.com", "250"},
                    new String[] {"MAIL FROM:<" + address + "> SIZE=2000", "250"}, new String[] {"RCPT TO:<" + address + ">", "250"},
                    new String[] {"DATA", "354"})) {
                out.write((step[0] + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                reply(in, step[1]);
            }
            String message = new String(new WarmupMessages(round, address).message(round * 6 + 2), StandardCharsets.UTF_8);
            out.write(message.replace("\r\n.", "\r\n..").getBytes(StandardCharsets.UTF_8)); // RFC 5321 §4.5.2
            out.write(".\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            reply(in, "250");
            reply(in, "221");
        }
    }

    /** Reads one SMTP reply (its continuation lines too) and checks its code. */
    private static void reply(InputStream in, String code) throws IOException {
        while (true) {
            String line = Lines.read(in, 4096);
            if (line == null) throw new IOException("SMTP connection closed, expected " + code);
            if (!line.startsWith(code)) throw new IOException("SMTP: expected " + code + ", got " + shorten(line));
            if (line.length() < 4 || line.charAt(3) != '-') return;
        }
    }

    /** A client-side IMAP exchange: numbered tags, literals skipped by their announced length (RFC 9051 §4.3). */
    private static final class ImapConversation {
        private static final Pattern LITERAL = Pattern.compile("\\{(\\d{1,10})\\+?\\}$");
        private final InputStream in;
        private final OutputStream out;
        private int tag;

        ImapConversation(InputStream in, OutputStream out) {
            this.in = new BufferedInputStream(in, 65536);
            this.out = out;
        }

        /** The greeting. */
        void untagged() throws IOException {
            String line = Lines.read(in, 8192);
            if (line == null || !line.startsWith("* OK")) throw new IOException("IMAP greeting: " + line);
        }

        void command(String command) throws IOException {
            String t = "w" + (++tag);
            out.write((t + " " + command + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            long read = 0;
            while (true) {
                String line = Lines.read(in, 1 << 20);
                if (line == null) throw new IOException("IMAP connection closed after " + command);
                read += line.length();
                Matcher literal = LITERAL.matcher(line);
                if (literal.find()) {
                    long n = Long.parseLong(literal.group(1));
                    read += n;
                    if (read > MAX_RESPONSE) throw new IOException("IMAP response too large");
                    in.skipNBytes(n);
                    continue;
                }
                if (read > MAX_RESPONSE) throw new IOException("IMAP response too large");
                if (line.startsWith(t + " ")) {
                    if (!line.startsWith(t + " OK")) throw new IOException("IMAP " + command + ": " + shorten(line));
                    return;
                }
            }
        }
    }

    /** CRLF lines from a byte stream, bounded. */
    private static final class Lines {
        static String read(InputStream in, int max) throws IOException {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    int end = b.length() > 0 && b.charAt(b.length() - 1) == '\r' ? b.length() - 1 : b.length();
                    return b.substring(0, end);
                }
                if (b.length() >= max) throw new IOException("line longer than " + max);
                b.append((char) c);
            }
            return b.isEmpty() ? null : b.toString();
        }
    }
}
