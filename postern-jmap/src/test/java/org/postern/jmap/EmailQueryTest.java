// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.jmap.proto.JmapLimits;
import org.postern.store.Mailbox;

/**
 * Email/query selects the first position + limit results instead of sorting all: the window must be
 * the same as the whole result sorted, for every sort, tie and page, and must follow new messages.
 */
class EmailQueryTest {
    /** Above the store's smallest cached index (1,000), so the cached and merged index is exercised. */
    static final int COUNT = 1_203;
    static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path tmp;
    JmapFixture f;
    JmapClient c;
    long acc;
    Mailbox inbox;
    String blob;
    /** The INBOX's expected ids, newest first with ties by id (the fallback order). */
    final List<Row> rows = new ArrayList<>();

    record Row(String id, long date, long size) {}

    @BeforeEach
    void start() throws Exception {
        f = new JmapFixture(tmp, JmapLimits.DEFAULT);
        f.user("alice@example.test", "pw");
        c = f.client("alice@example.test", "pw");
        acc = f.store.directory().account("alice@example.test").orElseThrow().id();
        inbox = f.store.mailboxes().find(acc, "INBOX").orElseThrow();
        byte[] raw = "From: a@example.com\r\nSubject: s\r\n\r\nbody text\r\n".getBytes(StandardCharsets.UTF_8);
        var w = f.store.blobs().create();
        w.stream().write(raw);
        blob = w.commit();
        for (int i = 0; i < COUNT; i++) {
            // Three messages per minute and dates out of UID order, so ties and late old mail occur.
            long minute = (i * 7L % COUNT) / 3;
            append(BASE.plusSeconds(60 * minute), i % 5 == 0 ? Set.of("\\Seen") : Set.of(), raw.length + i % 4);
        }
    }

    void append(Instant date, Set<String> flags, long size) {
        long uid = f.store.mailboxes().append(acc, inbox.id(), blob, size, flags, date).uid();
        rows.add(new Row("e" + inbox.id() + "-" + uid, date.toEpochMilli(), size));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    List<String> expected(Comparator<Row> order) {
        return rows.stream().sorted(order.thenComparing(Row::id)).map(Row::id).toList();
    }

    List<String> ids(String args) throws Exception {
        JsonNode r = c.one("Email/query", "{\"accountId\":\"$A\"," + args + "}");
        List<String> out = new ArrayList<>();
        r.get("ids").forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void windowsEqualTheWholeSortedResult() throws Exception {
        String in = "\"filter\":{\"inMailbox\":\"m" + inbox.id() + "\"}";
        Comparator<Row> newest = Comparator.comparingLong(Row::date).reversed();
        List<String> byDate = expected(newest);
        List<String> bySize = expected(Comparator.comparingLong(Row::size).thenComparing(newest));
        List<String> oldest = expected(Comparator.comparingLong(Row::date));
        String desc = "\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":false}]";
        for (int position : new int[] {0, 1, 49, 600, COUNT - 10, COUNT + 5}) {
            for (int limit : new int[] {0, 1, 50}) {
                String page = "\"position\":" + position + ",\"limit\":" + limit;
                int from = Math.min(position, COUNT);
                int to = Math.min(COUNT, position + limit);
                assertThat(ids(in + "," + desc + "," + page)).as("receivedAt desc %s", page).isEqualTo(byDate.subList(from, to));
                assertThat(ids(page)).as("no sort %s", page).isEqualTo(byDate.subList(from, to));
                assertThat(ids(in + ",\"sort\":[{\"property\":\"size\"}]," + page)).as("size %s", page)
                        .isEqualTo(bySize.subList(from, to));
                assertThat(ids(in + ",\"sort\":[{\"property\":\"receivedAt\"}]," + page)).as("receivedAt asc %s", page)
                        .isEqualTo(oldest.subList(from, to));
            }
        }
        // The whole-result paths (negative position, anchor) agree with the selected windows.
        assertThat(ids(in + "," + desc + ",\"position\":-5")).isEqualTo(byDate.subList(COUNT - 5, COUNT));
        assertThat(ids(desc + ",\"anchor\":\"" + byDate.get(700) + "\",\"anchorOffset\":-2,\"limit\":4"))
                .isEqualTo(byDate.subList(698, 702));
        JsonNode total = c.one("Email/query", "{\"accountId\":\"$A\",\"limit\":3,\"calculateTotal\":true,"
                + "\"filter\":{\"inMailbox\":\"m" + inbox.id() + "\",\"notKeyword\":\"$seen\"}}");
        assertThat(total.path("total").asInt()).isEqualTo(COUNT - (COUNT + 4) / 5);
        assertThat(ids("\"filter\":{\"inMailbox\":\"m999999\"}")).isEmpty();
        // The largest position JSON allows (RFC 8620 §1.3) neither sizes a heap nor fails.
        JsonNode far = c.one("Email/query", "{\"accountId\":\"$A\"," + in + ",\"position\":9007199254740991}");
        assertThat(far.get("ids")).isEmpty();
        assertThat(far.path("position").asInt()).isEqualTo(COUNT);
    }

    @Test
    void newMessagesAndFlagChangesShowInTheNextQuery() throws Exception {
        String first = "\"filter\":{\"inMailbox\":\"m" + inbox.id() + "\"},\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":false}],\"limit\":3";
        List<String> before = ids(first);
        append(BASE.plusSeconds(86_400 * 365), Set.of(), 10);
        String newest = rows.get(rows.size() - 1).id();
        List<String> after = ids(first);
        assertThat(after).containsExactly(newest, before.get(0), before.get(1));
        JsonNode got = c.one("Email/get", "{\"accountId\":\"$A\",\"ids\":[\"" + newest + "\",\"e" + inbox.id()
                + "-999999\"],\"properties\":[\"receivedAt\",\"preview\",\"keywords\"]}");
        assertThat(got.get("list").get(0).path("preview").asText()).isEqualTo("body text");
        assertThat(got.get("notFound").get(0).asText()).isEqualTo("e" + inbox.id() + "-999999");
        c.one("Email/set", "{\"accountId\":\"$A\",\"update\":{\"" + newest + "\":{\"keywords/$seen\":true}}}");
        assertThat(ids("\"filter\":{\"inMailbox\":\"m" + inbox.id() + "\",\"hasKeyword\":\"$seen\"},\"limit\":1"))
                .containsExactly(newest);
    }
}
