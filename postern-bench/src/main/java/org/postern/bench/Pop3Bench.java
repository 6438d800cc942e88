// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * POP3 retrieval throughput (issue 5): C clients on virtual threads, each looping sessions of
 * connect, USER/PASS as the next of its own users ({@link #userFor}), LIST, RETR every message (no DELE, so
 * the maildrops stay as they are), QUIT. Bounded in time (--seconds per run) and count
 * (--max-sessions). Prints one JSON line per run and one with the medians; also the CPU time this
 * generator used, because it shares the machine's cores with the server under test.
 *
 * <p>TLS sessions are resumed when the server offers it (RFC 8446 §2.2 PSK), as the JDK and real
 * clients do; {@code --no-resume} gives every connection a full handshake, for servers that offer no
 * resumption (Dovecot 2.3's forked login processes here). "tls_resumed" counts resumed handshakes.
 */
final class Pop3Bench {
    private static final Set<String> VALUED = Set.of("host", "port", "user", "users", "password", "clients", "seconds",
            "runs", "max-sessions", "label", "timeout");
    private static final Set<String> FLAGS = Set.of("ssl", "no-resume");

    private final Target target;
    private final SSLContext tls;
    /** Every connection with a full TLS handshake: a client context of its own, with no session to resume. */
    private final boolean noResume;
    private final String userTemplate;
    private final int firstUser;
    private final int userCount;
    private final String password;
    private final int clients;
    private final double seconds;
    private final long maxSessions;
    private final String label;
    private final int timeoutMillis;

    private Pop3Bench(Options o) {
        target = Target.of(o.string("host", "127.0.0.1"), o.integer("port", 995, 1, 65535));
        tls = o.flag("ssl") ? TrustAll.context() : null;
        noResume = o.flag("no-resume");
        userTemplate = o.required("user");
        if (!userTemplate.contains("%d")) throw new IllegalArgumentException("--user needs %d, e.g. test%d@example.test");
        String[] range = o.required("users").split("-", 2);
        try {
            firstUser = Integer.parseInt(range[0]);
            int last = range.length == 2 ? Integer.parseInt(range[1]) : firstUser;
            userCount = last - firstUser + 1;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--users must be FIRST-LAST, e.g. 1-100");
        }
        if (userCount < 1 || userCount > Users.MAX_USERS) throw new IllegalArgumentException("--users: bad range");
        password = o.required("password");
        clients = o.integer("clients", 10, 1, 10_000);
        seconds = o.decimal("seconds", 15, 0.1, 3600);
        maxSessions = o.integer("max-sessions", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
        label = o.string("label", target.toString());
        timeoutMillis = o.integer("timeout", 30_000, 100, 600_000);
    }

    static int run(List<String> args) throws Exception {
        Options o = Options.parse(args, VALUED, FLAGS);
        Pop3Bench b = new Pop3Bench(o);
        int runs = o.integer("runs", 3, 1, 100);
        double[] msgs = new double[runs];
        double[] sessions = new double[runs];
        double[] clientCpu = new double[runs];
        long errors = 0;
        for (int r = 0; r < runs; r++) {
            Result res = b.once();
            msgs[r] = res.messages / res.seconds;
            sessions[r] = res.sessions / res.seconds;
            clientCpu[r] = res.cpuSeconds / res.seconds;
            errors += res.errors;
            System.out.println("{\"bench\":\"pop3\",\"label\":" + Text.json(b.label) + ",\"run\":" + (r + 1)
                    + ",\"clients\":" + b.clients + ",\"seconds\":" + MixBench.fmt(res.seconds)
                    + ",\"sessions\":" + res.sessions + ",\"messages\":" + res.messages + ",\"bytes\":" + res.bytes
                    + ",\"errors\":" + res.errors + ",\"tls_resumed\":" + res.resumed + ",\"msgs_per_s\":" + MixBench.fmt(msgs[r])
                    + ",\"client_cpu_cores\":" + MixBench.fmt(clientCpu[r]) + "}");
            System.out.flush();
        }
        System.out.println("{\"bench\":\"pop3\",\"label\":" + Text.json(b.label) + ",\"median\":true,\"clients\":"
                + b.clients + ",\"runs\":" + runs + ",\"msgs_per_s\":" + MixBench.fmt(median(msgs))
                + ",\"sessions_per_s\":" + MixBench.fmt(median(sessions)) + ",\"client_cpu_cores\":"
                + MixBench.fmt(median(clientCpu)) + ",\"errors\":" + errors + "}");
        return errors > 0 && median(msgs) == 0 ? 1 : 0;
    }

    private record Result(long sessions, long messages, long bytes, long errors, double seconds, double cpuSeconds,
            long resumed) {}

    private Result once() throws InterruptedException {
        AtomicLong sessionsLeft = new AtomicLong(maxSessions);
        AtomicLong sessions = new AtomicLong();
        AtomicLong messages = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong resumed = new AtomicLong();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>(clients);
        for (int c = 0; c < clients; c++) {
            int id = c;
            threads.add(Thread.ofVirtual().name("pop3-" + c).start(() -> {
                int round = 0;
                while (System.nanoTime() < end && sessionsLeft.getAndDecrement() > 0) {
                    String user = userTemplate.replace("%d", Integer.toString(firstUser + userFor(id, round++, clients, userCount)));
                    try (Pop3Client p = Pop3Client.connect(target, SourceAddresses.forConnection(id),
                            tls != null && noResume ? TrustAll.context() : tls, timeoutMillis)) {
                        if (p.resumed()) resumed.incrementAndGet();
                        p.login(user, password);
                        int n = p.list();
                        long octets = 0;
                        for (int m = 1; m <= n; m++) octets += p.retr(m);
                        p.quit();
                        // Counted only once the session completed: a broken one retrieved nothing.
                        sessions.incrementAndGet();
                        messages.addAndGet(n);
                        bytes.addAndGet(octets);
                    } catch (IOException | RuntimeException e) {
                        if (errors.incrementAndGet() <= 5) System.err.println("pop3 client " + id + " (" + user + "): " + e);
                        pauseAfterError(end);
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        double secs = (System.nanoTime() - t0) / 1e9;
        return new Result(sessions.get(), messages.get(), bytes.get(), errors.get(), secs,
                (processCpuNanos() - cpu0) / 1e9, resumed.get());
    }

    /**
     * The user index of client {@code id}'s {@code round}-th session. Each client cycles through its
     * own share of the users (id, id + clients, ...), so no two clients log in as the same user at
     * once while there are at least as many users as clients: POP3 locks the maildrop (RFC 1939 §4),
     * and one user's clients waiting for each other's lock is not what this measures.
     */
    static int userFor(int id, int round, int clients, int userCount) {
        if (clients >= userCount) return id % userCount;
        int share = (userCount - id + clients - 1) / clients;
        return id + (round % share) * clients;
    }

    private static void pauseAfterError(long end) {
        long ms = Math.min(20, Math.max(0, (end - System.nanoTime()) / 1_000_000));
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
