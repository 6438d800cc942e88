// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against a scripted server on a loopback port: what it sends, and how it reads answers. */
class ImapClientTest {
    private ServerSocket server;
    private final List<String> received = new CopyOnWriteArrayList<>();

    /** Accepts one connection, sends the greeting, then answers each received line with the next reply. */
    private Target serve(String greeting, String... replies) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            try (Socket s = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                OutputStream out = s.getOutputStream();
                out.write(greeting.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                for (String reply : replies) {
                    String line = in.readLine();
                    if (line == null) return;
                    received.add(line);
                    out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
                String line;
                while ((line = in.readLine()) != null) received.add(line);
            } catch (IOException ignored) {
                // test over
            }
        });
        return new Target(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    @AfterEach
    void close() throws IOException {
        if (server != null) server.close();
    }

    @Test
    void skipsLiteralsAndCountsThem() throws IOException {
        Target t = serve("* OK ready\r\n", "* 1 FETCH (FLAGS () BODY[] {5}\r\nA1 OK)\r\n* 3 EXISTS\r\nA1 OK done\r\n");
        try (ImapClient c = ImapClient.connect(t, null, null, 5000, 1024)) {
            ImapClient.Response r = c.command("FETCH 1 (FLAGS BODY.PEEK[])");
            assertThat(r.ok()).isTrue();
            assertThat(r.literalBytes()).isEqualTo(5);
            // the literal's "A1 OK" was content, not the completion
            assertThat(r.text()).isEqualTo("done");
            assertThat(r.untaggedCount()).isEqualTo(2);
            assertThat(r.exists()).isEqualTo(3);
        }
        assertThat(received).containsExactly("A1 FETCH 1 (FLAGS BODY.PEEK[])");
    }

    @Test
    void appendWaitsForTheContinuation() throws IOException {
        Target t = serve("* OK ready\r\n", "+ go ahead\r\n", "A1 OK [APPENDUID 1 7] done\r\n");
        try (ImapClient c = ImapClient.connect(t, null, null, 5000, 1024)) {
            assertThat(c.append("INBOX", "\\Seen", "Subject: x\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII)).ok()).isTrue();
        }
        assertThat(received).startsWith("A1 APPEND \"INBOX\" (\\Seen) {18}", "Subject: x");
    }

    @Test
    void appendRefusedBeforeTheLiteral() throws IOException {
        Target t = serve("* OK ready\r\n", "A1 NO [TOOBIG] too big\r\n");
        try (ImapClient c = ImapClient.connect(t, null, null, 5000, 1024)) {
            ImapClient.Response r = c.append("INBOX", null, new byte[10]);
            assertThat(r.status()).isEqualTo("NO");
            assertThatThrownBy(() -> r.requireOk("APPEND")).hasMessageContaining("TOOBIG");
        }
    }

    @Test
    void expungeIssuedIsAnAnswerOtherRefusalsAreNot() throws IOException {
        // RFC 9051 §7.1: another session's EXPUNGE may make a FETCH answer NO [EXPUNGEISSUED].
        String[][] table = {
            {"A1 OK done", "true"},
            {"A1 NO [EXPUNGEISSUED] Some messages were expunged meanwhile", "true"},
            {"A1 no [expungeissued] lower case", "true"},
            {"A1 NO [TRYCREATE] no such mailbox", "false"},
            {"A1 NO EXPUNGEISSUED without brackets", "false"},
            {"A1 BAD [EXPUNGEISSUED] not a NO", "false"},
            {"A1 NO", "false"},
        };
        for (String[] row : table) {
            ImapClient.Response r = ImapClient.Response.of("A1", row[0], java.util.List.of(), 0, 0);
            if (Boolean.parseBoolean(row[1])) {
                assertThat(r.requireAnswered("FETCH")).as(row[0]).isSameAs(r);
            } else {
                assertThatThrownBy(() -> r.requireAnswered("FETCH")).as(row[0]).isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void idleReturnsOnContinuation() throws IOException {
        Target t = serve("* OK ready\r\n", "+ idling\r\n", "* 4 EXISTS\r\n");
        try (ImapClient c = ImapClient.connect(t, null, null, 5000, 1024)) {
            c.idle();
            assertThat(c.isIdling()).isTrue();
            c.doneAndLogout();
            assertThat(c.readLine()).isEqualTo("* 4 EXISTS");
        }
    }

    @Test
    void badGreetingAndEarlyCloseAreErrors() throws IOException {
        Target t = serve("* BYE go away\r\n");
        assertThatThrownBy(() -> ImapClient.connect(t, null, null, 5000, 1024)).hasMessageContaining("bad greeting");
        server.close();
        Target t2 = serve("* OK ready\r\n", "* 1 FETCH (BODY[] {100}\r\nshort");
        // a literal that never arrives in full ends in the read timeout, not a hang
        try (ImapClient c = ImapClient.connect(t2, null, null, 1000, 1024)) {
            assertThatThrownBy(() -> c.command("FETCH 1 BODY[]")).isInstanceOf(IOException.class);
        }
    }
}
