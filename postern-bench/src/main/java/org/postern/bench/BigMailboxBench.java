// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * {@code imap-big}: command latencies on one large mailbox, as one client sees them (from sending the
 * command to its tagged completion, the whole response read): SELECT, {@code UID FETCH 1:* (UID FLAGS)},
 * SEARCH BODY of a word and, when the server offers SORT (RFC 5256), SORT by date and by subject.
 * Each is repeated; the first (cold) time is printed apart from the median of all.
 *
 * <p>A mailbox loaded just before the server started is indexed for full-text search in the background;
 * until the index has caught up, SEARCH scans the messages it lacks. So before timing, SEARCH is
 * repeated until three runs in a row take under a second and within 25% of each other (at most
 * {@code --index-wait-s}; 0 skips this); how long that took is printed as {@code index_settle_ms}.
 */
final class BigMailboxBench {
    static final Set<String> VALUED = Set.of("host", "port", "user", "password", "mailbox", "repeats", "word", "label",
            "timeout-ms", "only",
            "index-wait-s");
    static final Set<String> FLAGS = Set.of("ssl");

    private BigMailboxBench() {}

    static int run(List<String> args) throws IOException {
        Options o = Options.parse(args, VALUED, FLAGS);
        Target target = Target.of(o.string("host", "127.0.0.1"), o.integer("port", 993, 1, 65535));
        SSLContext tls = o.flag("ssl") ? TrustAll.context() : null;
        String mailbox = o.string("mailbox", "INBOX");
        int repeats = o.integer("repeats", 5, 1, 100);
        String word = o.string("word", "throughput");
        String label = o.string("label", target.toString());
        int timeout = o.integer("timeout-ms", 600_000, 1_000, 3_600_000);
        Set<String> only = Set.of(o.string("only", "select,fetch,search,sort").split(","));
        int indexWait = o.integer("index-wait-s", 900, 0, 3600);
        Map<String, List<Double>> times = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        try (ImapClient c = ImapClient.connect(target, null, tls, timeout, 64 * 1024)) {
            c.login(o.required("user"), o.required("password")).requireOk("LOGIN");
            String caps = String.join(" ", c.command("CAPABILITY").requireOk("CAPABILITY").untagged()).toUpperCase(Locale.ROOT);
            boolean sort = caps.contains(" SORT");
            boolean unselect = caps.contains(" UNSELECT");
            if (only.contains("search") && indexWait > 0) {
                long start = System.nanoTime();
                c.command("SELECT " + Text.quoted(mailbox)).requireOk("SELECT");
                double prev = -1;
                int stable = 0;
                while (stable < 3 && System.nanoTime() - start < indexWait * 1_000_000_000L) {
                    long t = System.nanoTime();
                    c.command("SEARCH BODY " + Text.quoted(word)).requireOk("SEARCH");
                    double ms = (System.nanoTime() - t) / 1e6;
                    stable = prev > 0 && ms < 1000 && Math.abs(ms - prev) <= 0.25 * prev ? stable + 1 : 0;
                    prev = ms;
                }
                sizes.put("index_settle_ms", (System.nanoTime() - start) / 1_000_000);
                c.command(unselect ? "UNSELECT" : "EXAMINE " + Text.quoted(mailbox)).requireOk("UNSELECT");
            }
            for (int r = 0; r < repeats; r++) {
                long t = System.nanoTime();
                ImapClient.Response sel = c.command("SELECT " + Text.quoted(mailbox)).requireOk("SELECT");
                record(times, "select", t);
                sizes.put("exists", sel.exists());

                if (only.contains("fetch")) {
                    t = System.nanoTime();
                    ImapClient.Response f = c.command("UID FETCH 1:* (UID FLAGS)").requireOk("UID FETCH");
                    record(times, "uid_fetch_flags", t);
                    sizes.put("fetch_lines", (long) f.untaggedCount());
                }
                if (only.contains("search")) {
                    t = System.nanoTime();
                    ImapClient.Response s = c.command("SEARCH BODY " + Text.quoted(word)).requireOk("SEARCH");
                    record(times, "search_body", t);
                    sizes.put("search_hits", hits(s, "* SEARCH"));
                }
                if (sort && only.contains("sort")) {
                    t = System.nanoTime();
                    ImapClient.Response d = c.command("SORT (DATE) UTF-8 ALL").requireOk("SORT DATE");
                    record(times, "sort_date", t);
                    sizes.put("sort_date_n", hits(d, "* SORT"));
                    t = System.nanoTime();
                    c.command("SORT (SUBJECT) UTF-8 ALL").requireOk("SORT SUBJECT");
                    record(times, "sort_subject", t);
                }
                // Leave the mailbox so the next SELECT opens it again rather than re-selecting in place.
                c.command(unselect ? "UNSELECT" : "EXAMINE " + Text.quoted(mailbox)).requireOk("UNSELECT");
            }
            c.logout();
            StringBuilder b = new StringBuilder("{\"bench\":\"imap-big\",\"label\":").append(Text.json(label))
                    .append(",\"target\":\"").append(target).append("\",\"tls\":").append(tls != null)
                    .append(",\"mailbox\":").append(Text.json(mailbox)).append(",\"repeats\":").append(repeats)
                    .append(",\"word\":").append(Text.json(word)).append(",\"sort_offered\":").append(sort);
            for (var e : sizes.entrySet()) b.append(",\"").append(e.getKey()).append("\":").append(e.getValue());
            for (var e : times.entrySet()) {
                double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
                double min = Double.MAX_VALUE;
                for (double d : v) min = Math.min(min, d);
                b.append(",\"").append(e.getKey()).append("_ms\":{\"first\":").append(MixBench.fmt(v[0]))
                        .append(",\"median\":").append(MixBench.fmt(Latencies.median(v)))
                        .append(",\"min\":").append(MixBench.fmt(min)).append('}');
            }
            System.out.println(b.append('}'));
        }
        return 0;
    }

    private static void record(Map<String, List<Double>> times, String key, long startNanos) {
        times.computeIfAbsent(key, k -> new ArrayList<>()).add((System.nanoTime() - startNanos) / 1e6);
    }

    /** Numbers on the "* SEARCH" (or "* SORT") line. */
    private static long hits(ImapClient.Response r, String prefix) {
        for (String u : r.untagged()) {
            if (u.toUpperCase(Locale.ROOT).startsWith(prefix)) {
                String rest = u.substring(prefix.length()).strip();
                return rest.isEmpty() ? 0 : rest.split(" ").length;
            }
        }
        return 0;
    }
}
