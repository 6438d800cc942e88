// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** A raw SMTP client for transcript tests: exact bytes out, whole replies in, with a read deadline. */
public final class SmtpTestClient implements AutoCloseable {
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final int port;

    public SmtpTestClient(int port) throws IOException {
        this.port = port;
        this.socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Connects with implicit TLS (port 465 style). */
    public static SmtpTestClient tls(int port, SSLContext ctx) throws IOException {
        SmtpTestClient c = new SmtpTestClient(port);
        c.upgrade(ctx);
        return c;
    }

    public void upgrade(SSLContext ctx) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(socket, "localhost", port, true);
        s.setUseClientMode(true);
        s.startHandshake();
        socket = s;
        in = s.getInputStream();
        out = s.getOutputStream();
    }

    public void sendRaw(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public void sendBytes(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    public Socket socket() {
        return socket;
    }

    public void send(String line) throws IOException {
        sendRaw(line + "\r\n");
    }

    /** One complete (possibly multi-line) reply, lines joined by "\n", without CRLFs. */
    public String reply() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            String line = line();
            if (line == null) throw new IOException("connection closed; so far: " + sb);
            if (!sb.isEmpty()) sb.append('\n');
            sb.append(line);
            if (line.length() < 4 || line.charAt(3) != '-') return sb.toString();
        }
    }

    /** Sends a command and asserts the reply starts with {@code expected}; returns the reply. */
    public String expect(String command, String expected) throws IOException {
        send(command);
        String r = reply();
        assertThat(r).as("reply to %s", command).startsWith(expected);
        return r;
    }

    public String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int c = in.read();
            if (c < 0) return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
            if (c == '\n' && prev == '\r') {
                byte[] bytes = b.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            b.write(c);
            prev = c;
        }
    }

    /** True when the server closed the connection (reads EOF before the deadline). */
    public boolean closedByServer() {
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
