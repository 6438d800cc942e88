// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.net.LineReader;

/**
 * Delivery through a smarthost against a scripted relay: TLS is required (implicit or STARTTLS),
 * the certificate is verified unless opted out, AUTH PLAIN or LOGIN happens only inside TLS, and
 * every refusal keeps the mail for later (TEMPORARY) without sending it.
 */
class SmarthostTest {
    @TempDir
    static Path pkiDir;

    static TestPki relayPki; // certificate for relay.test and localhost
    static TestPki stranger; // a certificate the client does not trust

    private final List<ScriptedRelay> relays = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void pki() throws Exception {
        relayPki = new TestPki(pkiDir, "relay.test");
        stranger = new TestPki(pkiDir, "stranger.test");
    }

    @AfterEach
    void stop() throws IOException {
        for (ScriptedRelay r : relays) r.close();
    }

    @Test
    void startTlsThenAuthPlainThenMail() throws Exception {
        ScriptedRelay relay = relay(relayPki.serverContext, false, "STARTTLS", "PIPELINING", "AUTH LOGIN PLAIN");
        List<RecipientResult> r = deliver(smarthost(relay, false, true));
        assertThat(r).extracting(RecipientResult::outcome).containsOnly(RecipientResult.Outcome.DELIVERED);
        assertThat(relay.commands()).containsSubsequence("EHLO out.test", "STARTTLS", "EHLO out.test",
                "AUTH PLAIN " + b64("\0carol@out.test\0s3cret"), "MAIL FROM:<carol@out.test>", "RCPT TO:<x@far.test>",
                "RCPT TO:<y@elsewhere.test>", "DATA");
        assertThat(relay.tlsAt()).isEqualTo(relay.commands().indexOf("STARTTLS") + 1);
        assertThat(relay.data()).contains("Subject: hello");
    }

    @Test
    void authLoginWhenOnlyLoginIsOffered() throws Exception {
        ScriptedRelay relay = relay(relayPki.serverContext, false, "STARTTLS", "AUTH LOGIN");
        List<RecipientResult> r = deliver(smarthost(relay, false, true));
        assertThat(r).extracting(RecipientResult::outcome).containsOnly(RecipientResult.Outcome.DELIVERED);
        assertThat(relay.commands()).containsSubsequence("AUTH LOGIN", b64("carol@out.test"), b64("s3cret"), "DATA");
    }

    @Test
    void implicitTls() throws Exception {
        ScriptedRelay relay = relay(relayPki.serverContext, true, "AUTH PLAIN");
        List<RecipientResult> r = deliver(smarthost(relay, true, true));
        assertThat(r).extracting(RecipientResult::outcome).containsOnly(RecipientResult.Outcome.DELIVERED);
        assertThat(relay.tlsAt()).isZero();
        assertThat(relay.commands()).first().isEqualTo("EHLO out.test");
    }

    @Test
    void relayWithoutStartTlsGetsNothing() throws Exception {
        ScriptedRelay relay = relay(null, false, "PIPELINING", "AUTH PLAIN LOGIN");
        List<RecipientResult> r = deliver(smarthost(relay, false, true));
        assertThat(r).extracting(RecipientResult::outcome).containsOnly(RecipientResult.Outcome.TEMPORARY);
        assertThat(r.get(0).status()).isEqualTo("4.7.0");
        assertThat(r.get(0).diagnostic()).contains("does not offer STARTTLS");
        assertThat(relay.commands()).noneMatch(c -> c.startsWith("AUTH") || c.startsWith("MAIL") || c.startsWith("c3"));
    }

    @Test
    void untrustedCertificateGetsNothing() throws Exception {
        ScriptedRelay relay = relay(stranger.serverContext, false, "STARTTLS", "AUTH PLAIN");
        List<RecipientResult> r = deliver(smarthost(relay, false, true));
        assertThat(r).extracting(RecipientResult::outcome).containsOnly(RecipientResult.Outcome.TEMPORARY);
        assertThat(r.get(0).diagnostic()).contains("no valid TLS");
        assertThat(relay.commands()).containsExactly("EHLO out.test", "STARTTLS");
    }

    @Test
    void verificationOptOutAcceptsASelfSignedRelay() throws Exception {
        ScriptedRelay relay = relay(stranger.serverContext, false, "STARTTLS", "AUTH PLAIN");
        List<RecipientResult> r = deliver(smarthost(relay, false, false));
        assertThat(r).extracting(RecipientResult::outcome).containsOnly(RecipientResult.Outcome.DELIVERED);
    }

    @Test
    void refusedLoginKeepsTheMail() throws Exception {
        ScriptedRelay relay = relay(relayPki.serverContext, false, "STARTTLS", "AUTH PLAIN");
        relay.refuseAuth = true;
        List<RecipientResult> r = deliver(smarthost(relay, false, true));
        assertThat(r).extracting(RecipientResult::outcome).containsOnly(RecipientResult.Outcome.TEMPORARY);
        assertThat(r.get(0).status()).isEqualTo("4.7.8");
        assertThat(r.get(0).diagnostic()).doesNotContain("s3cret");
        assertThat(relay.commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void noUsableMechanismKeepsTheMail() throws Exception {
        ScriptedRelay relay = relay(relayPki.serverContext, false, "STARTTLS", "AUTH CRAM-MD5");
        List<RecipientResult> r = deliver(smarthost(relay, false, true));
        assertThat(r).extracting(RecipientResult::outcome).containsOnly(RecipientResult.Outcome.TEMPORARY);
        assertThat(relay.commands()).noneMatch(c -> c.startsWith("AUTH") || c.startsWith("MAIL"));
    }

    private ScriptedRelay relay(SSLContext tls, boolean implicit, String... extensions) throws IOException {
        ScriptedRelay r = new ScriptedRelay(tls, implicit, List.of(extensions));
        relays.add(r);
        return r;
    }

    private static Smarthost smarthost(ScriptedRelay relay, boolean implicit, boolean verify) {
        return new Smarthost("localhost", relay.port(), implicit, "carol@out.test", "s3cret", verify);
    }

    private static List<RecipientResult> deliver(Smarthost relay) {
        SmtpClientConfig config = SmtpClientConfig.defaults("out.test")
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5))
                .withVerifiedTls(relayPki.clientTrust);
        byte[] body = "Subject: hello\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII);
        OutboundMessage m = new OutboundMessage("carol@out.test", List.of("x@far.test", "y@elsewhere.test"),
                () -> new ByteArrayInputStream(body));
        return DomainDelivery.viaSmarthost(config, relay).deliver("far.test", m);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** One session at a time; records every command line and where TLS began. */
    static final class ScriptedRelay implements AutoCloseable {
        private final ServerSocket server;
        private final SSLContext tls;
        private final boolean implicit;
        private final List<String> extensions;
        private final List<String> commands = new CopyOnWriteArrayList<>();
        private volatile int tlsAt = -1;
        private volatile String data = "";
        volatile boolean refuseAuth;

        ScriptedRelay(SSLContext tls, boolean implicit, List<String> extensions) throws IOException {
            this.server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
            this.tls = tls;
            this.implicit = implicit;
            this.extensions = extensions;
            Thread.ofVirtual().start(this::serve);
        }

        int port() {
            return server.getLocalPort();
        }

        List<String> commands() {
            return List.copyOf(commands);
        }

        int tlsAt() {
            return tlsAt;
        }

        String data() {
            return data;
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    session(s);
                } catch (IOException | RuntimeException e) {
                    // the client went away or the test ended
                }
            }
        }

        private Socket tls(Socket plain) throws IOException {
            SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
            s.setUseClientMode(false);
            s.startHandshake();
            tlsAt = commands.size();
            return s;
        }

        private void session(Socket socket) throws IOException {
            socket.setSoTimeout(10_000);
            if (implicit) socket = tls(socket);
            LineReader in = new LineReader(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            say(out, "220 relay.test ESMTP");
            while (true) {
                byte[] raw = in.readLine(2000);
                if (raw == null) return;
                String line = new String(raw, StandardCharsets.UTF_8);
                commands.add(line);
                String verb = line.toUpperCase(java.util.Locale.ROOT);
                if (verb.startsWith("EHLO")) {
                    StringBuilder sb = new StringBuilder("250-relay.test\r\n");
                    for (String e : extensions) {
                        if (e.equals("STARTTLS") && tlsAt >= 0) continue;
                        sb.append("250-").append(e).append("\r\n");
                    }
                    say(out, sb.append("250 8BITMIME").toString());
                } else if (verb.equals("STARTTLS")) {
                    say(out, "220 2.0.0 go ahead");
                    socket = tls(socket);
                    in.switchTo(socket.getInputStream());
                    out = socket.getOutputStream();
                } else if (verb.startsWith("AUTH PLAIN")) {
                    say(out, refuseAuth ? "535 5.7.8 Authentication credentials invalid" : "235 2.7.0 ok");
                } else if (verb.equals("AUTH LOGIN")) {
                    say(out, "334 VXNlcm5hbWU6");
                    commands.add(new String(in.readLine(2000), StandardCharsets.UTF_8));
                    say(out, "334 UGFzc3dvcmQ6");
                    commands.add(new String(in.readLine(2000), StandardCharsets.UTF_8));
                    say(out, refuseAuth ? "535 5.7.8 no" : "235 2.7.0 ok");
                } else if (verb.equals("DATA")) {
                    say(out, "354 go");
                    StringBuilder d = new StringBuilder();
                    for (byte[] l; (l = in.readLine(2000)) != null && !new String(l, StandardCharsets.UTF_8).equals("."); ) {
                        d.append(new String(l, StandardCharsets.UTF_8)).append('\n');
                    }
                    data = d.toString();
                    say(out, "250 2.0.0 queued");
                } else if (verb.equals("QUIT")) {
                    say(out, "221 bye");
                    return;
                } else {
                    say(out, "250 2.0.0 ok");
                }
            }
        }

        private static void say(OutputStream out, String reply) throws IOException {
            out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
