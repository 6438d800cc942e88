// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

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

/** A raw IMAP client for transcript tests: sends lines, reads responses with literals inlined. */
final class ImapClient implements AutoCloseable {
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    ImapClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(5000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    void startTls(SSLContext ctx) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
        s.setUseClientMode(true);
        s.startHandshake();
        socket = s;
        in = s.getInputStream();
        out = s.getOutputStream();
    }

    /** RFC 4978: from now on both directions are raw DEFLATE, flushed with SYNC_FLUSH per send. */
    void compress() {
        in = new java.util.zip.InflaterInputStream(in, new java.util.zip.Inflater(true));
        out = new java.util.zip.DeflaterOutputStream(out, new java.util.zip.Deflater(6, true), true);
    }

    void sendRaw(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    void sendRaw(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    void send(String line) throws IOException {
        sendRaw(line + "\r\n");
    }

    /** One response line; a literal at its end is read and appended, with the line that follows. */
    String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            String l = rawLine();
            if (l == null) return sb.isEmpty() ? null : sb.toString();
            sb.append(l);
            int open = l.lastIndexOf('{');
            if (l.endsWith("}") && open >= 0 && l.substring(open + 1, l.length() - 1).matches("\\d+")) {
                int n = Integer.parseInt(l.substring(open + 1, l.length() - 1));
                sb.append("\r\n").append(new String(in.readNBytes(n), StandardCharsets.UTF_8));
                continue;
            }
            return sb.toString();
        }
    }

    private String rawLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] a = b.toByteArray();
                int len = a.length > 0 && a[a.length - 1] == '\r' ? a.length - 1 : a.length;
                return new String(a, 0, len, StandardCharsets.UTF_8);
            }
            b.write(c);
        }
        return null;
    }

    /** Sends a command and returns every response line up to and including the tagged one. */
    List<String> cmd(String tag, String command) throws IOException {
        send(tag + " " + command);
        return until(tag);
    }

    List<String> until(String tag) throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String l = line();
            if (l == null) throw new IOException("connection closed; got " + lines);
            lines.add(l);
            if (l.startsWith(tag + " ")) return lines;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
