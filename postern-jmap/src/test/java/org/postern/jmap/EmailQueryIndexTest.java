// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.jmap.proto.JmapLimits;
import org.postern.search.CorpusGenerator;
import org.postern.search.SearchIndex;
import org.postern.store.Mailbox;
import org.postern.store.SpecialUse;

/**
 * Email/query's text conditions answered from the full-text index give exactly what reading every
 * message gives (the reference), alone and combined with the other conditions and operators, over
 * several mailboxes, and also for messages delivered after the index's last refresh.
 */
class EmailQueryIndexTest {
    static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
    static final List<String> NEEDLES = List.of("report", "münchen", "grüße", "привет", "example.net", "bob.smith",
            "smith", "re:", "data", "a", "ab", "forwarded", "hidden secret", "mx.example.org", "İstanbul", "🎉", "café",
            "no-such-needle-here");

    @TempDir
    Path tmp;
    JmapFixture f;
    JmapClient c;
    SearchIndex index;
    long acc;
    Mailbox inbox;
    Mailbox archive;
    int appended;

    @BeforeEach
    void start() throws Exception {
        f = new JmapFixture(tmp, JmapLimits.DEFAULT);
        f.user("alice@example.test", "pw");
        c = f.client("alice@example.test", "pw");
        acc = f.store.directory().account("alice@example.test").orElseThrow().id();
        inbox = f.store.mailboxes().find(acc, "INBOX").orElseThrow();
        archive = f.store.mailboxes().create(acc, "Projects", SpecialUse.NONE);
        List<byte[]> corpus = new CorpusGenerator(26).messages(300);
        for (byte[] m : corpus) append(appended % 3 == 0 ? archive : inbox, m);
        index = org.postern.search.LuceneSearchIndex.open(tmp.resolve("index"), f.store);
        assertThat(index.awaitIndexed(acc, inbox.id(), lastUid(inbox), Duration.ofSeconds(60))).isTrue();
        assertThat(index.awaitIndexed(acc, archive.id(), lastUid(archive), Duration.ofSeconds(60))).isTrue();
        f.jmap.searchingWith(index);
    }

    @AfterEach
    void stop() {
        f.close();
        if (index != null) index.close();
    }

    long append(Mailbox mb, byte[] raw) throws Exception {
        var w = f.store.blobs().create();
        w.stream().write(raw);
        String blob = w.commit();
        Set<String> flags = appended % 4 == 0 ? Set.of("\\Seen") : Set.of();
        return f.store.mailboxes().append(acc, mb.id(), blob, raw.length, flags, BASE.plusSeconds(60L * appended++)).uid();
    }

    long lastUid(Mailbox mb) {
        return f.store.mailboxes().index(acc, mb.id()).uid(f.store.mailboxes().index(acc, mb.id()).size() - 1);
    }

    /** ids and total of one Email/query, by the index or (scan) by reading every message. */
    List<String> query(String filter, boolean scan) throws Exception {
        f.jmap.searchingWith(scan ? null : index);
        JsonNode r = c.one("Email/query", "{\"accountId\":\"$A\",\"filter\":" + filter
                + ",\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":false}],\"limit\":1000,\"calculateTotal\":true}");
        assertThat(r.has("ids")).as("%s: %s", filter, r).isTrue();
        List<String> out = new ArrayList<>();
        r.get("ids").forEach(n -> out.add(n.asText()));
        out.add("total=" + r.get("total").asLong());
        return out;
    }

    void same(String filter) throws Exception {
        assertThat(query(filter, false)).as(filter).isEqualTo(query(filter, true));
    }

    static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Test
    void everyTextConditionAnswersAsTheScan() throws Exception {
        int nonEmpty = 0;
        for (String n : NEEDLES) {
            for (String cond : List.of("text", "body", "subject", "from", "to", "cc", "bcc")) {
                String filter = "{" + q(cond) + ":" + q(n) + "}";
                List<String> byIndex = query(filter, false);
                assertThat(byIndex).as(filter).isEqualTo(query(filter, true));
                if (byIndex.size() > 1) nonEmpty++;
            }
        }
        // The corpus must exercise matches, not only empty answers.
        assertThat(nonEmpty).isGreaterThan(30);
    }

    @Test
    void textOnlySearchesTheFieldsRfc8621Names() throws Exception {
        // In every Received field of the corpus, but not in From, To, Cc, Bcc, Subject or a body.
        assertThat(query("{\"text\":\"mx.example.org\"}", false)).containsExactly("total=0");
    }

    @Test
    void combinedConditionsAnswerAsTheScan() throws Exception {
        String ib = q(Ids.mailbox(inbox.id()));
        for (String n : List.of("report", "smith", "a", "münchen")) {
            same("{\"inMailbox\":" + ib + ",\"text\":" + q(n) + "}");
            same("{\"text\":" + q(n) + ",\"hasKeyword\":\"$seen\",\"minSize\":600}");
            same("{\"operator\":\"NOT\",\"conditions\":[{\"text\":" + q(n) + "}]}");
            same("{\"operator\":\"OR\",\"conditions\":[{\"subject\":" + q(n) + "},{\"from\":\"alice\"},{\"inMailbox\":" + ib + "}]}");
            same("{\"operator\":\"AND\",\"conditions\":[{\"body\":" + q(n) + "},{\"operator\":\"NOT\",\"conditions\":"
                    + "[{\"to\":\"carol\"}]},{\"after\":\"2026-01-01T01:00:00Z\"}]}");
        }
    }

    @Test
    void messagesNewerThanTheIndexAreScanned() throws Exception {
        byte[] fresh = ("From: Fresh Sender <fresh@example.org>\r\nTo: alice@example.test\r\nSubject: quarterly zebra\r\n\r\n"
                + "a zebra report\r\n").getBytes(StandardCharsets.UTF_8);
        // The index refreshes at most once a second: a message queried right after its delivery is
        // usually not in it yet. Retry until one such query is observed (bounded), comparing each time.
        boolean sawTail = false;
        for (int attempt = 0; attempt < 20 && !sawTail; attempt++) {
            long uid = append(inbox, fresh);
            boolean before = index.indexedUid(acc, inbox.id()) < uid;
            List<String> byIndex = query("{\"text\":\"zebra\"}", false);
            boolean after = index.indexedUid(acc, inbox.id()) < uid;
            assertThat(byIndex).contains(Ids.email(inbox.id(), uid), "total=" + (attempt + 1));
            assertThat(byIndex).isEqualTo(query("{\"text\":\"zebra\"}", true));
            sawTail = before && after;
        }
        assertThat(sawTail).as("a query ran while the newest message was not indexed").isTrue();
    }
}
