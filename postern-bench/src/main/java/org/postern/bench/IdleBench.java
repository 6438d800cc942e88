// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.net.ssl.SSLContext;

/**
 * {@code imap-idle}: N connections in IDLE (RFC 2177), spread over the users of the users file, and
 * the server's memory before and after (process tree RSS and PSS, see {@link ProcessMemory}); then one
 * message delivered over SMTP to every user with an idling connection, timed until every connection
 * has seen its {@code * n EXISTS}.
 */
final class IdleBench {
    static final Set<String> VALUED = Set.of("host", "port", "users-file", "connections", "pid", "settle", "concurrency",
            "smtp-port", "deliver-timeout", "max-time", "label", "timeout-ms");
    static final Set<String> FLAGS = Set.of("ssl", "jcmd-gc");
    static final int MAX_CONNECTIONS = 20_000;
    /** RFC 5321 §4.5.3.1.8: servers must take at least 100 recipients per transaction. */
    static final int RCPT_PER_MESSAGE = 100;

    private IdleBench() {}

    static int run(List<String> args) throws Exception {
        Options o = Options.parse(args, VALUED, FLAGS);
        Target target = Target.of(o.string("host", "127.0.0.1"), o.integer("port", 993, 1, 65535));
        SSLContext tls = o.flag("ssl") ? TrustAll.context() : null;
        Users users = Users.read(Path.of(o.required("users-file")));
        int n = o.integer("connections", 1000, 1, MAX_CONNECTIONS);
        long pid = Long.parseLong(o.required("pid"));
        double settle = o.decimal("settle", 5, 0, 600);
        int concurrency = o.integer("concurrency", 50, 1, 1000);
        int smtpPort = o.integer("smtp-port", 0, 0, 65535);
        double deliverTimeout = o.decimal("deliver-timeout", 30, 1, 600);
        double maxTime = o.decimal("max-time", 600, 10, 3600);
        int timeout = o.integer("timeout-ms", 60_000, 1000, 600_000);
        boolean gc = o.flag("jcmd-gc");
        String label = o.string("label", target.toString());
        long deadline = System.nanoTime() + (long) (maxTime * 1e9);

        ProcessMemory base = ProcessMemory.of(pid);
        ProcessMemory baseGc = gc ? gcThenSample(pid) : null;
        ImapClient[] conns = new ImapClient[n];
        AtomicLongArray seenAt = new AtomicLongArray(n);
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger printed = new AtomicInteger();
        Semaphore inFlight = new Semaphore(concurrency);
        long t0 = System.nanoTime();
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                int id = i;
                vt.submit(() -> {
                    ImapClient c;
                    try {
                        inFlight.acquire();
                        try {
                            c = ImapClient.connect(target, SourceAddresses.forConnection(id), tls, timeout, 1024);
                            conns[id] = c;
                            Users.User u = users.get(id);
                            c.login(u.login(), u.password()).requireOk("LOGIN");
                            c.command("SELECT INBOX").requireOk("SELECT");
                            c.idle();
                            c.setTimeout(0);
                        } finally {
                            inFlight.release();
                        }
                        while (true) {
                            String l = c.readLine();
                            if (l.endsWith(" EXISTS")) {
                                seenAt.compareAndSet(id, 0, System.nanoTime());
                            }
                        }
                    } catch (IOException | RuntimeException | InterruptedException e) {
                        if (!closing) {
                            failed.incrementAndGet();
                            if (printed.incrementAndGet() <= 5) System.err.println("connection " + id + ": " + e);
                        }
                    }
                    return null;
                });
            }
            // Wait until every connection is idling or failed.
            while (idling(conns) + failed.get() < n && System.nanoTime() < deadline) Thread.sleep(100);
            double connectSeconds = (System.nanoTime() - t0) / 1e9;
            int idling = n - failed.get();
            System.err.println(idling + " idling, " + failed.get() + " failed, connect phase " + MixBench.fmt(connectSeconds) + " s");
            Thread.sleep((long) (settle * 1000));
            ProcessMemory loaded = ProcessMemory.of(pid);
            ProcessMemory loadedGc = gc ? gcThenSample(pid) : null;

            String delivery = "null";
            if (smtpPort > 0 && idling > 0) delivery = deliver(target, smtpPort, users, n, seenAt, deliverTimeout);

            StringBuilder b = new StringBuilder("{\"bench\":\"imap-idle\",\"label\":").append(Text.json(label))
                    .append(",\"target\":\"").append(target).append("\",\"tls\":").append(tls != null)
                    .append(",\"connections\":").append(n).append(",\"idling\":").append(idling)
                    .append(",\"failed\":").append(failed.get()).append(",\"connect_s\":").append(MixBench.fmt(connectSeconds))
                    .append(",\"settle_s\":").append(MixBench.fmt(settle))
                    .append(",\"base\":").append(base.json()).append(",\"loaded\":").append(loaded.json())
                    .append(",\"rss_growth_kib_per_conn\":").append(MixBench.fmt((loaded.rssKiB() - base.rssKiB()) / (double) Math.max(1, idling)))
                    .append(",\"pss_growth_kib_per_conn\":").append(MixBench.fmt((loaded.pssKiB() - base.pssKiB()) / (double) Math.max(1, idling)));
            if (gc) {
                b.append(",\"base_after_gc\":").append(baseGc.json()).append(",\"loaded_after_gc\":").append(loadedGc.json())
                        .append(",\"rss_growth_after_gc_kib_per_conn\":")
                        .append(MixBench.fmt((loadedGc.rssKiB() - baseGc.rssKiB()) / (double) Math.max(1, idling)));
            }
            b.append(",\"delivery\":").append(delivery);
            System.out.println(b.append('}'));
            closing = true;
            for (ImapClient c : conns) {
                if (c == null) continue;
                try {
                    c.doneAndLogout();
                } catch (IOException | RuntimeException e) {
                    // closing anyway
                }
            }
            Thread.sleep(500);
            for (ImapClient c : conns) {
                if (c != null) c.close();
            }
            vt.shutdownNow();
            vt.awaitTermination(30, TimeUnit.SECONDS);
        }
        return 0;
    }

    private static volatile boolean closing;

    /** Connections whose IDLE was accepted: the reader loop has set an infinite read timeout by then. */
    private static int idling(ImapClient[] conns) {
        int k = 0;
        for (ImapClient c : conns) {
            if (c != null && c.isIdling()) k++;
        }
        return k;
    }

    /**
     * Sends one message to every distinct user that has an idling connection, 100 recipients per
     * transaction, and waits until every connection saw EXISTS (or the timeout). Plain SMTP on
     * loopback, as another mail server would deliver.
     */
    private static String deliver(Target imap, int smtpPort, Users users, int n, AtomicLongArray seenAt, double timeoutS)
            throws IOException, InterruptedException {
        Set<String> rcpts = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) rcpts.add(users.get(i).login());
        List<String> list = new ArrayList<>(rcpts);
        long t0;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(imap.address(), smtpPort), 10_000);
            s.setSoTimeout(60_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            expect(in, "220");
            send(out, "EHLO bench.test");
            expect(in, "250");
            t0 = System.nanoTime();
            for (int from = 0; from < list.size(); from += RCPT_PER_MESSAGE) {
                send(out, "MAIL FROM:<idle-bench@bench.test>");
                expect(in, "250");
                for (String r : list.subList(from, Math.min(list.size(), from + RCPT_PER_MESSAGE))) {
                    send(out, "RCPT TO:<" + r + ">");
                    expect(in, "250");
                }
                send(out, "DATA");
                expect(in, "354");
                send(out, "From: <idle-bench@bench.test>\r\nTo: <undisclosed-recipients:;>\r\nSubject: idle wake-up\r\n"
                        + "Message-ID: <idle-" + System.nanoTime() + "@bench.test>\r\nDate: Thu, 1 Jan 2026 00:00:00 +0000\r\n\r\n"
                        + "wake up\r\n.");
                expect(in, "250");
            }
            send(out, "QUIT");
        }
        long sent = System.nanoTime();
        long until = t0 + (long) (timeoutS * 1e9);
        while (System.nanoTime() < until && count(seenAt) < n) Thread.sleep(5);
        long[] lat = new long[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            long v = seenAt.get(i);
            if (v != 0) lat[k++] = v - t0;
        }
        lat = Arrays.copyOf(lat, k);
        Arrays.sort(lat);
        return "{\"users\":" + list.size() + ",\"smtp_s\":" + MixBench.fmt((sent - t0) / 1e9) + ",\"reached\":" + k
                + ",\"p50_s\":" + (k == 0 ? "null" : MixBench.fmt(lat[k / 2] / 1e9))
                + ",\"all_s\":" + (k == 0 ? "null" : MixBench.fmt(lat[k - 1] / 1e9)) + "}";
    }

    private static int count(AtomicLongArray a) {
        int k = 0;
        for (int i = 0; i < a.length(); i++) {
            if (a.get(i) != 0) k++;
        }
        return k;
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads one (possibly multi-line) SMTP reply and checks its code. */
    private static void expect(BufferedReader in, String code) throws IOException {
        String l;
        do {
            l = in.readLine();
            if (l == null) throw new IOException("SMTP server closed the connection");
        } while (l.length() > 3 && l.charAt(3) == '-');
        if (!l.startsWith(code)) throw new IOException("SMTP: expected " + code + ", got " + Text.shorten(l));
    }

    /** Asks a JVM server for a full GC (jcmd PID GC.run), so the sample shows live memory, not garbage. */
    private static ProcessMemory gcThenSample(long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        Thread.sleep(1000);
        return ProcessMemory.of(pid);
    }
}
