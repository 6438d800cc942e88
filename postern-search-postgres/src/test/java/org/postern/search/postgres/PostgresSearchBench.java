// SPDX-License-Identifier: Apache-2.0
package org.postern.search.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import org.postern.core.mime.MessageParser;
import org.postern.core.mime.MimeMessage;
import org.postern.search.SearchIndex;
import org.postern.search.SearchText;
import org.postern.search.SnippetText;
import org.postern.search.TextQuery;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.store.PasswordRecord;
import org.postern.store.postgres.PostgresConfig;
import org.postern.store.postgres.PostgresMailStore;

/**
 * SEARCH BODY on a big mailbox in PostgreSQL, run by hand (not a test):
 * {@code java -cp ... org.postern.search.postgres.PostgresSearchBench [n] [kb] [m]}. First the indexing
 * path: m messages appended to a mailbox while the index is closed, then the time the index takes to
 * catch up (messages/s, this process's CPU per message). Then n messages of about kb KB of random words
 * are loaded as index rows straight into INBOX (their text normalised as the indexer does; the store's
 * own append path would take most of an hour on a loaded machine), and {@link SearchIndex#find} is timed
 * for needles found in 0.1% of the messages, in some percent, in none, a two-letter one and a two-word
 * phrase: median and 90th percentile wall time of 10 runs after 3 warm-up runs, and the CPU the PostgreSQL
 * backends of the search pool spent per search ({@code /proc/PID/stat}, 10 ms ticks).
 */
public final class PostgresSearchBench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int kb = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int m = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Random rnd = new Random(1);
        String[] vocab = new String[4000];
        for (int i = 0; i < vocab.length; i++) {
            StringBuilder w = new StringBuilder();
            int len = 3 + rnd.nextInt(8);
            for (int k = 0; k < len; k++) w.append((char) ('a' + rnd.nextInt(26)));
            vocab[i] = w.toString();
        }
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            PostgresConfig config = new PostgresConfig(pg.getJdbcUrl("postgres", "postgres"), "postgres", null).withPoolSize(8);
            try (PostgresMailStore store = PostgresMailStore.open(config)) {
                store.directory().addDomain("example.org");
                long acc = store.directory().createAccount("a@example.org", PasswordRecord.NONE, false).id();
                long inbox = store.mailboxes().find(acc, Mailbox.INBOX).orElseThrow().id();
                long bulk = store.mailboxes().create(acc, "Bulk", null).id();
                PostgresSearchIndex.open(config, store).close(); // creates the tables
                long uid = 0;
                for (int i = 0; i < m; i++) uid = append(store, acc, bulk, message(rnd, vocab, i, kb));
                long cpu0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                try (SearchIndex index = PostgresSearchIndex.open(config, store)) {
                    if (!index.awaitIndexed(acc, bulk, uid, Duration.ofMinutes(30))) throw new IllegalStateException("timeout");
                    long wall = System.nanoTime() - t0;
                    System.out.printf("indexing: %d messages in %.1f s = %.0f msg/s; %.2f ms client CPU per message%n", m, wall / 1e9,
                            m / (wall / 1e9), (os.getProcessCpuTime() - cpu0) / 1e6 / m);
                }
                t0 = System.nanoTime();
                try (Connection c = pg.getPostgresDatabase().getConnection()) {
                    try (Statement s = c.createStatement()) {
                        s.execute("DROP INDEX search_text_head, search_text_body, search_text_fields");
                    }
                    load(c, acc, inbox, n, rnd, vocab, kb);
                    System.out.printf("loaded %d rows in %.0f s%n", n, (System.nanoTime() - t0) / 1e9);
                    try (Statement s = c.createStatement()) {
                        t0 = System.nanoTime();
                        s.execute("SET maintenance_work_mem = '256MB'");
                        PostgresSearchSchema.createIndexes(s, true);
                        System.out.printf("trigram indexes built in %.0f s%n", (System.nanoTime() - t0) / 1e9);
                        s.execute("VACUUM ANALYZE search_text");
                        try (ResultSet rs = s.executeQuery("SELECT pg_size_pretty(pg_total_relation_size('search_text')),"
                                + " pg_size_pretty(pg_indexes_size('search_text'))")) {
                            rs.next();
                            System.out.printf("search_text: %s total, %s of it indexes%n", rs.getString(1), rs.getString(2));
                        }
                    }
                }
                // A long bound, to time what the server's 5 s bound would refuse.
                try (SearchIndex index = PostgresSearchIndex.open(config, store, Duration.ofSeconds(120));
                        Connection c = pg.getPostgresDatabase().getConnection()) {
                    time(c, index, acc, inbox, "rare (0.1%)", new TextQuery.Body("zqxmarker"));
                    time(c, index, acc, inbox, "common word", new TextQuery.Body(vocab[7]));
                    time(c, index, acc, inbox, "absent", new TextQuery.Body("absentqqword"));
                    time(c, index, acc, inbox, "two letters", new TextQuery.Body("qz"));
                    time(c, index, acc, inbox, "two words", new TextQuery.Body(vocab[3] + " " + vocab[4]));
                    time(c, index, acc, inbox, "TEXT rare", new TextQuery.Text("zqxmarker"));
                    time(c, index, acc, inbox, "SUBJECT word", new TextQuery.Header("subject", vocab[9]));
                }
            }
        }
    }

    /** Index rows for n messages, as the indexer writes them, and a mark the indexer leaves alone. */
    private static void load(Connection c, long acc, long inbox, int n, Random rnd, String[] vocab, int kb) throws Exception {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO search_text (account_id, mailbox_id, uid, replaced, head, body,"
                + " fields, subject, preview) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < n; i++) {
                MimeMessage msg = MessageParser.parse(message(rnd, vocab, i, kb));
                PostgresText.Row row = PostgresText.Row.of(SearchText.of(msg));
                SnippetText snip = SnippetText.of(msg);
                ps.setLong(1, acc);
                ps.setLong(2, inbox);
                ps.setLong(3, i + 1);
                ps.setBoolean(4, row.replaced());
                ps.setString(5, row.head());
                ps.setString(6, row.body());
                ps.setString(7, row.fields());
                ps.setString(8, snip.subject());
                ps.setString(9, snip.body());
                ps.addBatch();
                if (i % 500 == 499 || i == n - 1) {
                    ps.executeBatch();
                    c.commit();
                }
                if (i % 10_000 == 9_999) System.out.printf("loaded %d%n", i + 1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO search_mark (account_id, mailbox_id, modseq, uid) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (account_id, mailbox_id) DO UPDATE SET modseq = EXCLUDED.modseq, uid = EXCLUDED.uid")) {
            ps.setLong(1, acc);
            ps.setLong(2, inbox);
            ps.setLong(3, Long.MAX_VALUE / 2);
            ps.setLong(4, n);
            ps.executeUpdate();
        }
        c.commit();
        c.setAutoCommit(true);
    }

    /** CPU ticks (10 ms) used so far by the backends of the search pool. */
    private static long backendTicks(Connection c) throws Exception {
        long ticks = 0;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE application_name = 'postern-search'")) {
            while (rs.next()) {
                try {
                    String stat = Files.readString(Path.of("/proc/" + rs.getInt(1) + "/stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                } catch (java.io.IOException gone) {
                    // a backend that ended meanwhile
                }
            }
        }
        return ticks;
    }

    private static void time(Connection c, SearchIndex index, long acc, long inbox, String what, TextQuery q) throws Exception {
        int hits = 0;
        for (int i = 0; i < 3; i++) hits = index.find(acc, inbox, q).uids().length;
        long[] ns = new long[10];
        long ticks0 = backendTicks(c);
        for (int i = 0; i < ns.length; i++) {
            long t = System.nanoTime();
            index.find(acc, inbox, q);
            ns[i] = System.nanoTime() - t;
        }
        long ticks = backendTicks(c) - ticks0;
        Arrays.sort(ns);
        System.out.printf("%-14s %6d hits: median %7.1f ms, p90 %7.1f ms, PostgreSQL CPU %5.1f ms per search%n", what, hits,
                ns[ns.length / 2] / 1e6, ns[ns.length * 9 / 10] / 1e6, ticks * 10.0 / ns.length);
    }

    private static long append(PostgresMailStore store, long acc, long inbox, byte[] msg) throws Exception {
        String id;
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            OutputStream out = w.stream();
            out.write(msg);
            id = w.commit();
        }
        return store.mailboxes().append(acc, inbox, id, msg.length, Set.of(), Instant.now()).uid();
    }

    private static byte[] message(Random rnd, String[] vocab, int i, int kb) {
        StringBuilder m = new StringBuilder();
        m.append("From: sender").append(i % 97).append("@example.net\r\nTo: a@example.org\r\nSubject: ");
        for (int k = 0; k < 5; k++) m.append(vocab[rnd.nextInt(vocab.length)]).append(' ');
        m.append("\r\nMessage-ID: <").append(i).append("@example.net>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
        int target = m.length() + kb * 1024;
        int col = 0;
        if (i % 1000 == 0) m.append("zqxmarker ");
        while (m.length() < target) {
            String w = vocab[rnd.nextInt(vocab.length)];
            m.append(w).append(' ');
            col += w.length() + 1;
            if (col > 70) {
                m.append("\r\n");
                col = 0;
            }
        }
        return m.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }
}
