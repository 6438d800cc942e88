// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.jmap.proto.JmapLimits;
import org.postern.search.CorpusGenerator;
import org.postern.search.SearchIndex;
import org.postern.store.Mailbox;

/**
 * Email/query with a text filter over one big mailbox, by reading every message and from the index.
 * Not run by surefire (no Test suffix): {@code mvn -o -q -f postern-jmap/pom.xml test
 * -Dtest=EmailQueryTextBench -Dbench.messages=20000}.
 */
class EmailQueryTextBench {
    @TempDir
    Path tmp;

    @Test
    void textQuery() throws Exception {
        int n = Integer.getInteger("bench.messages", 20_000);
        try (JmapFixture f = new JmapFixture(tmp, JmapLimits.DEFAULT)) {
            f.user("alice@example.test", "pw");
            JmapClient c = f.client("alice@example.test", "pw");
            long acc = f.store.directory().account("alice@example.test").orElseThrow().id();
            Mailbox inbox = f.store.mailboxes().find(acc, "INBOX").orElseThrow();
            Instant base = Instant.parse("2026-01-01T00:00:00Z");
            List<byte[]> corpus = new CorpusGenerator(7).messages(n);
            long uid = 0;
            for (int i = 0; i < n; i++) {
                var w = f.store.blobs().create();
                w.stream().write(corpus.get(i));
                uid = f.store.mailboxes().append(acc, inbox.id(), w.commit(), corpus.get(i).length, Set.of(),
                        base.plusSeconds(i)).uid();
            }
            try (SearchIndex index = org.postern.search.LuceneSearchIndex.open(tmp.resolve("index"), f.store)) {
                if (!index.awaitIndexed(acc, inbox.id(), uid, Duration.ofMinutes(10))) throw new AssertionError("not indexed");
                for (String filter : List.of("{\"text\":\"budget\"}", "{\"text\":\"zebra\"}",
                        "{\"inMailbox\":\"" + Ids.mailbox(inbox.id()) + "\",\"subject\":\"report\"}")) {
                    for (boolean scan : List.of(true, false, false, false)) {
                        f.jmap.searchingWith(scan ? null : index);
                        long t0 = System.nanoTime();
                        JsonNode r = c.one("Email/query", "{\"accountId\":\"$A\",\"filter\":" + filter
                                + ",\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":false}],\"limit\":50,\"calculateTotal\":true}");
                        System.out.printf("BENCH %s %s messages=%d total=%d %d ms%n", scan ? "scan " : "index", filter, n,
                                r.path("total").asLong(), (System.nanoTime() - t0) / 1_000_000);
                    }
                }
            }
        }
    }
}
