// SPDX-License-Identifier: Apache-2.0
package org.postern.it.smtp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted SMTP server on 127.0.0.1 standing in for a remote MX: answers RCPT and the final "."
 * as the test's {@link Script} says, and records a message only when it answered 2xx to the final
 * "." (what the sender can count as delivered).
 */
final class SmtpSink implements AutoCloseable {
    record Received(String mailFrom, List<String> recipients, String data, int session) {}

    interface Script {
        /** The reply to RCPT TO for {@code address} in session number {@code session} (from 1). */
        default String rcpt(String address, int session) {
            return "250 2.1.5 Ok";
        }

        default String endOfData(int session) {
            return "250 2.0.0 Ok";
        }

        /** Never answer the final "." of this session: wait until the sender goes away. */
        default boolean hold(int session) {
            return false;
        }
    }

    private final ServerSocket server;
    private final Script script;
    private final List<Received> accepted = new CopyOnWriteArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final AtomicInteger sessions = new AtomicInteger();
    private final AtomicInteger holding = new AtomicInteger();
    private volatile boolean closed;

    private SmtpSink(ServerSocket server, Script script) {
        this.server = server;
        this.script = script;
    }

    static SmtpSink start(Script script) throws IOException {
        SmtpSink s = new SmtpSink(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")), script);
        Thread.ofVirtual().start(s::accept);
        return s;
    }

    int port() {
        return server.getLocalPort();
    }

    List<Received> accepted() {
        return List.copyOf(accepted);
    }

    int sessions() {
        return sessions.get();
    }

    /** Sessions currently waiting, after the final ".", for a sender that will never hear back. */
    int holding() {
        return holding.get();
    }

    List<String> log() {
        return List.copyOf(log);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = server.accept();
                int n = sessions.incrementAndGet();
                Thread.ofVirtual().start(() -> session(s, n));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void session(Socket socket, int n) {
        try (socket) {
            socket.setSoTimeout(60_000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            reply(out, "220 sink.test ESMTP");
            String from = null;
            List<String> rcpts = new ArrayList<>();
            String line;
            while ((line = readLine(in)) != null) {
                log.add(n + " C: " + line);
                String upper = line.toUpperCase(Locale.ROOT);
                if (upper.startsWith("EHLO")) {
                    reply(out, "250-sink.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 10000000\r\n250 ENHANCEDSTATUSCODES");
                } else if (upper.startsWith("MAIL FROM:")) {
                    from = path(line.substring(10));
                    rcpts.clear();
                    reply(out, "250 2.1.0 Ok");
                } else if (upper.startsWith("RCPT TO:")) {
                    String to = path(line.substring(8));
                    String r = script.rcpt(to, n);
                    if (r.startsWith("2")) rcpts.add(to);
                    reply(out, r);
                } else if (upper.equals("DATA")) {
                    if (rcpts.isEmpty()) {
                        reply(out, "554 5.5.1 No valid recipients");
                        continue;
                    }
                    reply(out, "354 go ahead");
                    String data = readData(in);
                    if (data == null) return;
                    if (script.hold(n)) {
                        holding.incrementAndGet();
                        try {
                            while (in.read() >= 0) {
                                // wait for the peer to die or give up
                            }
                        } finally {
                            holding.decrementAndGet();
                        }
                        return;
                    }
                    String r = script.endOfData(n);
                    if (r.startsWith("2")) accepted.add(new Received(from, List.copyOf(rcpts), data, n));
                    reply(out, r);
                } else if (upper.equals("QUIT")) {
                    reply(out, "221 2.0.0 Bye");
                    return;
                } else if (upper.equals("RSET") || upper.equals("NOOP")) {
                    reply(out, "250 2.0.0 Ok");
                } else {
                    reply(out, "502 5.5.1 Not implemented");
                }
            }
        } catch (IOException e) {
            log.add(n + " closed: " + e);
        }
    }

    private static String path(String s) {
        String t = s.strip();
        int end = t.indexOf('>');
        return t.startsWith("<") && end > 0 ? t.substring(1, end) : t;
    }

    /** The data section dot-unstuffed, or null when the connection ends inside it. */
    private static String readData(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        String line;
        while ((line = readLine(in)) != null) {
            if (line.equals(".")) return b.toString(StandardCharsets.UTF_8);
            b.writeBytes((line.startsWith(".") ? line.substring(1) : line).getBytes(StandardCharsets.UTF_8));
            b.writeBytes(new byte[] {'\r', '\n'});
        }
        return null;
    }

    /** A CRLF line; a bare LF also ends one but is marked, so the test can see it. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                if (bytes.length > 0 && bytes[bytes.length - 1] == '\r') {
                    return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
                }
                return new String(bytes, StandardCharsets.UTF_8) + "<BARE-LF>";
            }
            b.write(c);
        }
        return null;
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
    }
}
