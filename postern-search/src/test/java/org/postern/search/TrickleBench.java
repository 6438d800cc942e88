// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.store.PasswordRecord;
import org.postern.store.sqlite.SqliteMailStore;

/**
 * The indexer's CPU per message in the steady trickle of the IMAP mix (issue 4), run by hand (not a
 * test): {@code java -cp ... org.postern.search.TrickleBench MBOX [messages] [mailboxes] [per_s] [rounds]}, MBOX
 * from {@code shared/bench/gen_mbox.py}. Each mailbox is preloaded with 20 messages (indexed as catch-up),
 * then messages arrive one at a time, round robin over the mailboxes, at about {@code per_s}, each after
 * expunging the mailbox's last message (as each session of the IMAP mix does); each round
 * ends when every mailbox is searchable up to its last message. Prints, per round, the CPU of the
 * indexer thread per message and the process CPU per message less the appending thread (merges, GC and
 * JIT included), then the medians (and the least) of the rounds after the first (warm-up).
 */
public final class TrickleBench {
    public static void main(String[] args) throws Exception {
        List<byte[]> mbox = readMbox(Path.of(args[0]));
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1500;
        int boxes = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        int perSecond = args.length > 3 ? Integer.parseInt(args[3]) : 250;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 4;
        Path dir = Files.createTempDirectory("tricklebench");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (SqliteMailStore store = SqliteMailStore.open(dir.resolve("data"))) {
            store.directory().addDomain("example.org");
            long[] accounts = new long[boxes];
            long[] inboxes = new long[boxes];
            long[] last = new long[boxes];
            int next = 0;
            for (int b = 0; b < boxes; b++) {
                accounts[b] = store.directory().createAccount("u" + b + "@example.org", PasswordRecord.NONE, false).id();
                inboxes[b] = store.mailboxes().find(accounts[b], Mailbox.INBOX).orElseThrow().id();
                for (int i = 0; i < 20; i++) last[b] = append(store, accounts[b], inboxes[b], mbox.get(next++ % mbox.size()));
            }
            try (SearchIndex index = LuceneSearchIndex.open(dir.resolve("data/index"), store)) {
                await(index, accounts, inboxes, last);
                Thread indexer = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().equals("search-indexer")).findFirst().orElseThrow();
                double[] perMessage = new double[rounds];
                double[] processPerMessage = new double[rounds];
                long gap = 1_000_000_000L / perSecond;
                for (int r = 0; r < rounds; r++) {
                    long cpu0 = threads.getThreadCpuTime(indexer.threadId());
                    long proc0 = os.getProcessCpuTime() - threads.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        int b = i % boxes;
                        // As a mix session does: expunge the mailbox's last message, append one.
                        store.mailboxes().expunge(accounts[b], inboxes[b], List.of(last[b]));
                        last[b] = append(store, accounts[b], inboxes[b], mbox.get(next++ % mbox.size()));
                        long due = t0 + (i + 1) * gap;
                        while (System.nanoTime() < due) Thread.sleep(Duration.ofNanos(Math.max(0, due - System.nanoTime())));
                    }
                    await(index, accounts, inboxes, last);
                    long wall = System.nanoTime() - t0;
                    perMessage[r] = (threads.getThreadCpuTime(indexer.threadId()) - cpu0) / 1e6 / n;
                    processPerMessage[r] = (os.getProcessCpuTime() - threads.getCurrentThreadCpuTime() - proc0) / 1e6 / n;
                    System.out.printf("round %d: %d messages in %d ms; indexer thread %.3f ms CPU/message, process less appender %.3f%n",
                            r, n, wall / 1_000_000, perMessage[r], processPerMessage[r]);
                }
                System.out.printf("median of rounds 1..%d: indexer thread %.3f ms CPU/message, process less appender %.3f%n",
                        rounds - 1, median(perMessage), median(processPerMessage));
                // Neighbours on a shared machine only ever add to CPU time (cache, hyper-threads): the least
                // round is the steadiest figure there.
                System.out.printf("least of rounds 1..%d: indexer thread %.3f ms CPU/message%n", rounds - 1,
                        Arrays.stream(perMessage, Math.min(1, rounds - 1), rounds).min().orElseThrow());
                long q0 = System.nanoTime();
                int hits = 0;
                for (String w : new String[] {"proposal", "the", "rollout schedule", "zzqq", "é", "bounce customer"}) {
                    for (int b = 0; b < boxes; b++) hits += index.find(accounts[b], inboxes[b], new TextQuery.Text(w)).uids().length;
                }
                System.out.printf("%d TEXT searches: %d ms, %d hits%n", 6 * boxes, (System.nanoTime() - q0) / 1_000_000, hits);
            }
        }
    }

    private static double median(double[] all) {
        double[] v = Arrays.copyOfRange(all, Math.min(1, all.length - 1), all.length);
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static void await(SearchIndex index, long[] accounts, long[] inboxes, long[] last) throws InterruptedException {
        for (int b = 0; b < accounts.length; b++) {
            if (!index.awaitIndexed(accounts[b], inboxes[b], last[b], Duration.ofMinutes(5))) throw new IllegalStateException("timeout");
        }
    }

    /** The messages of an mbox (mboxo: "From " lines separate, "&gt;From " unquoted), CRLF line ends. */
    static List<byte[]> readMbox(Path p) throws Exception {
        List<byte[]> out = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : Files.readAllLines(p, StandardCharsets.ISO_8859_1)) {
            if (line.startsWith("From ")) {
                if (cur != null) out.add(cur.toString().getBytes(StandardCharsets.ISO_8859_1));
                cur = new StringBuilder();
                continue;
            }
            if (cur == null) continue;
            if (line.startsWith(">From ")) line = line.substring(1);
            cur.append(line).append("\r\n");
        }
        if (cur != null) out.add(cur.toString().getBytes(StandardCharsets.ISO_8859_1));
        return out;
    }

    private static long append(SqliteMailStore store, long acc, long mailbox, byte[] msg) throws Exception {
        String id;
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            OutputStream out = w.stream();
            out.write(msg);
            id = w.commit();
        }
        return store.mailboxes().append(acc, mailbox, id, msg.length, Set.of(), Instant.now()).uid();
    }
}
