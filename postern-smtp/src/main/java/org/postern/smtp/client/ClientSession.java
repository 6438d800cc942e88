// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.postern.net.LineReader;
import org.postern.smtp.wire.Xtext;

/**
 * One SMTP session with one host (RFC 5321 §3, §4.1): greeting, EHLO, optional STARTTLS, then
 * transactions of at most {@link #MAX_RCPT_PER_TRANSACTION} recipients, then QUIT.
 */
final class ClientSession implements AutoCloseable {
    /** RFC 5321 §4.5.3.1.8: servers must take 100 recipients; more go into the next transaction. */
    static final int MAX_RCPT_PER_TRANSACTION = 100;

    private final SmtpClientConfig config;
    private final String host;
    private Socket socket;
    private LineReader in;
    private OutputStream out;
    private Map<String, String> extensions = Map.of();
    private boolean tls;
    private boolean authenticated;

    ClientSession(Socket socket, String host, SmtpClientConfig config) throws IOException {
        this.socket = socket;
        this.host = host;
        this.config = config;
        this.in = new LineReader(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream(), 65536);
    }

    boolean isTls() {
        return tls;
    }

    /**
     * Greeting, EHLO (HELO when EHLO is refused, §4.1.1.1), STARTTLS when wanted and offered. With
     * {@code verified} TLS is required and the certificate must be PKIX-valid for the host name
     * (RFC 8461 §4.2, RFC 8689 §4.2.1); a failure there is a host failure with status 5.7.10.
     */
    void open(boolean tryTls, boolean verified) throws HostFailure {
        ClientReply greeting = read(config.commandTimeout());
        if (greeting.code() != 220) throw HostFailure.reply("greeting", greeting);
        hello();
        boolean want = verified || tryTls && config.tls() == TlsPolicy.OPPORTUNISTIC;
        if (want && extensions.containsKey("STARTTLS")) {
            ClientReply r = command("STARTTLS");
            // RFC 3207 §4: anything but 220 and the session goes on in plaintext (opportunistic).
            if (r.code() == 220) {
                // A reply already buffered after the 220 was injected before TLS started.
                if (in.buffered() > 0) throw HostFailure.local("plaintext data after STARTTLS 220 from " + host);
                startTls(verified);
                hello(); // RFC 3207 §4.2: the server forgot us; so do we.
            } else if (verified) {
                throw new HostFailure(host + " refused STARTTLS: " + r.summary(), "5.7.10", false, false, true);
            }
        } else if (verified) {
            throw new HostFailure(host + " does not offer STARTTLS", "5.7.10", false, false, false);
        }
    }

    boolean offers(String extension) {
        return extensions.containsKey(extension);
    }

    private void hello() throws HostFailure {
        ClientReply r = command("EHLO " + config.heloName());
        if (r.code() == 250) {
            Map<String, String> ext = new LinkedHashMap<>();
            for (String line : ReplyParser.extensions(r)) {
                int sp = line.indexOf(' ');
                String key = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
                ext.put(key, sp < 0 ? "" : line.substring(sp + 1).strip());
            }
            extensions = ext;
            return;
        }
        if (r.code() >= 500 && r.code() != 554) {
            ClientReply h = command("HELO " + config.heloName());
            if (h.code() == 250) {
                extensions = Map.of();
                return;
            }
            throw HostFailure.reply("HELO", h);
        }
        throw HostFailure.reply("EHLO", r);
    }

    private void startTls(boolean verified) throws HostFailure {
        try {
            handshake(verified ? config.verifiedTls() : OPPORTUNISTIC, verified);
        } catch (IOException e) {
            if (verified) {
                throw new HostFailure("no valid TLS with " + host + ": " + e.getMessage(), "5.7.10", false, false, false);
            }
            throw new HostFailure("TLS handshake with " + host + " failed: " + e.getMessage(), "4.7.0", false, true, false);
        }
    }

    private void handshake(SSLContext context, boolean checkName) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(socket, host, socket.getPort(), true);
        s.setUseClientMode(true);
        if (checkName) {
            // RFC 6125 DNS-ID check against the MX host name (RFC 8461 §4.2; RFC 8689 §4.2.1 step 4).
            javax.net.ssl.SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            // TLS server_name carries host names only, never IP literals (a smarthost may be given as one).
            if (!isIpLiteral(host)) p.setServerNames(List.of(new javax.net.ssl.SNIHostName(host)));
            s.setSSLParameters(p);
        }
        s.setSoTimeout((int) config.commandTimeout().toMillis());
        s.startHandshake();
        socket = s;
        in.switchTo(s.getInputStream());
        out = new BufferedOutputStream(s.getOutputStream(), 65536);
        tls = true;
    }

    private static boolean isIpLiteral(String name) {
        return name.indexOf(':') >= 0 || name.matches("[0-9.]+");
    }

    /**
     * Opens a session with a smarthost: TLS from the first byte (RFC 8314 §3.3) or by STARTTLS, which
     * then must be offered and must succeed; then AUTH when credentials are set. Nothing falls back to
     * plaintext, and every failure is temporary (4.7.0): the mail waits in the queue, so a relay that
     * loses its TLS, or an attacker who strips STARTTLS, gets neither the password nor the mail.
     */
    void openSmarthost(Smarthost relay) throws HostFailure {
        if (relay.implicitTls()) smarthostTls(relay);
        ClientReply greeting = read(config.commandTimeout());
        if (greeting.code() != 220) throw HostFailure.reply("greeting", greeting);
        hello();
        if (!relay.implicitTls()) {
            if (!extensions.containsKey("STARTTLS")) {
                throw new HostFailure("smarthost " + host + " does not offer STARTTLS; not sending in plaintext",
                        "4.7.0", false, false, false);
            }
            ClientReply r = command("STARTTLS");
            if (r.code() != 220) {
                throw new HostFailure("smarthost " + host + " refused STARTTLS: " + r.summary(), "4.7.0", false, false, true);
            }
            // RFC 3207 §4.2 (CVE-2011-0411): a reply already buffered after the 220 was injected.
            if (in.buffered() > 0) throw HostFailure.local("plaintext data after STARTTLS 220 from " + host);
            smarthostTls(relay);
            hello(); // RFC 3207 §4.2: forget what was learned before TLS
        }
        if (relay.authenticates()) authenticate(relay);
    }

    private void smarthostTls(Smarthost relay) throws HostFailure {
        try {
            handshake(relay.verifyTls() ? config.verifiedTls() : OPPORTUNISTIC, relay.verifyTls());
        } catch (IOException e) {
            throw new HostFailure("no " + (relay.verifyTls() ? "valid " : "") + "TLS with smarthost " + host + ": "
                    + e.getMessage(), "4.7.0", false, false, false);
        }
    }

    /** RFC 4954 §4: PLAIN (RFC 4616) when offered, else LOGIN; only ever inside TLS. */
    private void authenticate(Smarthost relay) throws HostFailure {
        if (!tls) throw HostFailure.local("refusing to send credentials to " + host + " without TLS");
        java.util.Set<String> offered = new java.util.HashSet<>();
        for (Map.Entry<String, String> e : extensions.entrySet()) {
            // "AUTH PLAIN LOGIN", and the pre-RFC "AUTH=LOGIN PLAIN" some relays still send
            if (e.getKey().equals("AUTH")) offered.addAll(List.of(e.getValue().toUpperCase(Locale.ROOT).split("\\s+")));
            if (e.getKey().startsWith("AUTH=")) {
                offered.add(e.getKey().substring(5));
                offered.addAll(List.of(e.getValue().toUpperCase(Locale.ROOT).split("\\s+")));
            }
        }
        ClientReply r;
        if (offered.contains("PLAIN")) {
            // RFC 4616 §2: [authzid] NUL authcid NUL passwd; no authzid, the relay derives it.
            r = command("AUTH PLAIN " + base64("\0" + relay.user() + "\0" + relay.password()));
        } else if (offered.contains("LOGIN")) {
            r = command("AUTH LOGIN");
            if (r.code() == 334) r = command(base64(relay.user()));
            if (r.code() == 334) r = command(base64(relay.password()));
        } else {
            throw new HostFailure("smarthost " + host + " offers neither AUTH PLAIN nor AUTH LOGIN", "4.7.0", false,
                    false, false);
        }
        if (r.code() != 235) {
            if (r.code() == 334) command("*"); // RFC 4954 §4: cancel an exchange that wants more
            throw new HostFailure("smarthost " + host + " refused the login of " + relay.user() + ": " + r.summary(),
                    r.status().isEmpty() ? "4.7.8" : r.status(), false, false, true);
        }
        authenticated = true;
    }

    private static String base64(String s) {
        return java.util.Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    boolean isAuthenticated() {
        return authenticated;
    }

    /** The results of one envelope; recipients the caller must retry have TEMPORARY. */
    List<RecipientResult> send(OutboundMessage m, MessageFramer.Content scan) throws HostFailure {
        if (m.needsSmtpUtf8() && !extensions.containsKey("SMTPUTF8")) {
            // RFC 6531 §3.2: no downgrade of addresses; the message cannot be sent to this host.
            return all(m.recipients(), RecipientResult.Outcome.PERMANENT, "5.6.7",
                    host + " does not support SMTPUTF8, needed for a non-ASCII address", false);
        }
        if (scan.eightBit() && !extensions.containsKey("8BITMIME")) {
            // RFC 6152 §3: without 8BITMIME the client must convert or return the message.
            return all(m.recipients(), RecipientResult.Outcome.PERMANENT, "5.6.3",
                    host + " does not support 8BITMIME and the message has 8-bit content", false);
        }
        if (m.options().requireTls() && !m.mailFrom().isEmpty() && !extensions.containsKey("REQUIRETLS")) {
            // RFC 8689 §4.2.1 step 5: QUIT, try the next host; none left means a bounce with 5.7.30.
            quit();
            throw new HostFailure(host + " does not support REQUIRETLS", "5.7.30", false, false, false);
        }
        if (m.options().binary() && !(extensions.containsKey("CHUNKING") && extensions.containsKey("BINARYMIME"))) {
            // RFC 3030 §3: a binary body cannot go to a server without BINARYMIME; Postern does not convert.
            return all(m.recipients(), RecipientResult.Outcome.PERMANENT, "5.6.3",
                    host + " does not support BINARYMIME, needed for this message", false);
        }
        long limit = sizeLimit();
        if (limit > 0 && scan.bytes() > limit) {
            // RFC 1870 §6: the message is larger than the server's fixed maximum.
            return all(m.recipients(), RecipientResult.Outcome.PERMANENT, "5.3.4",
                    "message size " + scan.bytes() + " exceeds the limit of " + host + " (" + limit + ")", false);
        }
        List<RecipientResult> results = new ArrayList<>();
        List<String> rcpts = m.recipients();
        for (int i = 0; i < rcpts.size(); i += MAX_RCPT_PER_TRANSACTION) {
            List<String> batch = rcpts.subList(i, Math.min(rcpts.size(), i + MAX_RCPT_PER_TRANSACTION));
            results.addAll(transaction(m, batch, scan));
        }
        return results;
    }

    private long sizeLimit() {
        String v = extensions.get("SIZE");
        if (v == null || v.isEmpty()) return 0;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private List<RecipientResult> transaction(OutboundMessage m, List<String> rcpts, MessageFramer.Content scan)
            throws HostFailure {
        StringBuilder mail = new StringBuilder("MAIL FROM:<").append(m.mailFrom()).append('>');
        if (extensions.containsKey("SIZE")) mail.append(" SIZE=").append(scan.bytes());
        if (m.options().binary()) mail.append(" BODY=BINARYMIME");
        else if (scan.eightBit()) mail.append(" BODY=8BITMIME");
        if (m.needsSmtpUtf8()) mail.append(" SMTPUTF8");
        boolean dsn = extensions.containsKey("DSN");
        OutboundMessage.Options o = m.options();
        // RFC 3461 §5.2.2: the parameters go on only to a next hop that takes them.
        if (dsn && o.ret() != null) mail.append(" RET=").append(o.ret().name());
        if (dsn && o.envId() != null) mail.append(" ENVID=").append(Xtext.encode(o.envId()));
        if (o.requireTls() && extensions.containsKey("REQUIRETLS")) mail.append(" REQUIRETLS");
        List<String> rcptLines = new ArrayList<>();
        for (String r : rcpts) rcptLines.add("RCPT TO:<" + r + ">" + (dsn ? rcptParameters(o.of(r)) : ""));
        boolean pipelining = extensions.containsKey("PIPELINING") && !o.binary();
        List<ClientReply> rcptReplies = new ArrayList<>();
        ClientReply mailReply;
        ClientReply dataReply;
        if (pipelining) {
            // RFC 2920 §3.1: MAIL, every RCPT and DATA go out together; replies come back in order.
            write(mail.toString());
            for (String r : rcptLines) write(r);
            write("DATA");
            flush();
            mailReply = read(config.commandTimeout());
            for (int i = 0; i < rcpts.size(); i++) rcptReplies.add(read(config.commandTimeout()));
            dataReply = read(config.commandTimeout());
        } else {
            mailReply = command(mail.toString());
            if (!mailReply.positive()) return mailFailed(rcpts, mailReply);
            for (String r : rcptLines) rcptReplies.add(command(r));
            if (o.binary()) return binaryData(m, rcpts, rcptReplies, dsn);
            dataReply = rcptReplies.stream().anyMatch(ClientReply::positive) ? command("DATA") : null;
        }
        if (!mailReply.positive()) {
            if (dataReply != null && dataReply.code() == 354) endEmptyData();
            return mailFailed(rcpts, mailReply);
        }
        List<String> accepted = new ArrayList<>();
        Map<String, RecipientResult> results = new LinkedHashMap<>();
        for (int i = 0; i < rcpts.size(); i++) {
            ClientReply r = rcptReplies.get(i);
            if (r.positive()) {
                accepted.add(rcpts.get(i));
            } else {
                results.put(rcpts.get(i), result(rcpts.get(i), r));
            }
        }
        if (accepted.isEmpty()) {
            // RFC 2920 §3.1: a 354 after every RCPT failed still needs its data section ended.
            if (dataReply != null && dataReply.code() == 354) endEmptyData();
            return List.copyOf(results.values());
        }
        if (dataReply.code() != 354) {
            for (String r : accepted) results.put(r, result(r, dataReply));
            return order(rcpts, results);
        }
        ClientReply end;
        try (InputStream body = m.content().open()) {
            MessageFramer.frame(body, out);
            out.flush();
        } catch (IOException e) {
            // Either the stored message or the connection failed mid-data: the server has not
            // accepted anything (no final "."), so nothing was delivered.
            throw HostFailure.local("sending data to " + host + " failed: " + e.getMessage());
        }
        try {
            end = read(config.dataEndTimeout());
        } catch (HostFailure f) {
            // RFC 1047: the server may have accepted the message while we lost its reply; retrying
            // can duplicate it, which is better than losing it.
            throw f;
        }
        for (String r : accepted) results.put(r, result(r, end, dsn));
        return order(rcpts, results);
    }

    /** RFC 3461 §4.1, §4.2 parameters as sent on, or "". */
    private static String rcptParameters(org.postern.smtp.wire.RcptParameters p) {
        StringBuilder sb = new StringBuilder();
        if (p.notifyKeyword() != null) sb.append(" NOTIFY=").append(p.notifyKeyword());
        if (p.orcpt() != null && p.orcpt().chars().allMatch(c -> c < 0x80)) {
            sb.append(" ORCPT=").append(p.orcptType()).append(';').append(Xtext.encode(p.orcpt()));
        }
        return sb.toString();
    }

    /** RFC 3030 §3: a BINARYMIME body goes in one BDAT LAST chunk, octet for octet. */
    private List<RecipientResult> binaryData(OutboundMessage m, List<String> rcpts, List<ClientReply> rcptReplies,
            boolean dsn) throws HostFailure {
        Map<String, RecipientResult> results = new LinkedHashMap<>();
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < rcpts.size(); i++) {
            if (rcptReplies.get(i).positive()) accepted.add(rcpts.get(i));
            else results.put(rcpts.get(i), result(rcpts.get(i), rcptReplies.get(i)));
        }
        if (accepted.isEmpty()) return order(rcpts, results);
        long size;
        try (InputStream body = m.content().open()) {
            size = MessageFramer.raw(body, OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw HostFailure.local("cannot read the stored message: " + e.getMessage());
        }
        write("BDAT " + size + " LAST");
        try (InputStream body = m.content().open()) {
            MessageFramer.raw(body, out);
            out.flush();
        } catch (IOException e) {
            throw HostFailure.local("sending data to " + host + " failed: " + e.getMessage());
        }
        ClientReply end = read(config.dataEndTimeout());
        for (String r : accepted) results.put(r, result(r, end, dsn));
        return order(rcpts, results);
    }

    private void endEmptyData() throws HostFailure {
        write(".");
        flush();
        read(config.commandTimeout());
    }

    private List<RecipientResult> mailFailed(List<String> rcpts, ClientReply r) throws HostFailure {
        if (r.temporary()) throw HostFailure.reply("MAIL FROM", r);
        List<RecipientResult> out = new ArrayList<>();
        for (String rcpt : rcpts) out.add(result(rcpt, r));
        return out;
    }

    private RecipientResult result(String rcpt, ClientReply r) {
        return result(rcpt, r, false);
    }

    private RecipientResult result(String rcpt, ClientReply r, boolean nextHopDsn) {
        RecipientResult.Outcome o = r.code() < 300 ? RecipientResult.Outcome.DELIVERED
                : r.code() < 500 ? RecipientResult.Outcome.TEMPORARY : RecipientResult.Outcome.PERMANENT;
        return new RecipientResult(rcpt, o, r.status(), r.summary(), host, true, nextHopDsn);
    }

    private static List<RecipientResult> order(List<String> rcpts, Map<String, RecipientResult> results) {
        List<RecipientResult> out = new ArrayList<>();
        for (String r : rcpts) out.add(results.get(r));
        return out;
    }

    private List<RecipientResult> all(List<String> rcpts, RecipientResult.Outcome o, String status, String why,
            boolean remote) {
        List<RecipientResult> out = new ArrayList<>();
        for (String r : rcpts) out.add(new RecipientResult(r, o, status, why, host, remote));
        return out;
    }

    void quit() {
        try {
            command("QUIT");
        } catch (HostFailure ignored) {
            // the messages are settled; a rude close costs nothing
        }
    }

    private ClientReply command(String line) throws HostFailure {
        write(line);
        flush();
        return read(config.commandTimeout());
    }

    private void write(String line) throws HostFailure {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\r' || c == '\n') throw HostFailure.local("refusing to send a command with CR or LF");
        }
        try {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw HostFailure.local("connection to " + host + " failed: " + e.getMessage());
        }
    }

    private void flush() throws HostFailure {
        try {
            out.flush();
        } catch (IOException e) {
            throw HostFailure.local("connection to " + host + " failed: " + e.getMessage());
        }
    }

    private ClientReply read(Duration timeout) throws HostFailure {
        List<ReplyParser.Line> lines = new ArrayList<>();
        try {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            while (true) {
                byte[] raw = in.readLine(ReplyParser.MAX_LINE);
                if (raw == null) throw HostFailure.local(host + " closed the connection");
                ReplyParser.Line l = ReplyParser.line(raw);
                lines.add(l);
                if (!l.more()) break;
                if (lines.size() >= ReplyParser.MAX_LINES) throw HostFailure.local(host + " sent an endless reply");
            }
            return ReplyParser.reply(lines);
        } catch (SocketTimeoutException e) {
            throw HostFailure.local("timeout waiting for " + host);
        } catch (IOException e) {
            throw HostFailure.local("connection to " + host + " failed: " + e.getMessage());
        } catch (ReplyParser.Malformed e) {
            throw HostFailure.local(host + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }

    /** Opportunistic TLS trusts any certificate (see {@link TlsPolicy#OPPORTUNISTIC}). */
    private static final SSLContext OPPORTUNISTIC = trustAll();

    private static SSLContext trustAll() {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JVM", e);
        }
    }
}
