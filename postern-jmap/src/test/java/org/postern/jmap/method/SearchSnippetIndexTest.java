// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.jmap.CallContext;
import org.postern.jmap.MessageCache;
import org.postern.jmap.Uploads;
import org.postern.jmap.proto.JmapLimits;
import org.postern.search.CorpusGenerator;
import org.postern.search.LuceneSearchIndex;
import org.postern.search.SearchIndex;
import org.postern.search.SearchText;
import org.postern.search.SnippetText;
import org.postern.search.TextQuery;
import org.postern.store.Account;
import org.postern.store.Mailbox;
import org.postern.store.PasswordRecord;
import org.postern.store.sqlite.SqliteMailStore;

/** SearchSnippet/get with a full-text index: its text comes from the index, and says what reading the message says. */
class SearchSnippetIndexTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    SqliteMailStore store;
    Account account;
    Mailbox inbox;
    CallContext ctx;

    @BeforeEach
    void setUp() {
        store = SqliteMailStore.open(dir.resolve("data"));
        store.directory().addDomain("example.org");
        account = store.directory().createAccount("a@example.org", PasswordRecord.NONE, false);
        inbox = store.mailboxes().find(account.id(), Mailbox.INBOX).orElseThrow();
        ctx = new CallContext(account, store, JmapLimits.DEFAULT, new HashMap<>(), new Uploads(Clock.systemUTC()),
                new MessageCache(store.blobs(), 1 << 20));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private long append(byte[] m) throws Exception {
        var w = store.blobs().create();
        w.stream().write(m);
        String blob = w.commit();
        return store.mailboxes().append(account.id(), inbox.id(), blob, m.length, Set.of(), Instant.now()).uid();
    }

    private String id(long uid) {
        return "e" + inbox.id() + "-" + uid;
    }

    private ObjectNode args(String filter, List<String> ids) throws Exception {
        ObjectNode a = (ObjectNode) JSON.readTree("{\"filter\":" + filter + "}");
        a.put("accountId", ctx.accountId());
        var arr = a.putArray("emailIds");
        ids.forEach(arr::add);
        return a;
    }

    @Test
    void theTextComesFromTheIndexWhenItHoldsTheMessage() throws Exception {
        long uid = append("Subject: Budget\r\n\r\nThe budget is final.\r\n".getBytes(StandardCharsets.UTF_8));
        long other = append("Subject: Budget again\r\n\r\nA second budget.\r\n".getBytes(StandardCharsets.UTF_8));
        SearchIndex fake = new FakeIndex(uid, new SnippetText("Indexed <Budget>", "From the index: budget & more"));
        ObjectNode r = SearchSnippetMethods.get(args("{\"text\":\"budget\"}", List.of(id(uid), id(other))), ctx, fake);
        assertThat(r.at("/list/0/subject").asText()).isEqualTo("Indexed &lt;<mark>Budget</mark>&gt;");
        assertThat(r.at("/list/0/preview").asText()).isEqualTo("From the index: <mark>budget</mark> &amp; more");
        // Not indexed (yet): read from the message.
        assertThat(r.at("/list/1/subject").asText()).isEqualTo("<mark>Budget</mark> again");
        assertThat(r.at("/list/1/preview").asText()).contains("A second <mark>budget</mark>.");
    }

    @Test
    void snippetsFromTheIndexEqualSnippetsFromTheMessages() throws Exception {
        List<String> ids = new ArrayList<>();
        for (byte[] m : new CorpusGenerator(3).messages(60)) ids.add(id(append(m)));
        try (SearchIndex index = LuceneSearchIndex.open(dir.resolve("index"), store)) {
            assertThat(index.awaitIndexed(account.id(), inbox.id(), ids.size(), Duration.ofSeconds(60))).isTrue();
            int marked = 0;
            for (String filter : List.of("{\"text\":\"the\"}", "{\"subject\":\"Re\"}", "{\"body\":\"münchen\"}",
                    "{\"operator\":\"OR\",\"conditions\":[{\"text\":\"report\"},{\"body\":\"привет\"}]}", "{\"text\":\"café\"}",
                    "{\"from\":\"example\"}")) {
                ObjectNode fromIndex = SearchSnippetMethods.get(args(filter, ids), ctx, index);
                ObjectNode fromMessages = SearchSnippetMethods.get(args(filter, ids), ctx, null);
                assertThat(fromIndex).as(filter).isEqualTo(fromMessages);
                marked += fromIndex.toString().split("<mark>", -1).length - 1;
            }
            assertThat(marked).as("the comparison covers marked snippets").isGreaterThan(50);
        }
    }

    /** Holds snippet text for one UID only. */
    private record FakeIndex(long uid, SnippetText text) implements SearchIndex {
        @Override
        public Hits find(long accountId, long mailboxId, TextQuery q) {
            return new Hits(0, new long[0]);
        }

        @Override
        public Optional<SearchText> text(long accountId, long mailboxId, long u) {
            return Optional.empty();
        }

        @Override
        public Optional<SnippetText> snippetText(long accountId, long mailboxId, long u) {
            return u == uid ? Optional.of(text) : Optional.empty();
        }

        @Override
        public boolean awaitIndexed(long accountId, long mailboxId, long u, Duration wait) {
            return true;
        }

        @Override
        public boolean awaitIdle(Duration wait) {
            return true;
        }

        @Override
        public long indexedUid(long accountId, long mailboxId) {
            return 0;
        }

        @Override
        public void close() {}
    }
}
