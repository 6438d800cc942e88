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
import org.postern.jmap.proto.JmapLimits;
import org.postern.store.Mailbox;

/**
 * Email/queryChanges (RFC 8620 §5.6): for every supported query, the old result with "removed" taken
 * out and "added" put in at their indexes is exactly the new result.
 */
class EmailQueryChangesTest {
    @TempDir
    Path tmp;
    JmapFixture f;
    JmapClient c;
    long acc;
    int day;

    @BeforeEach
    void start() throws Exception {
        f = new JmapFixture(tmp, JmapLimits.DEFAULT);
        f.user("alice@example.test", "pw");
        c = f.client("alice@example.test", "pw");
        acc = f.store.directory().account("alice@example.test").orElseThrow().id();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    /** A message received on 2026-11-{@code d}; its Email id. */
    String deliver(String mailbox, int d, String headers) throws Exception {
        Mailbox mb = f.store.mailboxes().find(acc, mailbox).orElseThrow();
        byte[] raw = (headers + "Subject: day " + d + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8);
        var w = f.store.blobs().create();
        w.stream().write(raw);
        String blob = w.commit();
        long uid = f.store.mailboxes().append(acc, mb.id(), blob, raw.length, Set.of(),
                Instant.parse(String.format("2026-11-%02dT09:00:00Z", d))).uid();
        return "e" + mb.id() + "-" + uid;
    }

    String deliver(int d) throws Exception {
        return deliver("INBOX", d, "From: a@example.com\r\nMessage-ID: <m" + d + "@example.com>\r\n");
    }

    void destroy(String emailId) {
        String[] p = emailId.substring(1).split("-");
        f.store.mailboxes().expunge(acc, Long.parseLong(p[0]), List.of(Long.parseLong(p[1])));
    }

    String inbox() {
        return "m" + f.store.mailboxes().find(acc, "INBOX").orElseThrow().id();
    }

    JsonNode query(String extra) throws Exception {
        return c.one("Email/query", "{\"accountId\":\"$A\"" + extra + "}");
    }

    JsonNode queryChanges(String extra, String since) throws Exception {
        return c.call("[[\"Email/queryChanges\",{\"accountId\":\"$A\",\"sinceQueryState\":\"" + since + "\"" + extra + "},\"q\"]]")
                .get(0);
    }

    static List<String> ids(JsonNode query) {
        List<String> out = new ArrayList<>();
        query.path("ids").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** §5.6: remove every id in removed, then insert every added item at its index, lowest first. */
    static List<String> apply(List<String> old, JsonNode changes) {
        List<String> out = new ArrayList<>(old);
        changes.path("removed").forEach(n -> out.remove(n.asText()));
        changes.path("added").forEach(a -> out.add(a.path("index").asInt(), a.path("id").asText()));
        return out;
    }

    /** Asserts the §5.6 invariant for {@code extra} across whatever {@code change} does; returns the changes. */
    JsonNode follows(String extra, ThrowingRunnable change) throws Exception {
        JsonNode before = query(extra);
        assertThat(before.path("canCalculateChanges").asBoolean()).isTrue();
        change.run();
        JsonNode after = query(extra);
        JsonNode r = queryChanges(extra + ",\"calculateTotal\":true", before.path("queryState").asText());
        assertThat(r.get(0).asText()).as(r.toString()).isEqualTo("Email/queryChanges");
        JsonNode changes = r.get(1);
        assertThat(changes.path("oldQueryState").asText()).isEqualTo(before.path("queryState").asText());
        assertThat(changes.path("newQueryState").asText()).isEqualTo(after.path("queryState").asText());
        assertThat(apply(ids(before), changes)).as(changes.toString()).isEqualTo(ids(after));
        assertThat(changes.path("total").asInt()).isEqualTo(ids(after).size());
        return changes;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aMailboxByDateFollowsArrivalsAndExpungesAndIgnoresFlags() throws Exception {
        String d3 = deliver(3);
        String d5 = deliver(5);
        String d7 = deliver(7);
        deliver("Archive", 6, "From: a@example.com\r\n");
        String extra = ",\"filter\":{\"inMailbox\":\"" + inbox() + "\"},\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":false}]";
        String[] created = new String[2];
        JsonNode changes = follows(extra, () -> {
            created[0] = deliver(9);
            created[1] = deliver(1);
            destroy(d5);
            c.one("Email/set", "{\"accountId\":\"$A\",\"update\":{\"" + d3 + "\":{\"keywords/$flagged\":true}}}");
            deliver("Archive", 8, "From: a@example.com\r\n");
        });
        assertThat(changes.path("removed")).extracting(JsonNode::asText).containsExactly(d5);
        assertThat(changes.path("added").toString()).isEqualTo(
                "[{\"id\":\"" + created[0] + "\",\"index\":0},{\"id\":\"" + created[1] + "\",\"index\":3}]");
        assertThat(d7).isNotNull();
        // Nothing happened: nothing to report, and the same state.
        String now = query(extra).path("queryState").asText();
        JsonNode none = queryChanges(extra, now).get(1);
        assertThat(none.path("removed")).isEmpty();
        assertThat(none.path("added")).isEmpty();
        assertThat(none.path("newQueryState").asText()).isEqualTo(now);
    }

    @Test
    void keywordFiltersAndSortsFollowUpdates() throws Exception {
        String d3 = deliver(3);
        String d5 = deliver(5);
        deliver(7);
        follows(",\"filter\":{\"hasKeyword\":\"$flagged\"}", () ->
                c.one("Email/set", "{\"accountId\":\"$A\",\"update\":{\"" + d3 + "\":{\"keywords/$flagged\":true},\"" + d5
                        + "\":{\"keywords/$seen\":true}}}"));
        follows(",\"filter\":{\"operator\":\"NOT\",\"conditions\":[{\"hasKeyword\":\"$flagged\"}]}", () ->
                c.one("Email/set", "{\"accountId\":\"$A\",\"update\":{\"" + d3 + "\":{\"keywords/$flagged\":null},\"" + d5
                        + "\":{\"keywords/$flagged\":true}}}"));
        follows(",\"sort\":[{\"property\":\"hasKeyword\",\"keyword\":\"$seen\"},{\"property\":\"receivedAt\"}]", () -> {
            c.one("Email/set", "{\"accountId\":\"$A\",\"update\":{\"" + d3 + "\":{\"keywords/$seen\":true},\"" + d5
                    + "\":{\"keywords/$seen\":null}}}");
            deliver(4);
        });
    }

    @Test
    void collapsedThreadsFollowRepliesAndDestroyedRepresentatives() throws Exception {
        String root = deliver("INBOX", 3, "From: a@example.com\r\nMessage-ID: <root@example.com>\r\n");
        deliver(4);
        String extra = ",\"filter\":{\"inMailbox\":\"" + inbox() + "\"},\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":false}],"
                + "\"collapseThreads\":true";
        String[] reply = new String[1];
        follows(extra, () -> reply[0] = deliver("INBOX", 6,
                "From: b@example.com\r\nMessage-ID: <r1@example.com>\r\nIn-Reply-To: <root@example.com>\r\n"
                        + "References: <root@example.com>\r\n"));
        JsonNode got = c.one("Email/get", "{\"accountId\":\"$A\",\"ids\":[\"" + root + "\",\"" + reply[0] + "\"],\"properties\":[\"threadId\"]}");
        assertThat(got.at("/list/0/threadId")).isEqualTo(got.at("/list/1/threadId"));
        // The reply, the thread's representative, goes: the root stands for the thread again.
        follows(extra, () -> destroy(reply[0]));
    }

    @Test
    void aReplyToALongThreadDeepInABigMailboxNeedsNoLookUps() throws Exception {
        // More threads than one page (1000), and a thread with more emails than the look-up budget,
        // all older than the rest: only the new reply, at the top, can be in the results for them.
        deliver("INBOX", 1, "From: a@example.com\r\nMessage-ID: <root@example.com>\r\n");
        for (int i = 0; i < 40; i++) {
            deliver("INBOX", 1, "From: a@example.com\r\nMessage-ID: <old" + i + "@example.com>\r\nReferences: <root@example.com>\r\n");
        }
        Mailbox inbox = f.store.mailboxes().find(acc, "INBOX").orElseThrow();
        for (int i = 0; i < 1000; i++) {
            byte[] raw = ("From: b@example.com\r\nMessage-ID: <single" + i + "@example.com>\r\nSubject: s" + i + "\r\n\r\nx\r\n")
                    .getBytes(StandardCharsets.UTF_8);
            var w = f.store.blobs().create();
            w.stream().write(raw);
            f.store.mailboxes().append(acc, inbox.id(), w.commit(), raw.length, Set.of(), Instant.parse("2026-11-10T00:00:00Z").plusSeconds(i));
        }
        String extra = ",\"filter\":{\"inMailbox\":\"" + inbox() + "\"},\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":false}],"
                + "\"collapseThreads\":true";
        JsonNode before = query(extra);
        String reply = deliver("INBOX", 20, "From: c@example.com\r\nMessage-ID: <new@example.com>\r\nReferences: <root@example.com>\r\n");
        JsonNode after = query(extra);
        JsonNode r = queryChanges(extra, before.path("queryState").asText());
        assertThat(r.get(0).asText()).as(r.toString()).isEqualTo("Email/queryChanges");
        assertThat(r.get(1).path("added").toString()).isEqualTo("[{\"id\":\"" + reply + "\",\"index\":0}]");
        List<String> page = apply(ids(before), r.get(1));
        assertThat(page.subList(0, 1000)).isEqualTo(ids(after));
    }

    @Test
    void textConditionsCannotBeFollowed() throws Exception {
        deliver(3);
        String extra = ",\"filter\":{\"subject\":\"day\"}";
        JsonNode q = query(extra);
        assertThat(q.path("canCalculateChanges").asBoolean()).isFalse();
        deliver(4);
        JsonNode r = queryChanges(extra, q.path("queryState").asText());
        assertThat(r.get(0).asText()).isEqualTo("error");
        assertThat(r.get(1).path("type").asText()).isEqualTo("cannotCalculateChanges");
        JsonNode nested = queryChanges(",\"filter\":{\"operator\":\"OR\",\"conditions\":[{\"inMailbox\":\"" + inbox()
                + "\"},{\"text\":\"x\"}]}", q.path("queryState").asText());
        assertThat(nested.get(1).path("type").asText()).isEqualTo("cannotCalculateChanges");
    }

    @Test
    void maxChangesUpToIdAndBadStates() throws Exception {
        String d5 = deliver(5);
        String extra = ",\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":true}]";
        JsonNode before = query(extra);
        String since = before.path("queryState").asText();
        String d1 = deliver(1);
        String d9 = deliver(9);
        JsonNode tooMany = queryChanges(extra + ",\"maxChanges\":1", since);
        assertThat(tooMany.get(1).path("type").asText()).isEqualTo("tooManyChanges");
        // §5.6 upToId: only immutable filter and sort here, so the arrival after d5 need not be reported.
        JsonNode upTo = queryChanges(extra + ",\"upToId\":\"" + d5 + "\"", since).get(1);
        assertThat(upTo.path("added").toString()).isEqualTo("[{\"id\":\"" + d1 + "\",\"index\":0}]");
        JsonNode all = queryChanges(extra, since).get(1);
        assertThat(all.path("added").findValuesAsText("id")).containsExactly(d1, d9);
        assertThat(queryChanges(extra, "nonsense").get(1).path("type").asText()).isEqualTo("cannotCalculateChanges");
        JsonNode missing = c.call("[[\"Email/queryChanges\",{\"accountId\":\"$A\"},\"q\"]]").get(0);
        assertThat(missing.get(1).path("type").asText()).isEqualTo("invalidArguments");
        JsonNode badFilter = queryChanges(",\"filter\":{\"nope\":1}", since);
        assertThat(badFilter.get(1).path("type").asText()).isEqualTo("unsupportedFilter");
    }
}
