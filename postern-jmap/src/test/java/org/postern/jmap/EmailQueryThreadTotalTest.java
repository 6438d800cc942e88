// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Flags;
import org.postern.jmap.proto.JmapLimits;
import org.postern.store.Mailbox;

/**
 * RFC 8621 §4.4.3: with collapseThreads the total counts threads. A page and its total are
 * counted without sorting the whole mailbox; each must agree with the full collapsed list.
 */
class EmailQueryThreadTotalTest {
    @TempDir
    Path tmp;
    JmapFixture f;
    JmapClient c;
    long acc;
    Mailbox inbox;

    @BeforeEach
    void start() throws Exception {
        f = new JmapFixture(tmp, JmapLimits.DEFAULT);
        f.user("alice@example.test", "pw");
        c = f.client("alice@example.test", "pw");
        acc = f.store.directory().account("alice@example.test").orElseThrow().id();
        inbox = f.store.mailboxes().find(acc, "INBOX").orElseThrow();
        // 12 threads: thread t has t % 3 + 1 emails; a reply in each of threads 1 and 2 is flagged;
        // threads 0-3 each have a reply in Archive too.
        for (int t = 0; t < 12; t++) {
            deliver("INBOX", "t" + t + "@x", null, "topic " + t, Set.of(), 1000L * t);
            for (int i = 1; i <= t % 3; i++) {
                deliver("INBOX", "t" + t + "-" + i + "@x", "<t" + t + "@x>", "Re: topic " + t,
                        t == 1 && i == 1 || t == 2 && i == 2 ? Set.of(Flags.FLAGGED) : Set.of(), 1000L * t + 100 * i);
            }
        }
        for (int t = 0; t < 4; t++) deliver("Archive", "t" + t + "-a@x", "<t" + t + "@x>", "Re: topic " + t, Set.of(), 50_000L + t);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    void deliver(String mailbox, String id, String references, String subject, Set<String> flags, long second) throws Exception {
        Mailbox mb = f.store.mailboxes().find(acc, mailbox).orElseThrow();
        String m = "Message-ID: <" + id + ">\r\n" + (references == null ? "" : "References: " + references + "\r\n")
                + "Subject: " + subject + "\r\n\r\nbody\r\n";
        byte[] raw = m.getBytes(StandardCharsets.UTF_8);
        var w = f.store.blobs().create();
        w.stream().write(raw);
        String blob = w.commit();
        f.store.mailboxes().append(acc, mb.id(), blob, raw.length, flags, Instant.parse("2026-01-01T00:00:00Z").plusSeconds(second));
    }

    JsonNode query(String filter, String extra) throws Exception {
        return c.one("Email/query", "{\"accountId\":\"$A\"" + (filter == null ? "" : ",\"filter\":" + filter)
                + ",\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":false}],\"collapseThreads\":true" + extra + "}");
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) out.add(n.asText());
        return out;
    }

    @Test
    void aPageCarriesTheTotalOfTheWholeCollapsedResult() throws Exception {
        String inMailbox = "{\"inMailbox\":\"m" + inbox.id() + "\"}";
        String flagged = "{\"inMailbox\":\"m" + inbox.id() + "\",\"hasKeyword\":\"$flagged\"}";
        for (String filter : new String[] {null, inMailbox, flagged}) {
            // The whole collapsed result, in order (an anchor at the first one makes the server sort all).
            JsonNode all = query(filter, ",\"calculateTotal\":true");
            List<String> ids = texts(all.path("ids"));
            JsonNode anchored = query(filter, ",\"anchor\":\"" + ids.getFirst() + "\",\"calculateTotal\":true");
            assertThat(anchored.path("total").asInt()).as("sorted total, filter %s", filter).isEqualTo(ids.size());
            for (int limit : new int[] {1, 3, ids.size(), ids.size() + 5}) {
                JsonNode page = query(filter, ",\"limit\":" + limit + ",\"calculateTotal\":true");
                assertThat(page.path("total").asInt()).as("total, filter %s limit %d", filter, limit).isEqualTo(ids.size());
                assertThat(texts(page.path("ids"))).isEqualTo(ids.subList(0, Math.min(limit, ids.size())));
            }
            JsonNode second = query(filter, ",\"position\":2,\"limit\":2,\"calculateTotal\":true");
            assertThat(texts(second.path("ids"))).isEqualTo(ids.subList(Math.min(2, ids.size()), Math.min(4, ids.size())));
        }
        assertThat(query(inMailbox, ",\"limit\":1,\"calculateTotal\":true").path("total").asInt()).isEqualTo(12);
        assertThat(query(flagged, ",\"limit\":1,\"calculateTotal\":true").path("total").asInt()).isEqualTo(2);
        // Every thread has an email in INBOX, and Archive's copies join their threads.
        assertThat(query(null, ",\"limit\":1,\"calculateTotal\":true").path("total").asInt()).isEqualTo(12);
    }

    @Test
    void theTotalFollowsANewThread() throws Exception {
        String inMailbox = "{\"inMailbox\":\"m" + inbox.id() + "\"}";
        assertThat(query(inMailbox, ",\"limit\":2,\"calculateTotal\":true").path("total").asInt()).isEqualTo(12);
        deliver("INBOX", "fresh@x", null, "fresh", Set.of(), 90_000);
        deliver("INBOX", "t5-9@x", "<t5@x>", "Re: topic 5", Set.of(), 90_001);
        JsonNode r = query(inMailbox, ",\"limit\":2,\"calculateTotal\":true");
        assertThat(r.path("total").asInt()).isEqualTo(13);
        assertThat(r.path("ids")).hasSize(2);
    }

    @Test
    void theThreadCacheLoadsWhatItIsAskedAndAnswersAsTheStore() throws Exception {
        var index = f.store.mailboxes().index(acc, inbox.id());
        List<String> blobs = new ArrayList<>();
        for (int i = 0; i < index.size(); i++) blobs.add(index.blobId(i));
        ThreadCache cache = new ThreadCache();
        cache.load(f.store, acc, blobs.subList(0, 5));
        for (String b : blobs.subList(0, 5)) assertThat(cache.cached(acc, b)).isNotNull();
        assertThat(cache.cached(acc, blobs.get(5))).isNull();
        // Half cached, half not: one answer for all, equal to the store's.
        var ids = cache.of(f.store, acc, blobs);
        assertThat(ids).isEqualTo(f.store.threads().threadIds(acc, blobs));
        // Nothing cached yet: the store's answer as it stands.
        assertThat(new ThreadCache().of(f.store, acc, blobs)).isEqualTo(ids);
        assertThat(cache.cached(acc, blobs.getLast())).isEqualTo(ids.get(blobs.getLast()));
    }
}
