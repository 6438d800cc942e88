// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.postern.store.Account;
import org.postern.store.BlobStore;
import org.postern.store.Intake;
import org.postern.store.Mailbox;
import org.postern.store.MailStore;
import org.postern.store.sqlite.SqliteMailStore;

/**
 * {@code load-store}: puts N messages into one account's INBOX straight through the store API (blob,
 * then {@link MailStore#deliver}), far faster than SMTP, for the large-mailbox timings. Run it while
 * the server is stopped. Each message gets a unique first header line, so every blob is distinct and
 * nothing is shared that a real mailbox would not share; three in four are flagged \Seen.
 */
final class StoreLoader {
    static final Set<String> VALUED = Set.of("data", "account", "count", "mbox", "threads");
    static final int MAX_COUNT = 2_000_000;

    private StoreLoader() {}

    static int run(List<String> args) throws Exception {
        Options o = Options.parse(args, VALUED, Set.of());
        Path data = Path.of(o.required("data"));
        String address = o.required("account");
        int count = o.integer("count", 100_000, 1, MAX_COUNT);
        int threads = o.integer("threads", 2, 1, 32);
        List<byte[]> messages = Mbox.read(Path.of(o.required("mbox")));
        long t0 = System.nanoTime();
        try (MailStore store = SqliteMailStore.open(data)) {
            Account acc = store.directory().account(address)
                    .orElseThrow(() -> new IllegalArgumentException("no account " + address + " (create it first)"));
            Mailbox inbox = store.mailboxes().find(acc.id(), Mailbox.INBOX).orElseThrow();
            BlobStore blobs = store.blobs();
            AtomicInteger next = new AtomicInteger();
            Instant epoch = Instant.parse("2024-01-01T00:00:00Z");
            List<Future<?>> done = new java.util.ArrayList<>();
            // Blob writes (each fsynced) run in parallel; deliver() serializes on the database anyway.
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        int i;
                        while ((i = next.getAndIncrement()) < count) {
                            byte[] m = messages.get(i % messages.size());
                            byte[] head = ("X-Bench-Seq: " + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
                            String id;
                            try (BlobStore.BlobWriter w = blobs.create()) {
                                OutputStream out = w.stream();
                                out.write(head);
                                out.write(m);
                                id = w.commit();
                            }
                            Set<String> flags = i % 4 == 3 ? Set.of() : Set.of("\\Seen");
                            store.deliver(new Intake(id, head.length + m.length, epoch.plusSeconds(60L * i),
                                    List.of(new Intake.Target(acc.id(), inbox.id(), flags)), null));
                            if ((i + 1) % 10_000 == 0) {
                                System.err.printf("%d messages, %.1f s%n", i + 1, (System.nanoTime() - t0) / 1e9);
                            }
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> f : done) f.get();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.println("{\"bench\":\"load-store\",\"account\":" + Text.json(address) + ",\"messages\":" + count
                + ",\"seconds\":" + MixBench.fmt(s) + ",\"per_s\":" + MixBench.fmt(count / s) + "}");
        return 0;
    }
}
