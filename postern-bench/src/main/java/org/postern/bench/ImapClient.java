// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The smallest IMAP client the benchmarks need: tagged commands, responses read up to their tagged
 * completion with literals (RFC 9051 §4.3) skipped and counted, synchronizing-literal APPEND and IDLE.
 * Not a general client: it trusts the server to be well-formed, within the bounds below.
 */
final class ImapClient implements AutoCloseable {
    /** Longest response line kept (a SEARCH result over 100,000 messages is about 600 KB). */
    static final int MAX_LINE = 16 << 20;
    /** Largest literal accepted in a response: bigger than any message the generator appends. */
    static final long MAX_LITERAL = 256L << 20;
    /** Untagged lines kept per response; the rest are only counted (UID FETCH 1:* of 100,000 messages). */
    static final int MAX_KEPT_UNTAGGED = 2_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String greeting;
    private final byte[] lineBuf = new byte[512];
    private byte[] line = lineBuf;
    private int tagNo;
    private volatile boolean idling;

    private ImapClient(Socket socket, int bufferSize) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), bufferSize);
        this.out = new BufferedOutputStream(socket.getOutputStream(), bufferSize);
        this.greeting = readLine();
        if (!greeting.startsWith("* OK") && !greeting.startsWith("* PREAUTH")) {
            socket.close();
            throw new IOException("bad greeting: " + Text.shorten(greeting));
        }
    }

    /**
     * Connects (and for implicit TLS, RFC 8314, completes the handshake) from {@code source}, which may
     * be any 127/8 address so that per-address connection limits of the server are not what is measured.
     */
    static ImapClient connect(Target target, InetAddress source, SSLContext tls, int timeoutMillis, int bufferSize)
            throws IOException {
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            if (source != null) plain.bind(new InetSocketAddress(source, 0));
            plain.connect(new InetSocketAddress(target.address(), target.port()), timeoutMillis);
            plain.setSoTimeout(timeoutMillis);
            Socket s = plain;
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, target.address().getHostAddress(),
                        target.port(), true);
                ssl.setUseClientMode(true);
                ssl.startHandshake();
                s = ssl;
            }
            return new ImapClient(s, bufferSize);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    String greeting() {
        return greeting;
    }

    void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** Sends {@code TAG command} and reads to the tagged completion. */
    Response command(String command) throws IOException {
        String tag = nextTag();
        out.write((tag + " " + command + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return readResponse(tag);
    }

    Response login(String user, String password) throws IOException {
        return command("LOGIN " + Text.quoted(user) + " " + Text.quoted(password));
    }

    /** APPEND with a synchronizing literal: waits for the continuation request before the bytes. */
    Response append(String mailbox, String flags, byte[] message) throws IOException {
        String tag = nextTag();
        String head = tag + " APPEND " + Text.quoted(mailbox) + (flags == null ? "" : " (" + flags + ")")
                + " {" + message.length + "}\r\n";
        out.write(head.getBytes(StandardCharsets.UTF_8));
        out.flush();
        List<String> untagged = new ArrayList<>();
        while (true) {
            String l = readLine();
            if (l.startsWith("+")) break;
            if (l.startsWith(tag + " ")) return Response.of(tag, l, untagged, 0, untagged.size());
            untagged.add(l);
        }
        out.write(message);
        out.write('\r');
        out.write('\n');
        out.flush();
        Response r = readResponse(tag);
        untagged.addAll(r.untagged());
        return new Response(r.tag(), r.status(), r.text(), untagged, r.untaggedCount() + untagged.size() - r.untagged().size(),
                r.literalBytes());
    }

    /** Starts IDLE (RFC 2177) and returns once the server sent its continuation request. */
    void idle() throws IOException {
        String tag = nextTag();
        out.write((tag + " IDLE\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        while (true) {
            String l = readLine();
            if (l.startsWith("+")) {
                idling = true;
                return;
            }
            if (l.startsWith(tag + " ")) throw new IOException("IDLE refused: " + Text.shorten(l));
        }
    }

    boolean isIdling() {
        return idling;
    }

    /** Ends IDLE and logs out without waiting for the answers. */
    void doneAndLogout() throws IOException {
        out.write("DONE\r\nZ LOGOUT\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    Response logout() throws IOException {
        return command("LOGOUT");
    }

    /** One line without CRLF, for IDLE waits; a literal in it is skipped. */
    String readLine() throws IOException {
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) throw new EOFException("connection closed by the server");
            if (b == '\n') {
                if (n > 0 && line[n - 1] == '\r') n--;
                return new String(line, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (n == line.length) {
                if (n >= MAX_LINE) throw new IOException("response line longer than " + MAX_LINE + " bytes");
                line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE, n * 2));
            }
            line[n++] = (byte) b;
        }
    }

    private Response readResponse(String tag) throws IOException {
        List<String> untagged = new ArrayList<>();
        int count = 0;
        long literalBytes = 0;
        String prefix = tag + " ";
        while (true) {
            String l = readLine();
            long lit;
            // A response line may carry any number of literals; each ends the line part before it.
            while ((lit = Text.trailingLiteral(l)) >= 0) {
                if (lit > MAX_LITERAL) throw new IOException("literal of " + lit + " bytes in a response");
                skip(lit);
                literalBytes += lit;
                l = l + "<" + lit + ">" + readLine();
            }
            if (l.startsWith(prefix)) return Response.of(tag, l, untagged, literalBytes, count);
            count++;
            if (untagged.size() < MAX_KEPT_UNTAGGED) untagged.add(l);
        }
    }

    private void skip(long n) throws IOException {
        while (n > 0) {
            long k = in.skip(n);
            if (k <= 0) {
                if (in.read() < 0) throw new EOFException("connection closed inside a literal");
                k = 1;
            }
            n -= k;
        }
    }

    private String nextTag() {
        return "A" + (++tagNo);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** A completed command: its status word (OK, NO, BAD), the kept untagged lines and their total count. */
    record Response(String tag, String status, String text, List<String> untagged, int untaggedCount, long literalBytes) {
        static Response of(String tag, String taggedLine, List<String> untagged, long literalBytes, int count) {
            String rest = taggedLine.substring(tag.length() + 1);
            int sp = rest.indexOf(' ');
            String status = (sp < 0 ? rest : rest.substring(0, sp)).toUpperCase(java.util.Locale.ROOT);
            return new Response(tag, status, sp < 0 ? "" : rest.substring(sp + 1), untagged, count, literalBytes);
        }

        boolean ok() {
            return status.equals("OK");
        }

        /** Throws unless OK, so a workload counts a refused command as an error, never as work done. */
        Response requireOk(String what) throws IOException {
            if (!ok()) throw new IOException(what + ": " + status + " " + Text.shorten(text));
            return this;
        }

        /**
         * Like {@link #requireOk} but also accepts {@code NO [EXPUNGEISSUED]}: RFC 9051 §7.1 lets a server
         * refuse part of a FETCH or STORE because another session expunged messages meanwhile (several
         * clients on one user expunging). The command was answered; the client learns of the expunge
         * at its next command, so this counts as work done, not an error.
         */
        Response requireAnswered(String what) throws IOException {
            if (ok() || expungeIssued()) return this;
            throw new IOException(what + ": " + status + " " + Text.shorten(text));
        }

        boolean expungeIssued() {
            return status.equals("NO") && text.regionMatches(true, 0, "[EXPUNGEISSUED]", 0, 15);
        }

        /** The number N of the last "* N EXISTS", or -1. */
        long exists() {
            long n = -1;
            for (String u : untagged) {
                if (u.endsWith(" EXISTS") && u.startsWith("* ")) n = Long.parseLong(u.substring(2, u.length() - 7));
            }
            return n;
        }
    }
}
