// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * {@code imap-mix}: N clients against one server for a fixed time.
 *
 * <p>Reconnecting (default): each client loops over whole sessions — connect (TLS handshake), LOGIN,
 * LIST, STATUS, SELECT, FETCH one message (FLAGS ENVELOPE BODYSTRUCTURE BODY.PEEK[]), STORE \Seen,
 * STORE \Deleted on the last message, EXPUNGE, APPEND one message from the mbox, LOGOUT — so each
 * mailbox keeps its size. Result: sessions/s.
 *
 * <p>{@code --stay-logged-in}: each client logs in and SELECTs once, then runs one phase per command
 * kind for {@code --seconds} each (FETCH of a random message, LIST "" "*", APPEND), so the rates are
 * FETCH/s, LIST/s and APPEND/s; the appended messages are expunged afterwards.
 */
final class MixBench {
    static final Set<String> VALUED = Set.of("host", "port", "users-file", "clients", "seconds", "mbox", "label",
            "warmup", "timeout-ms", "phases", "seed");
    static final Set<String> FLAGS = Set.of("ssl", "stay-logged-in");
    static final int MAX_CLIENTS = 2_000;
    static final String FETCH_ITEMS = "(FLAGS ENVELOPE BODYSTRUCTURE BODY.PEEK[])";
    static final String[] SESSION_STEPS = {"connect", "login", "list", "status", "select", "fetch", "store", "store_deleted",
        "expunge", "append", "logout"};

    private final Target target;
    private final SSLContext tls;
    private final Users users;
    private final List<byte[]> messages;
    private final int clients;
    private final double seconds;
    private final double warmup;
    private final int timeoutMillis;
    private final String label;
    private final long seed;
    private final AtomicInteger errorsPrinted = new AtomicInteger();

    private MixBench(Options o) throws IOException {
        target = Target.of(o.string("host", "127.0.0.1"), o.integer("port", 993, 1, 65535));
        tls = o.flag("ssl") ? TrustAll.context() : null;
        users = Users.read(Path.of(o.required("users-file")));
        messages = Mbox.read(Path.of(o.required("mbox")));
        if (messages.isEmpty()) throw new IllegalArgumentException("no messages in " + o.required("mbox"));
        clients = o.integer("clients", 10, 1, MAX_CLIENTS);
        seconds = o.decimal("seconds", 10, 0.5, 600);
        warmup = o.decimal("warmup", 0, 0, 120);
        timeoutMillis = o.integer("timeout-ms", 30_000, 100, 600_000);
        label = o.string("label", target.toString());
        seed = o.integer("seed", 1, 0, Integer.MAX_VALUE);
    }

    static int run(List<String> args) throws Exception {
        Options o = Options.parse(args, VALUED, FLAGS);
        MixBench b = new MixBench(o);
        if (o.flag("stay-logged-in")) {
            for (String phase : o.string("phases", "fetch,list,append").split(",")) {
                if (!Set.of("fetch", "list", "append").contains(phase)) {
                    throw new IllegalArgumentException("unknown phase " + phase + " (fetch, list, append)");
                }
            }
            b.loggedIn(List.of(o.string("phases", "fetch,list,append").split(",")));
        } else {
            b.reconnecting();
        }
        return 0;
    }

    /** One client's counters; merged after the run. */
    private static final class ClientStats {
        long done;
        long errors;
        final Map<String, Latencies> steps = new LinkedHashMap<>();

        Latencies step(String name) {
            return steps.computeIfAbsent(name, k -> new Latencies());
        }
    }

    private void reconnecting() throws InterruptedException {
        long start = System.nanoTime() + (long) (warmup * 1e9) + 200_000_000L;
        long end = start + (long) (seconds * 1e9);
        List<ClientStats> stats = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            ClientStats st = new ClientStats();
            stats.add(st);
            int id = c;
            threads.add(Thread.ofPlatform().name("mix-" + c).start(() -> {
                SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + id);
                int appendNo = 0;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    boolean measured = t0 >= start;
                    try {
                        session(id, rnd, appendNo++, measured ? st : null);
                        if (measured) {
                            st.done++;
                            st.step("session").add(System.nanoTime() - t0);
                        }
                    } catch (IOException | RuntimeException e) {
                        if (measured) st.errors++;
                        reportError(id, e);
                        pause(50);
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        ClientStats all = merge(stats);
        StringBuilder b = head("reconnect");
        b.append(",\"sessions\":").append(all.done).append(",\"sessions_per_s\":").append(fmt(all.done / seconds))
                .append(",\"errors\":").append(all.errors);
        appendSteps(b, all);
        System.out.println(b.append('}'));
    }

    private void session(int id, SplittableRandom rnd, int appendNo, ClientStats st) throws IOException {
        Users.User u = users.get(id);
        long t = System.nanoTime();
        try (ImapClient c = ImapClient.connect(target, SourceAddresses.forConnection(id), tls, timeoutMillis, 16 * 1024)) {
            t = lap(st, "connect", t);
            c.login(u.login(), u.password()).requireOk("LOGIN");
            t = lap(st, "login", t);
            c.command("LIST \"\" \"*\"").requireOk("LIST");
            t = lap(st, "list", t);
            c.command("STATUS INBOX (MESSAGES UIDNEXT UNSEEN)").requireOk("STATUS");
            t = lap(st, "status", t);
            long exists = c.command("SELECT INBOX").requireOk("SELECT").exists();
            t = lap(st, "select", t);
            if (exists > 0) {
                long k = 1 + rnd.nextLong(exists);
                c.command("FETCH " + k + " " + FETCH_ITEMS).requireAnswered("FETCH");
                t = lap(st, "fetch", t);
                c.command("STORE " + k + " +FLAGS (\\Seen)").requireAnswered("STORE");
                t = lap(st, "store", t);
                c.command("STORE " + exists + " +FLAGS (\\Deleted)").requireAnswered("STORE \\Deleted");
                t = lap(st, "store_deleted", t);
                c.command("EXPUNGE").requireOk("EXPUNGE");
                t = lap(st, "expunge", t);
            }
            c.append("INBOX", null, message(id, appendNo)).requireOk("APPEND");
            t = lap(st, "append", t);
            c.logout();
            lap(st, "logout", t);
        }
    }

    private void loggedIn(List<String> phases) throws InterruptedException {
        List<ImapClient> conns = new ArrayList<>();
        long[] exists = new long[clients];
        try {
            CountDownLatch ready = new CountDownLatch(clients);
            ImapClient[] opened = new ImapClient[clients];
            List<Thread> openers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                openers.add(Thread.ofPlatform().start(() -> {
                    try {
                        ImapClient cl = ImapClient.connect(target, SourceAddresses.forConnection(id), tls, timeoutMillis, 16 * 1024);
                        opened[id] = cl;
                        Users.User u = users.get(id);
                        cl.login(u.login(), u.password()).requireOk("LOGIN");
                        exists[id] = cl.command("SELECT INBOX").requireOk("SELECT").exists();
                    } catch (IOException | RuntimeException e) {
                        reportError(id, e);
                    } finally {
                        ready.countDown();
                    }
                }));
            }
            ready.await();
            for (Thread t : openers) t.join();
            for (ImapClient c : opened) {
                if (c != null) conns.add(c);
            }
            if (conns.size() < clients) {
                System.err.println("only " + conns.size() + " of " + clients + " clients logged in; stopping");
                return;
            }
            for (String phase : phases) runPhase(phase, opened, exists);
        } finally {
            for (ImapClient c : conns) {
                try {
                    c.logout();
                } catch (IOException | RuntimeException e) {
                    // the result is already printed
                }
                c.close();
            }
        }
    }

    private void runPhase(String phase, ImapClient[] conns, long[] exists) throws InterruptedException {
        long start = System.nanoTime() + (long) (warmup * 1e9) + 100_000_000L;
        long end = start + (long) (seconds * 1e9);
        List<ClientStats> stats = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            ClientStats st = new ClientStats();
            stats.add(st);
            int id = c;
            threads.add(Thread.ofPlatform().name(phase + "-" + c).start(() -> {
                SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + id);
                ImapClient cl = conns[id];
                int appendNo = 0;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    boolean measured = t0 >= start;
                    try {
                        switch (phase) {
                            case "fetch" -> cl.command("FETCH " + (1 + rnd.nextLong(Math.max(1, exists[id]))) + " " + FETCH_ITEMS)
                                    .requireAnswered("FETCH");
                            case "list" -> cl.command("LIST \"\" \"*\"").requireOk("LIST");
                            case "append" -> cl.append("INBOX", null, message(id, appendNo++)).requireOk("APPEND");
                            default -> throw new IllegalStateException(phase);
                        }
                        if (measured) {
                            st.done++;
                            st.step(phase).add(System.nanoTime() - t0);
                        }
                    } catch (IOException | RuntimeException e) {
                        if (measured) st.errors++;
                        reportError(id, e);
                        // A broken connection stays broken: this client stops rather than spin.
                        return;
                    }
                }
                if (phase.equals("append")) {
                    try {
                        // Back to the loaded size, so the next run starts from the same mailbox.
                        cl.command("STORE " + (exists[id] + 1) + ":* +FLAGS.SILENT (\\Deleted)").requireOk("STORE");
                        cl.command("EXPUNGE").requireOk("EXPUNGE");
                    } catch (IOException | RuntimeException e) {
                        reportError(id, e);
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        ClientStats all = merge(stats);
        StringBuilder b = head("logged-in");
        b.append(",\"command\":").append(Text.json(phase.toUpperCase(java.util.Locale.ROOT)))
                .append(",\"commands\":").append(all.done).append(",\"per_s\":").append(fmt(all.done / seconds))
                .append(",\"errors\":").append(all.errors);
        appendSteps(b, all);
        System.out.println(b.append('}'));
    }

    /** Each client appends a different message each time, cycling through the mbox. */
    private byte[] message(int client, int n) {
        return messages.get(Math.floorMod(client * 7919 + n, messages.size()));
    }

    private StringBuilder head(String mode) {
        return new StringBuilder("{\"bench\":\"imap-mix\",\"label\":").append(Text.json(label))
                .append(",\"mode\":\"").append(mode).append("\",\"target\":\"").append(target)
                .append("\",\"tls\":").append(tls != null).append(",\"clients\":").append(clients)
                .append(",\"seconds\":").append(fmt(seconds));
    }

    private static void appendSteps(StringBuilder b, ClientStats all) {
        b.append(",\"p50_ms\":{");
        boolean first = true;
        for (var e : all.steps.entrySet()) {
            if (!first) b.append(',');
            first = false;
            b.append('"').append(e.getKey()).append("\":").append(fmt(e.getValue().percentileMillis(50)));
        }
        b.append("},\"p99_ms\":{");
        first = true;
        for (var e : all.steps.entrySet()) {
            if (!first) b.append(',');
            first = false;
            b.append('"').append(e.getKey()).append("\":").append(fmt(e.getValue().percentileMillis(99)));
        }
        b.append('}');
    }

    private static ClientStats merge(List<ClientStats> stats) {
        ClientStats all = new ClientStats();
        for (String s : SESSION_STEPS) all.step(s);
        for (ClientStats st : stats) {
            all.done += st.done;
            all.errors += st.errors;
            for (var e : st.steps.entrySet()) all.step(e.getKey()).addAll(e.getValue());
        }
        all.steps.values().removeIf(l -> l.count() == 0);
        return all;
    }

    private static long lap(ClientStats st, String step, long t) {
        long now = System.nanoTime();
        if (st != null) st.step(step).add(now - t);
        return now;
    }

    private void reportError(int client, Exception e) {
        if (errorsPrinted.incrementAndGet() <= 5) System.err.println("client " + client + ": " + e);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String fmt(double d) {
        if (Double.isNaN(d)) return "null";
        return String.format(java.util.Locale.ROOT, d >= 100 ? "%.1f" : "%.3f", d);
    }
}
