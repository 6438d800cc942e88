// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** A raw POP3 client for transcripts: exact lines in and out, byte-exact multi-line bodies. */
final class Pop3TestClient implements AutoCloseable {
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    Pop3TestClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        in = new java.io.BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    static Pop3TestClient implicitTls(int port, SSLContext ctx) throws IOException {
        Pop3TestClient c = new Pop3TestClient(port);
        c.startTls(ctx);
        return c;
    }

    void send(String line) throws IOException {
        sendRaw(line + "\r\n");
    }

    void sendRaw(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** One line without CRLF; fails on a bare LF, so the server's line ends are checked too. Null at EOF. */
    String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int c = in.read();
            if (c < 0) return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
            if (c == '\n') {
                assertThat(prev).as("server line ends with CRLF").isEqualTo('\r');
                byte[] bytes = b.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            b.write(c);
            prev = c;
        }
    }

    /** Sends a command and returns the first reply line. */
    String cmd(String line) throws IOException {
        send(line);
        return line();
    }

    void expect(String... lines) throws IOException {
        for (String l : lines) assertThat(line()).isEqualTo(l);
    }

    /** The lines of a multi-line reply after its +OK line, up to (not including) the terminator. */
    List<String> multiline() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String l = line(); !".".equals(l); l = line()) {
            assertThat(l).as("multi-line reply ended early").isNotNull();
            lines.add(l);
        }
        return lines;
    }

    /** The raw bytes of a multi-line reply body including the ".CRLF" terminator. */
    String rawMultiline() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            assertThat(c).as("multi-line reply ended early").isNotNegative();
            b.write(c);
            String s = b.toString(StandardCharsets.ISO_8859_1);
            if (s.equals(".\r\n") || s.endsWith("\r\n.\r\n")) return s;
        }
    }

    void login(String user, String pass) throws IOException {
        assertThat(cmd("USER " + user)).startsWith("+OK");
        assertThat(cmd("PASS " + pass)).startsWith("+OK Logged in");
    }

    void startTls(SSLContext ctx) throws IOException {
        SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
        ssl.setUseClientMode(true);
        ssl.startHandshake();
        socket = ssl;
        in = new java.io.BufferedInputStream(ssl.getInputStream());
        out = ssl.getOutputStream();
    }

    /** True when the server closed the connection (EOF or reset) before sending another line. */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
