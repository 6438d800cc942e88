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
import java.util.Map;
import org.junit.jupiter.api.Test;

class Pop3ClientTest {
    /** A scripted POP3 server: one reply per command, by command text. */
    private static ServerSocket serve(Map<String, String> replies) throws IOException {
        ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try (ss; Socket s = ss.accept()) {
                OutputStream out = s.getOutputStream();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                out.write("+OK ready\r\n".getBytes(StandardCharsets.US_ASCII));
                for (String line; (line = in.readLine()) != null;) {
                    out.write(replies.getOrDefault(line, "-ERR unknown\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException ignored) {
                // the test closed the client
            }
        });
        return ss;
    }

    @Test
    void countsMessagesAndOctetsUpToTheDotLine() throws Exception {
        ServerSocket ss = serve(Map.of(
                "USER u", "+OK\r\n", "PASS p", "+OK\r\n",
                "LIST", "+OK 2 messages\r\n1 10\r\n2 20\r\n.\r\n",
                "RETR 1", "+OK\r\nSubject: x\r\n\r\n..stuffed\r\n.\r\n",
                "QUIT", "+OK bye\r\n"));
        try (Pop3Client c = Pop3Client.connect(Target.of("127.0.0.1", ss.getLocalPort()), null, null, 5_000)) {
            c.login("u", "p");
            assertThat(c.list()).isEqualTo(2);
            assertThat(c.retr(1)).isEqualTo("Subject: x\r\n\r\n..stuffed\r\n".length());
            c.quit();
        }
    }

    @Test
    void errReplyIsAnErrorAndHidesThePassword() throws Exception {
        ServerSocket ss = serve(Map.of("USER u", "+OK\r\n"));
        try (Pop3Client c = Pop3Client.connect(Target.of("127.0.0.1", ss.getLocalPort()), null, null, 5_000)) {
            assertThatThrownBy(() -> c.login("u", "secret"))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("PASS")
                    .hasMessageNotContaining("secret");
        }
    }
}
