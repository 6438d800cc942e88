// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.net.Listener;
import org.postern.net.NetLimits;
import org.postern.net.SelfSignedCertificate;
import org.postern.net.TlsContext;
import org.postern.smtp.wire.BodyType;
import org.postern.smtp.wire.MailParameters;
import org.postern.smtp.wire.RcptParameters;

/** CHUNKING and BINARYMIME (RFC 3030), DSN parameters (RFC 3461) and REQUIRETLS (RFC 8689) on the wire. */
class ChunkingTest {
    static final String HOST = "mx.ours.example";
    static final String RECEIVED = "Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n";

    @TempDir
    static Path certDir;

    static TlsContext tls;
    static SSLContext client;

    final FakeIntake intake = new FakeIntake();
    final List<Listener> listeners = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        Path cert = certDir.resolve("cert.pem");
        Path key = certDir.resolve("key.pem");
        SelfSignedCertificate.createIfMissing(cert, key, "localhost");
        tls = TlsContext.fromPem(cert, key);
        client = tls.clientContextTrustingSelf();
    }

    @AfterEach
    void tearDown() {
        listeners.forEach(Listener::close);
    }

    SmtpTestClient connect(SmtpConfig config) throws Exception {
        Listener l = Listener.start("smtp-test", InetAddress.getLoopbackAddress(), 0, false, tls, NetLimits.DEFAULT,
                new SmtpServer(config, intake, null, tls));
        listeners.add(l);
        SmtpTestClient c = new SmtpTestClient(l.port());
        assertThat(c.reply()).startsWith("220 " + HOST);
        c.expect("EHLO client.example", "250");
        return c;
    }

    static SmtpConfig mx() {
        return SmtpConfig.defaults(HOST, SmtpConfig.Mode.MX).withPreGreetingDelay(Duration.ZERO);
    }

    static void envelope(SmtpTestClient c, String mailParams) throws Exception {
        c.expect("MAIL FROM:<sender@far.example>" + mailParams, "250 2.1.0");
        c.expect("RCPT TO:<alice@ours.example>", "250 2.1.5");
    }

    @Test
    void ehloAdvertisesChunkingBinaryMimeDsnAndRequireTlsOnlyUnderTls() throws Exception {
        try (SmtpTestClient c = connect(mx())) {
            String ehlo = c.expect("EHLO client.example", "250");
            assertThat(ehlo).contains("250-CHUNKING", "250-BINARYMIME", "250-DSN").doesNotContain("REQUIRETLS");
            // RFC 8689 §4: REQUIRETLS only over TLS.
            c.expect("MAIL FROM:<a@far.example> REQUIRETLS", "530 5.7.10");
            c.expect("STARTTLS", "220");
            c.upgrade(client);
            assertThat(c.expect("EHLO client.example", "250")).contains("REQUIRETLS");
            c.expect("MAIL FROM:<a@far.example> REQUIRETLS", "250");
            c.expect("RCPT TO:<alice@ours.example>", "250");
            c.send("BDAT 3 LAST");
            c.sendRaw("x\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0 Ok: queued");
        }
        assertThat(intake.messages.get(0).envelope().params().requireTls()).isTrue();
    }

    @Test
    void chunksMakeOneMessageAndOnlyLastIsQueued() throws Exception {
        try (SmtpTestClient c = connect(mx())) {
            envelope(c, "");
            String part1 = "Subject: hi\r\n\r\n";
            String part2 = "line one\r\n.line with dot\r\n";
            c.send("BDAT " + part1.length());
            c.sendRaw(part1);
            assertThat(c.reply()).startsWith("250 2.0.0 " + part1.length() + " octets");
            assertThat(intake.messages).isEmpty();
            c.expect("NOOP", "250");
            // Pipelined: the chunk and BDAT LAST with zero octets in one write.
            c.sendRaw("BDAT " + part2.length() + "\r\n" + part2 + "BDAT 0 LAST\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0 " + part2.length());
            assertThat(c.reply()).startsWith("250 2.0.0 Ok: queued");
            // No dot-unstuffing: BDAT data is length-framed (RFC 3030 §2).
            assertThat(intake.messages.get(0).text()).isEqualTo(part1 + part2);
            assertThat(intake.messages.get(0).envelope().recipients()).hasSize(1);
            // DATA and BDAT can alternate between transactions.
            envelope(c, "");
            c.expect("DATA", "354");
            c.sendRaw("a\r\n.\r\n");
            assertThat(c.reply()).startsWith("250");
            assertThat(intake.messages).hasSize(2);
        }
    }

    @Test
    void binaryMimeKeepsEveryOctetAndRefusesData() throws Exception {
        byte[] body = new byte[300];
        for (int i = 0; i < body.length; i++) body[i] = (byte) i;
        String head = "Subject: bin\r\n\r\n";
        try (SmtpTestClient c = connect(mx())) {
            envelope(c, " BODY=BINARYMIME");
            c.expect("DATA", "503 5.5.1"); // RFC 3030 §3
            c.expect("RSET", "250");
            envelope(c, " BODY=BINARYMIME");
            c.send("BDAT " + (head.length() + body.length) + " LAST");
            c.sendRaw(head);
            c.sendBytes(body);
            assertThat(c.reply()).startsWith("250 2.0.0 Ok");
        }
        FakeIntake.Stored m = intake.messages.get(0);
        assertThat(m.envelope().params().body()).isEqualTo(BodyType.BINARY_MIME);
        byte[] expected = new byte[head.length() + body.length];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, expected, 0, head.length());
        System.arraycopy(body, 0, expected, head.length(), body.length);
        assertThat(m.data()).isEqualTo(expected);
    }

    /**
     * HOSTILE A64, each row: input after EHLO, a reply that must come, whether the session ends, messages
     * delivered. A session that goes on must answer a NOOP next: the chunk data was skipped, not parsed.
     */
    static Stream<Arguments> hostile() {
        String env = "MAIL FROM:<s@far.example>\r\nRCPT TO:<alice@ours.example>\r\n";
        return Stream.of(
                Arguments.of("BDAT 0 LAST without MAIL", "BDAT 0 LAST\r\n", "503 5.5.1", false, 0),
                Arguments.of("BDAT after HELO", "HELO client.example\r\nMAIL FROM:<s@far.example>\r\n"
                        + "RCPT TO:<alice@ours.example>\r\nBDAT 3 LAST\r\na\r\n", "503 5.5.1", false, 0),
                Arguments.of("BDAT without RCPT", "MAIL FROM:<s@far.example>\r\nBDAT 5 LAST\r\nQUIT\r", "503 5.5.1", false, 0),
                Arguments.of("BDAT without MAIL", "BDAT 6\r\nQUIT\r\n", "503 5.5.1", false, 0),
                Arguments.of("DATA after BDAT", env + "BDAT 3\r\na\r\nDATA\r\n", "503 5.5.1", false, 0),
                Arguments.of("BDAT after BDAT LAST", env + "BDAT 3 LAST\r\na\r\nBDAT 3 LAST\r\nxyz", "503 5.5.1", false, 1),
                Arguments.of("MAIL inside a BDAT transaction", env + "BDAT 3\r\na\r\nMAIL FROM:<x@far.example>\r\n",
                        "503 5.5.1", false, 0),
                Arguments.of("RSET inside a BDAT transaction", env + "BDAT 3\r\na\r\nRSET\r\n", "250 2.0.0 Ok", false, 0),
                Arguments.of("size beyond a long", env + "BDAT 99999999999999999999\r\n", "552 5.3.4", true, 0),
                Arguments.of("chunk larger than the limit", env + "BDAT 52428801\r\n", "552 5.3.4", true, 0),
                Arguments.of("malformed size", env + "BDAT 12x\r\n", "501 5.5.4", true, 0),
                Arguments.of("bare LF in a text chunk", env + "BDAT 4 LAST\r\na\nb\n", "550 5.6.11", false, 0),
                Arguments.of("bare CR ending a text chunk", env + "BDAT 2 LAST\r\na\r", "550 5.6.11", false, 0),
                Arguments.of("mail loop: 101 Received fields", env + "BDAT " + (101 * RECEIVED.length() + 3) + " LAST\r\n"
                        + RECEIVED.repeat(101) + "\r\nx", "554 5.4.6", false, 0),
                Arguments.of("line over 998 octets", env + "BDAT 1002 LAST\r\n" + "x".repeat(1000) + "\r\n", "550 5.6.0",
                        false, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void hostile(String name, String input, String mustReply, boolean ends, int delivered) throws Exception {
        try (SmtpTestClient c = connect(mx())) {
            c.sendRaw(ends ? input : input + "NOOP\r\n");
            List<String> replies = new ArrayList<>();
            while (true) {
                String r;
                try {
                    r = c.reply();
                } catch (java.io.IOException e) {
                    break; // closed
                }
                replies.add(r);
                if (!ends && r.equals("250 2.0.0 Ok") && replies.size() > 1 && replies.stream().anyMatch(x -> x.startsWith(mustReply))) {
                    break; // the trailing NOOP (RSET's reply is the same text: wait for both)
                }
            }
            assertThat(replies).as(name).anyMatch(r -> r.startsWith(mustReply));
            if (ends) {
                assertThat(replies.getLast()).as(name).startsWith(mustReply);
            } else {
                assertThat(replies.getLast()).as("%s: session goes on", name).isEqualTo("250 2.0.0 Ok");
            }
        }
        assertThat(intake.messages).as("delivered: %s", name).hasSize(delivered);
    }

    @Test
    void chunkSizesAreSummedAgainstTheLimit() throws Exception {
        try (SmtpTestClient c = connect(mx().withMaxMessageSize(100))) {
            envelope(c, "");
            c.send("BDAT 60");
            c.sendRaw("y".repeat(58) + "\r\n");
            assertThat(c.reply()).startsWith("250");
            c.send("BDAT 60 LAST");
            c.sendRaw("z".repeat(58) + "\r\n");
            assertThat(c.reply()).startsWith("552 5.3.4");
            // The chunk was read and discarded: the session goes on.
            c.expect("NOOP", "250");
        }
        assertThat(intake.messages).isEmpty();
    }

    @Test
    void incompleteChunkOnDisconnectDeliversNothing() throws Exception {
        try (SmtpTestClient c = connect(mx())) {
            envelope(c, "");
            c.send("BDAT 10 LAST");
            c.sendRaw("12345");
        }
        // The session notices the close; nothing may reach the intake, then or later.
        Instant until = Instant.now().plusMillis(500);
        while (Instant.now().isBefore(until)) {
            assertThat(intake.messages).isEmpty();
            Thread.onSpinWait();
        }
        assertThat(intake.messages).isEmpty();
    }

    @Test
    void tlsCloseNotifyMidChunkEndsTheSessionAndDeliversNothing() throws Exception {
        // HOSTILE A68 (Exim CVE-2026-45185): after close_notify no byte is parsed, TLS or plaintext.
        try (SmtpTestClient c = connect(mx())) {
            c.expect("STARTTLS", "220");
            java.net.Socket raw = c.socket();
            javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) client.getSocketFactory()
                    .createSocket(raw, "localhost", raw.getPort(), false);
            s.setUseClientMode(true);
            s.startHandshake();
            java.io.OutputStream out = s.getOutputStream();
            java.io.InputStream in = s.getInputStream();
            out.write(("EHLO client.example\r\nMAIL FROM:<s@far.example>\r\nRCPT TO:<alice@ours.example>\r\n"
                    + "BDAT 10 LAST\r\n12345").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.close(); // close_notify; the TCP connection stays open (autoClose false)
            raw.getOutputStream().write("67890\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            raw.getOutputStream().flush();
            raw.setSoTimeout(5000);
            byte[] rest = raw.getInputStream().readAllBytes();
            // Whatever TLS records were still in flight, never a cleartext SMTP reply.
            assertThat(new String(rest, StandardCharsets.ISO_8859_1)).doesNotContain("250 ").doesNotContain("221 ");
        } catch (java.net.SocketException expected) {
            // a reset from the server closing is fine too
        }
        assertThat(intake.messages).isEmpty();
    }

    @Test
    void intakeFailureDuringBdatIsTemporaryAndLaterChunksAreDiscarded() throws Exception {
        intake.failWith = IntakeException.temporary(new RuntimeException("disk full"));
        try (SmtpTestClient c = connect(mx())) {
            envelope(c, "");
            c.sendRaw("BDAT 3 LAST\r\na\r\n");
            assertThat(c.reply()).startsWith("451 4.3.0");
            c.expect("NOOP", "250");
        }
        assertThat(intake.messages).isEmpty();
    }

    @Test
    void dsnParametersReachTheEnvelope() throws Exception {
        try (SmtpTestClient c = connect(mx())) {
            c.expect("MAIL FROM:<s@far.example> RET=HDRS ENVID=abc+2B1", "250");
            c.expect("RCPT TO:<alice@ours.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Alice+2Bx@ours.example", "250");
            c.expect("RCPT TO:<bob@ours.example> NOTIFY=NEVER", "250");
            c.expect("DATA", "354");
            c.sendRaw("Subject: x\r\n\r\nhi\r\n.\r\n");
            assertThat(c.reply()).startsWith("250");
        }
        Envelope e = intake.messages.get(0).envelope();
        assertThat(e.params().ret()).isEqualTo(MailParameters.Ret.HDRS);
        assertThat(e.params().envId()).isEqualTo("abc+1");
        assertThat(e.recipientParams()).containsExactly(
                new RcptParameters(java.util.Set.of(RcptParameters.Notify.SUCCESS, RcptParameters.Notify.FAILURE), "rfc822",
                        "Alice+x@ours.example"),
                new RcptParameters(java.util.Set.of(RcptParameters.Notify.NEVER), null, null));
        assertThat(e.paramsOf(e.recipients().get(1)).notifyKeyword()).isEqualTo("NEVER");
    }
}
