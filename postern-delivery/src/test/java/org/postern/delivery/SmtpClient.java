// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A raw SMTP client for transcripts: exact bytes out, whole replies in. */
final class SmtpClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    SmtpClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    void sendRaw(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    String reply() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int prev = -1;
            int c;
            while ((c = in.read()) >= 0 && !(c == '\n' && prev == '\r')) {
                b.write(c);
                prev = c;
            }
            if (c < 0) throw new IOException("connection closed; so far: " + sb);
            String line = b.toString(StandardCharsets.UTF_8).stripTrailing();
            if (!sb.isEmpty()) sb.append('\n');
            sb.append(line);
            if (line.length() < 4 || line.charAt(3) != '-') return sb.toString();
        }
    }

    String expect(String command, String expected) throws IOException {
        sendRaw(command + "\r\n");
        String r = reply();
        assertThat(r).as("reply to %s", command).startsWith(expected);
        return r;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
