// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.Set;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.store.PasswordRecord;
import org.postern.store.sqlite.SqliteMailStore;

/**
 * Indexing throughput, run by hand (not a test): {@code java -cp ... org.postern.search.IndexBench [n] [kb]}.
 * Bulk: n messages of about kb KB appended before the index opens (the catch-up path). Trickle: n/5
 * more appended one at a time while it runs (the delivery path). Prints messages/s and process CPU
 * ms per message (merges included).
 */
public final class IndexBench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int kb = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path dir = Files.createTempDirectory("indexbench");
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Random rnd = new Random(1);
        String[] vocab = new String[4000];
        for (int i = 0; i < vocab.length; i++) {
            StringBuilder w = new StringBuilder();
            int len = 2 + rnd.nextInt(9);
            for (int k = 0; k < len; k++) w.append((char) ('a' + rnd.nextInt(26)));
            vocab[i] = w.toString();
        }
        try (SqliteMailStore store = SqliteMailStore.open(dir.resolve("data"))) {
            store.directory().addDomain("example.org");
            long acc = store.directory().createAccount("a@example.org", PasswordRecord.NONE, false).id();
            long inbox = store.mailboxes().find(acc, Mailbox.INBOX).orElseThrow().id();
            long uid = 0;
            for (int i = 0; i < n; i++) uid = append(store, acc, inbox, message(rnd, vocab, i, kb));
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            SearchIndex index = LuceneSearchIndex.open(dir.resolve("data/index"), store);
            if (!index.awaitIndexed(acc, inbox, uid, Duration.ofMinutes(30))) throw new IllegalStateException("timeout");
            report("bulk", n, System.nanoTime() - t0, os.getProcessCpuTime() - cpu0);
            int m = n / 5;
            byte[][] more = new byte[m][];
            for (int i = 0; i < m; i++) more[i] = message(rnd, vocab, n + i, kb);
            cpu0 = os.getProcessCpuTime();
            t0 = System.nanoTime();
            for (int i = 0; i < m; i++) {
                uid = append(store, acc, inbox, more[i]);
                Thread.sleep(2); // deliveries arrive one by one, not as one backlog
            }
            if (!index.awaitIndexed(acc, inbox, uid, Duration.ofMinutes(30))) throw new IllegalStateException("timeout");
            report("trickle (store appends included)", m, System.nanoTime() - t0, os.getProcessCpuTime() - cpu0);
            long q0 = System.nanoTime();
            int hits = 0;
            for (int i = 0; i < 200; i++) hits += index.find(acc, inbox, new TextQuery.Text(vocab[i * 7] + " " + vocab[i * 7 + 1])).uids().length;
            System.out.printf("200 two-word TEXT searches: %d ms, %d hits%n", (System.nanoTime() - q0) / 1_000_000, hits);
            q0 = System.nanoTime();
            hits = 0;
            for (int i = 0; i < 20; i++) hits += index.find(acc, inbox, new TextQuery.Body(vocab[i] + vocab[i])).uids().length;
            System.out.printf("20 BODY searches of absent doubled common words: %d ms, %d hits%n", (System.nanoTime() - q0) / 1_000_000, hits);
            q0 = System.nanoTime();
            hits = 0;
            for (int i = 0; i < 20; i++) hits += index.find(acc, inbox, new TextQuery.Body(vocab[i])).uids().length;
            System.out.printf("20 BODY searches of common words: %d ms, %d hits%n", (System.nanoTime() - q0) / 1_000_000, hits);
            index.close();
        }
        long bytes;
        try (var s = Files.walk(dir.resolve("data/index"))) {
            bytes = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf("index size: %d MB%n", bytes >> 20);
    }

    private static void report(String what, int n, long nanos, long cpuNanos) {
        System.out.printf("%s: %d messages in %d ms = %.0f messages/s, CPU %.2f ms/message%n", what, n, nanos / 1_000_000,
                n / (nanos / 1e9), cpuNanos / 1e6 / n);
    }

    private static byte[] message(Random rnd, String[] vocab, int i, int kb) {
        StringBuilder b = new StringBuilder();
        b.append("From: Sender ").append(i % 97).append(" <s").append(i % 97).append("@example.com>\r\n");
        b.append("To: a@example.org\r\nSubject: ").append(vocab[rnd.nextInt(vocab.length)]).append(' ')
                .append(vocab[rnd.nextInt(vocab.length)]).append(" #").append(i).append("\r\n");
        b.append("Message-ID: <").append(i).append(".").append(rnd.nextLong()).append("@example.com>\r\n");
        b.append("Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
        int col = 0;
        while (b.length() < kb * 1024) {
            // Zipf-like: common words dominate, as in real text.
            String w = vocab[(int) Math.min(vocab.length - 1, Math.abs(rnd.nextGaussian()) * 400)];
            b.append(w);
            col += w.length() + 1;
            if (col > 70) {
                b.append("\r\n");
                col = 0;
            } else {
                b.append(' ');
            }
        }
        return b.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
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
