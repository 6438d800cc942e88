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

/** RFC 8621 §3 threads from the store's conversation ids: Thread/get, Thread/changes, collapseThreads. */
class JmapThreadTest {
    @TempDir
    Path tmp;
    JmapFixture f;
    JmapClient c;
    long acc;

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

    String deliver(String mailbox, String message, String receivedAt) throws Exception {
        Mailbox mb = f.store.mailboxes().find(acc, mailbox).orElseThrow();
        byte[] raw = message.getBytes(StandardCharsets.UTF_8);
        var w = f.store.blobs().create();
        w.stream().write(raw);
        String blob = w.commit();
        long uid = f.store.mailboxes().append(acc, mb.id(), blob, raw.length, Set.of(), Instant.parse(receivedAt)).uid();
        return "e" + mb.id() + "-" + uid;
    }

    static String msg(String id, String references, String subject) {
        return "Message-ID: <" + id + ">\r\n" + (references == null ? "" : "References: " + references + "\r\n")
                + "Subject: " + subject + "\r\n\r\nbody\r\n";
    }

    String threadOf(String emailId) throws Exception {
        JsonNode r = c.one("Email/get", "{\"accountId\":\"$A\",\"ids\":[\"" + emailId + "\"],\"properties\":[\"threadId\"]}");
        return r.path("list").get(0).path("threadId").asText();
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) out.add(n.asText());
        return out;
    }

    @Test
    void repliesShareTheirThreadAndThreadGetListsEmailsOldestFirst() throws Exception {
        // RFC 8621 §3.1 example: a thread of emails, emailIds in receivedAt order.
        String root = deliver("INBOX", msg("root@x", null, "plan"), "2026-11-01T10:00:00Z");
        String reply2 = deliver("INBOX", msg("r2@x", "<root@x> <r1@x>", "Re: plan"), "2026-11-03T10:00:00Z");
        String reply1 = deliver("INBOX", msg("r1@x", "<root@x>", "Re: plan"), "2026-11-02T10:00:00Z");
        String other = deliver("INBOX", msg("other@x", null, "unrelated"), "2026-11-02T12:00:00Z");
        String t = threadOf(root);
        // IMAP's THREADID form (RFC 8474 §5.2): the same id over both protocols.
        assertThat(t).matches("T" + acc + "-[0-9]+");
        assertThat(threadOf(reply1)).isEqualTo(t);
        assertThat(threadOf(reply2)).isEqualTo(t);
        assertThat(threadOf(other)).isNotEqualTo(t);

        JsonNode r = c.one("Thread/get", "{\"accountId\":\"$A\",\"ids\":[\"" + t + "\",\"T999999\",\"nonsense\",\"" + t.replaceFirst("^T[0-9]+", "T" + (acc + 1)) + "\"]}");
        assertThat(r.path("list")).hasSize(1);
        assertThat(r.path("list").get(0).path("id").asText()).isEqualTo(t);
        assertThat(texts(r.path("list").get(0).path("emailIds"))).containsExactly(root, reply1, reply2);
        // Another account's thread id is as unknown as one that does not exist (HOSTILE.md A61).
        assertThat(texts(r.path("notFound"))).containsExactly("T999999", "nonsense", t.replaceFirst("^T[0-9]+", "T" + (acc + 1)));
        // The Thread state is the Email state (a thread changes only with its emails).
        String emailState = c.one("Email/get", "{\"accountId\":\"$A\",\"ids\":[]}").path("state").asText();
        assertThat(r.path("state").asText()).isEqualTo(emailState);
    }

    @Test
    void threadGetWithNullIdsReturnsEveryThreadAndAnswersARepeatedIdOnce() throws Exception {
        String a = deliver("INBOX", msg("a@x", null, "a"), "2026-11-01T10:00:00Z");
        deliver("INBOX", msg("b@x", "<a@x>", "Re: a"), "2026-11-01T11:00:00Z");
        deliver("INBOX", msg("c@x", null, "c"), "2026-11-01T12:00:00Z");
        JsonNode all = c.one("Thread/get", "{\"accountId\":\"$A\",\"ids\":null}");
        assertThat(all.path("list")).hasSize(2);
        String t = threadOf(a);
        JsonNode twice = c.one("Thread/get", "{\"accountId\":\"$A\",\"ids\":[\"" + t + "\",\"" + t + "\",\"T0\",\"T0\"]}");
        assertThat(twice.path("list")).hasSize(1);
        assertThat(twice.path("notFound")).hasSize(1);
    }

    @Test
    void mailboxesCountThreads() throws Exception {
        // RFC 8621 §2 totalThreads / unreadThreads (the "simplest solution" it names).
        String root = deliver("INBOX", msg("a@x", null, "a"), "2026-11-01T10:00:00Z");
        deliver("INBOX", msg("b@x", "<a@x>", "Re: a"), "2026-11-01T11:00:00Z");
        deliver("INBOX", msg("c@x", null, "c"), "2026-11-01T12:00:00Z");
        c.one("Email/set", "{\"accountId\":\"$A\",\"update\":{\"" + root + "\":{\"keywords/$seen\":true}}}");
        String inbox = "m" + f.store.mailboxes().find(acc, "INBOX").orElseThrow().id();
        JsonNode m = c.one("Mailbox/get", "{\"accountId\":\"$A\",\"ids\":[\"" + inbox + "\"]}").path("list").get(0);
        assertThat(m.path("totalEmails").asInt()).isEqualTo(3);
        assertThat(m.path("totalThreads").asInt()).isEqualTo(2);
        assertThat(m.path("unreadEmails").asInt()).isEqualTo(2);
        assertThat(m.path("unreadThreads").asInt()).isEqualTo(2);
        deliver("INBOX", msg("d@x", "<c@x>", "Re: c"), "2026-11-01T13:00:00Z");
        JsonNode after = c.one("Mailbox/get", "{\"accountId\":\"$A\",\"ids\":[\"" + inbox + "\"],"
                + "\"properties\":[\"totalThreads\",\"unreadThreads\"]}").path("list").get(0);
        assertThat(after.path("totalThreads").asInt()).isEqualTo(2);
        assertThat(after.path("unreadThreads").asInt()).isEqualTo(2);
    }

    @Test
    void threadKeywordFiltersLookAtEveryEmailOfTheThread() throws Exception {
        // RFC 8621 §4.4.1 allInThreadHaveKeyword / someInThreadHaveKeyword / noneInThreadHaveKeyword.
        String root = deliver("INBOX", msg("a@x", null, "a"), "2026-11-01T10:00:00Z");
        String reply = deliver("INBOX", msg("b@x", "<a@x>", "Re: a"), "2026-11-01T11:00:00Z");
        String other = deliver("INBOX", msg("c@x", null, "c"), "2026-11-01T12:00:00Z");
        c.one("Email/set", "{\"accountId\":\"$A\",\"update\":{\"" + root + "\":{\"keywords/$flagged\":true}}}");
        String q = "{\"accountId\":\"$A\",\"filter\":{\"%s\":\"$flagged\"}}";
        assertThat(texts(c.one("Email/query", q.formatted("someInThreadHaveKeyword")).path("ids"))).containsExactlyInAnyOrder(root, reply);
        assertThat(texts(c.one("Email/query", q.formatted("allInThreadHaveKeyword")).path("ids"))).isEmpty();
        assertThat(texts(c.one("Email/query", q.formatted("noneInThreadHaveKeyword")).path("ids"))).containsExactly(other);
        assertThat(texts(c.one("Email/query", q.formatted("hasKeyword")).path("ids"))).containsExactly(root);
        c.one("Email/set", "{\"accountId\":\"$A\",\"update\":{\"" + reply + "\":{\"keywords/$flagged\":true}}}");
        assertThat(texts(c.one("Email/query", q.formatted("allInThreadHaveKeyword")).path("ids"))).containsExactlyInAnyOrder(root, reply);
    }

    @Test
    void aCopyInAnotherMailboxIsInTheSameThread() throws Exception {
        String a = deliver("INBOX", msg("same@x", null, "s"), "2026-11-01T10:00:00Z");
        String b = deliver("Archive", msg("same@x", null, "s"), "2026-11-01T10:00:00Z");
        assertThat(threadOf(a)).isEqualTo(threadOf(b));
        JsonNode r = c.one("Thread/get", "{\"accountId\":\"$A\",\"ids\":[\"" + threadOf(a) + "\"]}");
        assertThat(texts(r.path("list").get(0).path("emailIds"))).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void collapseThreadsReturnsTheFirstEmailOfEachThreadInSortOrder() throws Exception {
        String root = deliver("INBOX", msg("root@x", null, "plan"), "2026-11-01T10:00:00Z");
        String other = deliver("INBOX", msg("other@x", null, "unrelated"), "2026-11-02T12:00:00Z");
        String reply = deliver("INBOX", msg("r1@x", "<root@x>", "Re: plan"), "2026-11-03T10:00:00Z");
        String q = "{\"accountId\":\"$A\",\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":false}],"
                + "\"collapseThreads\":true,\"calculateTotal\":true}";
        JsonNode r = c.one("Email/query", q);
        // §4.4.3: only the first email of each thread in the sorted results.
        assertThat(texts(r.path("ids"))).containsExactly(reply, other);
        assertThat(r.path("total").asInt()).isEqualTo(2);
        JsonNode page = c.one("Email/query", "{\"accountId\":\"$A\",\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":true}],"
                + "\"collapseThreads\":true,\"limit\":1}");
        assertThat(texts(page.path("ids"))).containsExactly(root);
        JsonNode all = c.one("Email/query", "{\"accountId\":\"$A\",\"collapseThreads\":false,\"calculateTotal\":true}");
        assertThat(all.path("total").asInt()).isEqualTo(3);
        // With an anchor the collapsed list is searched for it.
        JsonNode anchored = c.one("Email/query", "{\"accountId\":\"$A\",\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":false}],"
                + "\"collapseThreads\":true,\"anchor\":\"" + other + "\"}");
        assertThat(texts(anchored.path("ids"))).containsExactly(other);
    }

    @Test
    void collapsingAPageOfABigMailboxFindsEnoughThreads() throws Exception {
        // 60 emails in 20 threads of 3: a page of 10 threads needs more rows than 2 x 10 + 16.
        for (int t = 0; t < 20; t++) {
            deliver("INBOX", msg("t" + t + "@x", null, "t" + t), "2026-10-01T00:00:00Z");
            for (int i = 1; i < 3; i++) {
                deliver("INBOX", msg("t" + t + "-" + i + "@x", "<t" + t + "@x>", "Re: t" + t),
                        Instant.parse("2026-10-02T00:00:00Z").plusSeconds(t * 10L + i).toString());
            }
        }
        JsonNode r = c.one("Email/query", "{\"accountId\":\"$A\",\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":false}],"
                + "\"collapseThreads\":true,\"limit\":10}");
        assertThat(r.path("ids")).hasSize(10);
        List<String> threads = new ArrayList<>();
        for (String id : texts(r.path("ids"))) threads.add(threadOf(id));
        assertThat(threads).doesNotHaveDuplicates();
    }

    @Test
    void storedMessagesAreThreadedOnArrivalSoACollapsedPageReadsNoHeaders() throws Exception {
        // The store threads each message as it is stored (APPEND here): the benchmark's first screen
        // (newest 50 of a big mailbox) finds every id stored and threads nothing itself.
        List<String> blobs = new ArrayList<>();
        Mailbox inbox = f.store.mailboxes().find(acc, "INBOX").orElseThrow();
        for (int i = 0; i < 600; i++) {
            byte[] raw = msg("m" + i + "@x", null, "s" + i).getBytes(StandardCharsets.UTF_8);
            var w = f.store.blobs().create();
            w.stream().write(raw);
            String blob = w.commit();
            blobs.add(blob);
            f.store.mailboxes().append(acc, inbox.id(), blob, raw.length, Set.of(), Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i));
        }
        assertThat(f.store.threads().threadIds(acc, blobs)).hasSize(600);
        JsonNode r = c.one("Email/query", "{\"accountId\":\"$A\",\"filter\":{\"inMailbox\":\"m" + inbox.id() + "\"},"
                + "\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":false}],\"collapseThreads\":true,\"limit\":50}");
        assertThat(r.path("ids")).hasSize(50);
    }

    @Test
    void threadChangesReportsCreatedUpdatedAndDestroyedThreads() throws Exception {
        String root = deliver("INBOX", msg("root@x", null, "plan"), "2026-11-01T10:00:00Z");
        String lonely = deliver("INBOX", msg("lonely@x", null, "alone"), "2026-11-01T11:00:00Z");
        String t = threadOf(root);
        String tLonely = threadOf(lonely);
        String state = c.one("Thread/get", "{\"accountId\":\"$A\",\"ids\":[]}").path("state").asText();

        deliver("INBOX", msg("r1@x", "<root@x>", "Re: plan"), "2026-11-02T10:00:00Z");
        String fresh = deliver("INBOX", msg("fresh@x", null, "new topic"), "2026-11-02T11:00:00Z");
        c.one("Email/set", "{\"accountId\":\"$A\",\"destroy\":[\"" + lonely + "\"]}");
        JsonNode r = c.one("Thread/changes", "{\"accountId\":\"$A\",\"sinceState\":\"" + state + "\"}");
        assertThat(r.path("oldState").asText()).isEqualTo(state);
        assertThat(texts(r.path("updated"))).contains(t);
        assertThat(texts(r.path("destroyed"))).containsExactly(tLonely);
        List<String> createdOrUpdated = texts(r.path("created"));
        createdOrUpdated.addAll(texts(r.path("updated")));
        assertThat(createdOrUpdated).contains(threadOf(fresh));

        JsonNode none = c.one("Thread/changes", "{\"accountId\":\"$A\",\"sinceState\":\"" + r.path("newState").asText() + "\"}");
        assertThat(none.path("created")).isEmpty();
        assertThat(none.path("updated")).isEmpty();
        assertThat(none.path("destroyed")).isEmpty();
    }

    @Test
    void threadChangesWithNewThreadsOnlyReportsThemCreated() throws Exception {
        deliver("INBOX", msg("a@x", null, "a"), "2026-11-01T10:00:00Z");
        String state = c.one("Thread/get", "{\"accountId\":\"$A\",\"ids\":[]}").path("state").asText();
        String b = deliver("INBOX", msg("b@x", null, "b"), "2026-11-02T10:00:00Z");
        JsonNode r = c.one("Thread/changes", "{\"accountId\":\"$A\",\"sinceState\":\"" + state + "\"}");
        assertThat(texts(r.path("created"))).containsExactly(threadOf(b));
        assertThat(r.path("updated")).isEmpty();
    }

    @Test
    void emailSetAndImportAnswerTheStoreThread() throws Exception {
        deliver("INBOX", msg("root@x", null, "plan"), "2026-11-01T10:00:00Z");
        String t = threadOf(c.one("Email/query", "{\"accountId\":\"$A\"}").path("ids").get(0).asText());
        String blob = c.upload(msg("imp@x", "<root@x>", "Re: plan").getBytes(StandardCharsets.UTF_8), "message/rfc822")
                .path("blobId").asText();
        String inbox = "m" + f.store.mailboxes().find(acc, "INBOX").orElseThrow().id();
        JsonNode r = c.one("Email/import", "{\"accountId\":\"$A\",\"emails\":{\"k1\":{\"blobId\":\"" + blob
                + "\",\"mailboxIds\":{\"" + inbox + "\":true}}}}");
        assertThat(r.path("created").path("k1").path("threadId").asText()).isEqualTo(t);
    }
}
