// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.postern.server.config.Service;

/**
 * Speaks just enough of each protocol to check one port the way a client meets it: connect, read the
 * greeting, look at the capabilities before TLS (STARTTLS offered, no password mechanism offered),
 * bring TLS up, and look again. Every read is bounded in length, line count and time; anything odd
 * becomes a {@link Finding}, never an exception.
 */
public final class PortProbe {
    public enum Level { OK, WARN, FAIL }

    public record Finding(Level level, String text) {}

    /** What one port showed; {@code chain} is empty when TLS never came up. */
    record Result(Service service, int port, List<Finding> findings, List<X509Certificate> chain) {
        boolean failed() {
            return findings.stream().anyMatch(f -> f.level() == Level.FAIL);
        }
    }

    private static final int MAX_LINE = 8192;
    private static final int MAX_LINES = 200;

    private final String address;
    private final String name;
    private final Duration timeout;
    private final boolean plaintextAuthAllowed;

    /**
     * @param address where to connect
     * @param name the host name clients use, sent as SNI
     */
    PortProbe(String address, String name, Duration timeout, boolean plaintextAuthAllowed) {
        this.address = address;
        this.name = name;
        this.timeout = timeout;
        this.plaintextAuthAllowed = plaintextAuthAllowed;
    }

    Result probe(Service s, int port) {
        Session session = new Session(s, port);
        try {
            session.connect();
            switch (s) {
                case SMTP, SUBMISSION -> session.smtpStartTls(s == Service.SUBMISSION);
                case SUBMISSIONS -> session.smtpImplicit();
                case IMAP -> session.imapStartTls();
                case IMAPS -> session.imapImplicit();
                case POP3 -> session.pop3StartTls();
                case POP3S -> session.pop3Implicit();
                case HTTPS -> session.https();
                case HTTP -> session.httpRedirect();
            }
        } catch (ConnectException e) {
            session.fail(refused(s, port));
        } catch (SocketTimeoutException e) {
            session.fail(session.connected
                    ? "no answer within " + timeout.toSeconds() + "s after connecting: the program on port " + port
                    + " is not " + s.protocol() + ", or it hangs"
                    : "no answer within " + timeout.toSeconds() + "s: a firewall probably drops connections to port " + port
                    + "; open it (e.g. `ufw allow " + port + "/tcp`, or the cloud provider's security group)");
        } catch (NoRouteToHostException e) {
            session.fail("no route to " + address + ": the address is wrong or a firewall rejects port " + port);
        } catch (SSLException e) {
            session.fail("TLS failed on port " + port + ": " + oneLine(e.getMessage())
                    + (s.implicitTls() ? " (is something else than Postern listening there?)" : ""));
        } catch (IOException e) {
            session.fail("port " + port + ": " + oneLine(e.getMessage() == null ? e.toString() : e.getMessage()));
        } catch (ProtocolProblem e) {
            session.fail(e.getMessage());
        } finally {
            session.close();
        }
        return new Result(s, port, List.copyOf(session.findings), session.chain);
    }

    static String refused(Service s, int port) {
        String who = s == Service.SMTP ? "is Postern running? Is another MTA (Postfix, Exim, Sendmail) running instead?"
                : "is Postern running?";
        return "port " + port + " refused: nothing listens there; " + who + " `ss -ltnp 'sport = :" + port + "'` shows who holds it";
    }

    private static String oneLine(String s) {
        if (s == null) return "";
        String l = s.replaceAll("[\\r\\n]+", " ").strip();
        return l.length() > 200 ? l.substring(0, 197) + "..." : l;
    }

    /** A reply that is not what the protocol promises; its message is the finding. */
    private static final class ProtocolProblem extends Exception {
        ProtocolProblem(String message) {
            super(message, null, false, false);
        }
    }

    private final class Session {
        final Service service;
        final int port;
        final List<Finding> findings = new ArrayList<>();
        List<X509Certificate> chain = List.of();
        Socket socket;
        InputStream in;
        OutputStream out;
        boolean connected;

        Session(Service service, int port) {
            this.service = service;
            this.port = port;
        }

        void ok(String text) {
            findings.add(new Finding(Level.OK, text));
        }

        void warn(String text) {
            findings.add(new Finding(Level.WARN, text));
        }

        void fail(String text) {
            findings.add(new Finding(Level.FAIL, text));
        }

        void connect() throws IOException {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            connected = true;
            use(s);
            if (service.implicitTls() || service == Service.HTTPS) tls();
        }

        void use(Socket s) throws IOException {
            socket = s;
            in = s.getInputStream();
            out = s.getOutputStream();
        }

        void tls() throws IOException {
            SSLSocket ssl = (SSLSocket) inspectingContext().getSocketFactory().createSocket(socket, address, port, true);
            SSLParameters p = ssl.getSSLParameters();
            if (!name.matches("[0-9.]+|.*:.*")) p.setServerNames(List.of(new SNIHostName(name)));
            p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            ssl.setSSLParameters(p);
            ssl.setUseClientMode(true);
            ssl.startHandshake();
            List<X509Certificate> certs = new ArrayList<>();
            for (Certificate c : ssl.getSession().getPeerCertificates()) {
                if (c instanceof X509Certificate x) certs.add(x);
            }
            chain = List.copyOf(certs);
            ok("TLS " + ssl.getSession().getProtocol() + " with " + ssl.getSession().getCipherSuite());
            use(ssl);
        }

        void send(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        String line() throws IOException, ProtocolProblem {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (true) {
                int c = in.read();
                if (c < 0) {
                    if (b.size() == 0) throw new ProtocolProblem("port " + port + " closed the connection unexpectedly");
                    break;
                }
                if (c == '\n') break;
                if (b.size() >= MAX_LINE) throw new ProtocolProblem("port " + port + " sent a line longer than " + MAX_LINE + " octets");
                b.write(c);
            }
            String s = b.toString(StandardCharsets.UTF_8);
            return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }

        /** An SMTP reply (RFC 5321 §4.2): lines "NNN-..." then "NNN ...". */
        List<String> smtpReply(String expectCode, String what) throws IOException, ProtocolProblem {
            List<String> lines = new ArrayList<>();
            while (lines.size() < MAX_LINES) {
                String l = line();
                lines.add(l);
                if (l.length() < 4 || l.charAt(3) != '-') break;
            }
            String last = lines.get(lines.size() - 1);
            if (!last.startsWith(expectCode)) throw new ProtocolProblem(what + " on port " + port + " was '" + oneLine(last)
                    + "', expected " + expectCode);
            return lines;
        }

        List<String> ehloKeywords() throws IOException, ProtocolProblem {
            send("EHLO doctor.postern.invalid");
            List<String> kw = new ArrayList<>();
            for (String l : smtpReply("250", "the EHLO reply")) {
                if (l.length() > 4) kw.add(l.substring(4).strip().toUpperCase(Locale.ROOT));
            }
            return kw;
        }

        void smtpStartTls(boolean submission) throws IOException, ProtocolProblem {
            List<String> greeting = smtpReply("220", "the greeting");
            ok("greeting: " + oneLine(greeting.get(0)));
            List<String> before = ehloKeywords();
            if (before.stream().noneMatch(k -> k.equals("STARTTLS"))) {
                fail("STARTTLS is not offered on port " + port + ": " + (submission ? "clients cannot protect passwords"
                        : "other servers will send mail to us unencrypted") + "; is this port served by Postern?");
                return;
            }
            ok("STARTTLS offered");
            if (before.stream().anyMatch(k -> k.startsWith("AUTH")) && !plaintextAuthAllowed) {
                fail("AUTH is offered before TLS on port " + port + ": passwords could cross the network readable; "
                        + "set allow_plaintext_auth = false in postern.conf");
            }
            send("STARTTLS");
            smtpReply("220", "the STARTTLS reply");
            tls();
            List<String> after = ehloKeywords();
            if (submission && after.stream().noneMatch(k -> k.startsWith("AUTH"))) {
                fail("AUTH is not offered after STARTTLS on port " + port + ": mail clients cannot log in to send");
            } else if (submission) {
                ok("AUTH offered after TLS only");
            }
            send("QUIT");
        }

        void smtpImplicit() throws IOException, ProtocolProblem {
            ok("greeting: " + oneLine(smtpReply("220", "the greeting").get(0)));
            if (ehloKeywords().stream().noneMatch(k -> k.startsWith("AUTH"))) {
                fail("AUTH is not offered on port " + port + ": mail clients cannot log in to send");
            } else {
                ok("AUTH offered");
            }
            send("QUIT");
        }

        /** RFC 9051 §7.2.2: capabilities, from "* CAPABILITY ..." before the tagged OK. */
        List<String> imapCapabilities(String tag) throws IOException, ProtocolProblem {
            send(tag + " CAPABILITY");
            List<String> caps = new ArrayList<>();
            for (int i = 0; i < MAX_LINES; i++) {
                String l = line();
                if (l.toUpperCase(Locale.ROOT).startsWith("* CAPABILITY ")) {
                    for (String c : l.substring(13).split(" ")) caps.add(c.toUpperCase(Locale.ROOT));
                } else if (l.startsWith(tag + " ")) {
                    if (!l.startsWith(tag + " OK")) throw new ProtocolProblem("CAPABILITY on port " + port + " failed: " + oneLine(l));
                    return caps;
                }
            }
            throw new ProtocolProblem("no end to the CAPABILITY reply on port " + port);
        }

        void imapGreeting() throws IOException, ProtocolProblem {
            String g = line();
            if (g.startsWith("* PREAUTH")) throw new ProtocolProblem("port " + port + " logs everyone in without a password (PREAUTH)");
            if (!g.startsWith("* OK")) throw new ProtocolProblem("the greeting on port " + port + " was '" + oneLine(g) + "', expected * OK");
            ok("greeting: " + oneLine(g));
        }

        void imapStartTls() throws IOException, ProtocolProblem {
            imapGreeting();
            List<String> before = imapCapabilities("a");
            if (!before.contains("STARTTLS")) {
                fail("STARTTLS is not offered on port " + port + ": clients cannot protect passwords");
                return;
            }
            ok("STARTTLS offered");
            // RFC 9051 §6.2.3 and RFC 8314 §3: no password before TLS.
            if (!plaintextAuthAllowed && (!before.contains("LOGINDISABLED")
                    || before.stream().anyMatch(c -> c.equals("AUTH=PLAIN") || c.equals("AUTH=LOGIN")))) {
                fail("port " + port + " accepts a password before TLS (no LOGINDISABLED): set allow_plaintext_auth = false");
            }
            send("b STARTTLS");
            for (int i = 0; ; i++) {
                String l = line();
                if (l.startsWith("b ")) {
                    if (!l.startsWith("b OK")) throw new ProtocolProblem("STARTTLS on port " + port + " was refused: " + oneLine(l));
                    break;
                }
                if (i > MAX_LINES) throw new ProtocolProblem("no answer to STARTTLS on port " + port);
            }
            tls();
            List<String> after = imapCapabilities("c");
            if (after.contains("LOGINDISABLED") || after.stream().noneMatch(c -> c.startsWith("AUTH="))) {
                fail("port " + port + " still refuses logins after STARTTLS");
            } else {
                ok("login offered after TLS only");
            }
            send("d LOGOUT");
        }

        void imapImplicit() throws IOException, ProtocolProblem {
            imapGreeting();
            if (imapCapabilities("a").contains("LOGINDISABLED")) fail("port " + port + " refuses logins even over TLS");
            send("b LOGOUT");
        }

        /** RFC 2449 §5: CAPA, a multi-line reply ended by ".". */
        List<String> pop3Capa() throws IOException, ProtocolProblem {
            send("CAPA");
            String first = line();
            if (!first.startsWith("+OK")) throw new ProtocolProblem("CAPA on port " + port + " failed: " + oneLine(first));
            List<String> caps = new ArrayList<>();
            for (int i = 0; i < MAX_LINES; i++) {
                String l = line();
                if (l.equals(".")) return caps;
                caps.add(l.toUpperCase(Locale.ROOT));
            }
            throw new ProtocolProblem("no end to the CAPA reply on port " + port);
        }

        void pop3Greeting() throws IOException, ProtocolProblem {
            String g = line();
            if (!g.startsWith("+OK")) throw new ProtocolProblem("the greeting on port " + port + " was '" + oneLine(g) + "', expected +OK");
            ok("greeting: " + oneLine(g));
        }

        void pop3StartTls() throws IOException, ProtocolProblem {
            pop3Greeting();
            List<String> before = pop3Capa();
            if (!before.contains("STLS")) {
                fail("STLS is not offered on port " + port + ": clients cannot protect passwords");
                return;
            }
            ok("STLS offered");
            if (!plaintextAuthAllowed && before.stream().anyMatch(c -> c.equals("USER") || c.startsWith("SASL"))) {
                fail("port " + port + " offers USER/SASL before TLS: set allow_plaintext_auth = false");
            }
            send("STLS");
            String r = line();
            if (!r.startsWith("+OK")) throw new ProtocolProblem("STLS on port " + port + " was refused: " + oneLine(r));
            tls();
            List<String> after = pop3Capa();
            if (after.stream().noneMatch(c -> c.equals("USER") || c.startsWith("SASL"))) {
                fail("port " + port + " offers no login after STLS");
            } else {
                ok("login offered after TLS only");
            }
            send("QUIT");
        }

        void pop3Implicit() throws IOException, ProtocolProblem {
            pop3Greeting();
            send("QUIT");
        }

        void https() throws IOException, ProtocolProblem {
            send("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: " + name + "\r\nConnection: close\r\n");
            String status = line();
            if (!status.startsWith("HTTP/1.1 ")) throw new ProtocolProblem("port " + port + " does not answer HTTP: '" + oneLine(status) + "'");
            ok("HTTP answers: " + oneLine(status));
        }

        /** RFC 6797 §7.2: plain HTTP only redirects to HTTPS (ACME http-01 validation follows it, RFC 8555 §8.3). */
        void httpRedirect() throws IOException, ProtocolProblem {
            send("GET /.well-known/acme-challenge/doctor-check-0000000000 HTTP/1.1\r\nHost: " + name + "\r\nConnection: close\r\n");
            String status = line();
            if (!status.matches("HTTP/1\\.[01] 30[12378] .*")) {
                throw new ProtocolProblem("port " + port + " does not redirect to HTTPS: '" + oneLine(status) + "'");
            }
            ok("redirects to HTTPS: " + oneLine(status));
        }

        void close() {
            if (socket == null) return;
            try {
                socket.close();
            } catch (IOException ignored) {
                // a probe that is over
            }
        }
    }

    /**
     * Accepts any certificate during the handshake so the doctor can look at it and say what is
     * wrong with it ({@link CertificateReport}), instead of stopping at "handshake failed".
     */
    private static SSLContext inspectingContext() throws IOException {
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
            }}, new SecureRandom());
            return c;
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS is unavailable in this JVM: " + e.getMessage(), e);
        }
    }
}
