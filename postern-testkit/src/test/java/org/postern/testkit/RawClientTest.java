// SPDX-License-Identifier: Apache-2.0
package org.postern.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RawClientTest {
    private ServerSocket server;

    /** A server that writes {@code script} on connect, echoes each received byte count, then holds. */
    int serve(String script) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept()) {
                OutputStream out = s.getOutputStream();
                out.write(script.getBytes(StandardCharsets.UTF_8));
                out.flush();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[100];
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(("got " + n + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException ignored) {
                // test over
            }
        });
        return server.getLocalPort();
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) server.close();
    }

    @Test
    void expectsPrefixesAndRegexes() throws IOException {
        int port = serve("* OK [CAPABILITY IMAP4rev2] ready\r\n* 3 EXISTS\r\nbare\n");
        try (RawClient c = RawClient.connect("127.0.0.1", port)) {
            assertThat(c.expect("* OK [CAPABILITY")).endsWith("ready");
            c.expect("\\* \\d+ EXISTS");
            assertThat(c.lastLineEndedWithCrlf()).isTrue();
            assertThat(c.readLine()).isEqualTo("bare");
            assertThat(c.lastLineEndedWithCrlf()).isFalse();
            c.send("a NOOP");
            c.expect("got 8");
            c.sendRaw(new byte[] {1, 2, 3});
            assertThat(c.readUntil("got \\d")).containsExactly("got 3");
        }
    }

    @Test
    void aMismatchFailsWithTheTranscript() throws IOException {
        int port = serve("220 hello\r\n");
        try (RawClient c = RawClient.connect("127.0.0.1", port)) {
            assertThatThrownBy(() -> c.expect("250 "))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("expected '250 ' but got '220 hello'")
                    .hasMessageContaining("S: 220 hello");
        }
    }

    @Test
    void silenceFailsAtTheTimeoutInsteadOfHanging() throws IOException {
        int port = serve("partial");
        try (RawClient c = RawClient.connect("127.0.0.1", port)) {
            c.timeout(Duration.ofMillis(200));
            long start = System.nanoTime();
            assertThatThrownBy(c::readLine).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("no complete line within 200 ms (got 'partial')");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void closedConnectionReadsAsNull() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept()) {
                s.getOutputStream().write("bye\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException ignored) {
                // test over
            }
        });
        try (RawClient c = RawClient.connect("127.0.0.1", server.getLocalPort())) {
            c.expect("bye");
            c.expectClosed();
        }
    }
}
