// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.store.PasswordRecord;
import org.postern.store.sqlite.SqliteMailStore;

/** The index against the brute-force scan of {@link SearchText}, on a store, across restarts and crashes. */
class LuceneSearchIndexTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    SqliteMailStore store;
    LuceneSearchIndex index;
    long account;
    long inbox;
    /** uid to message bytes, of INBOX, as the store has it. */
    final Map<Long, byte[]> messages = new LinkedHashMap<>();
    final Map<Long, SearchText> texts = new java.util.HashMap<>();

    @BeforeEach
    void setUp() {
        store = SqliteMailStore.open(dir.resolve("data"));
        store.directory().addDomain("example.org");
        account = store.directory().createAccount("a@example.org", PasswordRecord.NONE, false).id();
        inbox = store.mailboxes().find(account, Mailbox.INBOX).orElseThrow().id();
    }

    @AfterEach
    void tearDown() {
        if (index != null) index.close();
        store.close();
    }

    private LuceneSearchIndex open() throws Exception {
        return LuceneSearchIndex.open(dir.resolve("data/index"), store);
    }

    private long append(long acc, long mailbox, byte[] msg) throws Exception {
        String id;
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            OutputStream out = w.stream();
            out.write(msg);
            id = w.commit();
        }
        long uid = store.mailboxes().append(acc, mailbox, id, msg.length, Set.of(), Instant.now()).uid();
        if (acc == account && mailbox == inbox) messages.put(uid, msg);
        return uid;
    }

    private long lastUid() {
        return messages.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    private List<Long> bruteForce(TextQuery q) {
        List<Long> out = new ArrayList<>();
        for (var e : messages.entrySet()) {
            if (texts.computeIfAbsent(e.getKey(), u -> SearchText.of(e.getValue())).matches(q)) out.add(e.getKey());
        }
        return out;
    }

    private List<Long> indexed(TextQuery q) throws Exception {
        SearchIndex.Hits h = index.find(account, inbox, q);
        assertThat(h.indexedUid()).as("caught up").isEqualTo(lastUid());
        List<Long> out = new ArrayList<>();
        for (long u : h.uids()) out.add(u);
        return out;
    }

    @Test
    void indexAnswersExactlyWhatTheScanAnswers() throws Exception {
        // Built at start from what the store holds (the catch-up path); later tests add while running.
        for (byte[] m : new CorpusGenerator(42).messages(300)) append(account, inbox, m);
        index = open();
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        List<SearchText> corpusTexts = messages.values().stream().map(SearchText::of).toList();
        assertThat(corpusTexts).allMatch(SearchText::readable);
        Random rnd = new Random(7);
        int nonEmpty = 0;
        List<TextQuery> queries = new ArrayList<>();
        for (int i = 0; i < 700; i++) queries.add(randomQuery(rnd, corpusTexts.get(rnd.nextInt(corpusTexts.size()))));
        for (String w : CorpusGenerator.WORDS) {
            queries.add(new TextQuery.Body(w));
            queries.add(new TextQuery.Text(w.toUpperCase(Locale.ROOT)));
            queries.add(new TextQuery.Header("subject", w));
        }
        for (String f : List.of("from", "to", "cc", "bcc", "subject", "x-mailer", "list-id", "x-absent", "received")) {
            queries.add(new TextQuery.Header(f, ""));
        }
        queries.add(new TextQuery.Body(""));
        queries.add(new TextQuery.Body("secret")); // inside <script>: not text
        queries.add(new TextQuery.Body("☺"));
        queries.add(new TextQuery.Text("=?utf-8?b?"));
        for (TextQuery q : queries) {
            List<Long> want = bruteForce(q);
            assertThat(indexed(q)).as("%s", q).isEqualTo(want);
            if (!want.isEmpty()) nonEmpty++;
        }
        // The comparison means something only when many queries find something and many do not.
        assertThat(nonEmpty).isGreaterThan(queries.size() / 2).isLessThan(queries.size());
        // The stored text is what the scan computes (SearchSnippet reads it).
        long someUid = messages.keySet().iterator().next();
        assertThat(index.text(account, inbox, someUid)).contains(SearchText.of(messages.get(someUid)));
        assertThat(index.text(account, inbox, 999_999)).isEmpty();
    }

    /** A substring of some decoded text of a message (sometimes re-cased), searched with a fitting key. */
    static TextQuery randomQuery(Random rnd, SearchText t) {
        int kind = rnd.nextInt(5);
        String source;
        String field = null;
        if (kind <= 1 || t.fields().isEmpty()) {
            source = kind == 0 ? t.head() : t.body();
        } else {
            SearchText.Field f = t.fields().get(rnd.nextInt(t.fields().size()));
            source = f.value();
            field = f.name();
        }
        String needle = substring(rnd, source);
        if (rnd.nextInt(4) == 0) needle = needle.toUpperCase(Locale.ROOT);
        if (rnd.nextInt(10) == 0) needle = needle + "qqz"; // most likely absent
        if (field != null) return new TextQuery.Header(field, needle);
        return switch (rnd.nextInt(3)) {
            case 0 -> new TextQuery.Body(needle);
            case 1 -> new TextQuery.Text(needle);
            default -> new TextQuery.Header(rnd.nextBoolean() ? "subject" : "x-mailer", needle);
        };
    }

    private static String substring(Random rnd, String s) {
        if (s.isEmpty()) return "";
        int len = 1 + rnd.nextInt(rnd.nextInt(5) == 0 ? 120 : 12);
        int start = rnd.nextInt(s.length());
        int end = Math.min(s.length(), start + len);
        // Needles come from UTF-8 commands: never half a surrogate pair.
        if (Character.isLowSurrogate(s.charAt(start))) start--;
        if (end < s.length() && Character.isLowSurrogate(s.charAt(end))) end++;
        return s.substring(start, end);
    }

    @Test
    void expungedMessagesLeaveTheIndex() throws Exception {
        index = open();
        CorpusGenerator g = new CorpusGenerator(3);
        for (int i = 0; i < 20; i++) append(account, inbox, ("Subject: s" + i + "\r\n\r\nunique" + i + " common words\r\n").getBytes());
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        assertThat(indexed(new TextQuery.Body("common"))).hasSize(20);
        List<Long> gone = List.of(2L, 5L, 6L);
        store.mailboxes().expunge(account, inbox, gone);
        gone.forEach(messages::remove);
        // Deletions become visible with the indexer's next refresh: wait for it by adding one more.
        append(account, inbox, g.message(99).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        assertThat(indexed(new TextQuery.Body("common"))).isEqualTo(bruteForce(new TextQuery.Body("common"))).hasSize(17);
        assertThat(indexed(new TextQuery.Body("unique5"))).isEmpty();
    }

    @Test
    void restartCatchesUpWithChangesMadeWhileStopped() throws Exception {
        index = open();
        List<byte[]> corpus = new CorpusGenerator(5).messages(60);
        for (int i = 0; i < 30; i++) append(account, inbox, corpus.get(i));
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        index.close();
        index = null;
        for (int i = 30; i < 60; i++) append(account, inbox, corpus.get(i));
        List<Long> gone = List.of(1L, 31L);
        store.mailboxes().expunge(account, inbox, gone);
        gone.forEach(messages::remove);
        index = open();
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        assertThat(index.awaitIdle(WAIT)).isTrue();
        for (String w : List.of("the", "Grüße", "throughput", "a", "")) {
            assertThat(indexed(new TextQuery.Text(w))).as(w).isEqualTo(bruteForce(new TextQuery.Text(w)));
        }
    }

    @Test
    void crashResumesFromTheLastCommit() throws Exception {
        index = open();
        List<byte[]> corpus = new CorpusGenerator(6).messages(80);
        for (int i = 0; i < 40; i++) append(account, inbox, corpus.get(i));
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        for (int i = 40; i < 80; i++) append(account, inbox, corpus.get(i));
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        // Whatever was not committed yet is lost, as in a crash; nothing may be missed after reopening.
        index.crash();
        index = null;
        store.mailboxes().expunge(account, inbox, List.of(45L));
        messages.remove(45L);
        index = open();
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        assertThat(index.awaitIdle(WAIT)).isTrue();
        for (String w : List.of("the", "квартал", "report", "e")) {
            assertThat(indexed(new TextQuery.Body(w))).as(w).isEqualTo(bruteForce(new TextQuery.Body(w)));
        }
    }

    @Test
    void anIndexOfAnotherFormatOrCorruptIsRebuilt() throws Exception {
        List<byte[]> corpus = new CorpusGenerator(8).messages(20);
        for (byte[] m : corpus) append(account, inbox, m);
        index = open();
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        index.close();
        index = null;
        Path indexDir = dir.resolve("data/index");
        // An index written by another release: its marks must not be trusted.
        try (var d = org.apache.lucene.store.FSDirectory.open(indexDir);
                var w = new org.apache.lucene.index.IndexWriter(d, new org.apache.lucene.index.IndexWriterConfig())) {
            w.deleteAll();
            w.setLiveCommitData(Map.of(LuceneSearchIndex.FORMAT_KEY, "0", LuceneSearchIndex.MARK_PREFIX + account + "/" + inbox,
                    "999999/999999").entrySet());
            w.commit();
        }
        index = open();
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        assertThat(indexed(new TextQuery.Body("e"))).isEqualTo(bruteForce(new TextQuery.Body("e"))).isNotEmpty();
        index.close();
        index = null;
        // Every segments file cut short: unreadable, so rebuilt rather than refusing to start.
        try (var files = java.nio.file.Files.list(indexDir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("segments")).toList()) {
                java.nio.file.Files.write(f, new byte[] {1, 2, 3});
            }
        }
        index = open();
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        assertThat(indexed(new TextQuery.Text("the"))).isEqualTo(bruteForce(new TextQuery.Text("the")));
    }

    @Test
    void answersStayInsideTheirAccountAndMailbox() throws Exception {
        index = open();
        long other = store.directory().createAccount("b@example.org", PasswordRecord.NONE, false).id();
        long otherInbox = store.mailboxes().find(other, Mailbox.INBOX).orElseThrow().id();
        Mailbox archive = store.mailboxes().create(account, "Projects", null);
        byte[] msg = "Subject: shared secret\r\n\r\nthe same words\r\n".getBytes();
        long otherUid = append(other, otherInbox, msg);
        long archived = append(account, archive.id(), msg);
        append(account, inbox, "Subject: mine\r\n\r\nother words\r\n".getBytes());
        assertThat(index.awaitIndexed(other, otherInbox, otherUid, WAIT)).isTrue();
        assertThat(index.awaitIndexed(account, archive.id(), archived, WAIT)).isTrue();
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        assertThat(indexed(new TextQuery.Body("same"))).isEmpty();
        assertThat(index.find(account, archive.id(), new TextQuery.Body("same")).uids()).containsExactly(archived);
        assertThat(index.find(other, otherInbox, new TextQuery.Header("subject", "SECRET")).uids()).containsExactly(otherUid);
        // A deleted mailbox and a deleted account leave the index.
        store.mailboxes().delete(account, "Projects");
        store.directory().deleteAccount("b@example.org");
        append(account, inbox, "Subject: later\r\n\r\nmore\r\n".getBytes());
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        assertThat(index.awaitIdle(WAIT)).isTrue();
        assertThat(index.indexedUid(account, archive.id())).isZero();
        assertThat(index.indexedUid(other, otherInbox)).isZero();
        assertThat(index.find(account, archive.id(), new TextQuery.Body("same")).uids()).isEmpty();
        assertThat(index.find(other, otherInbox, new TextQuery.Body("same")).uids()).isEmpty();
    }

    @Test
    void textIndexedCutIsStillSearchedWhole() throws Exception {
        index = open();
        int cap = MessageDocument.MAX_GRAMS_TEXT;
        StringBuilder body = new StringBuilder();
        while (body.length() < cap - 10) body.append("filler words line\r\n".substring(0, Math.min(19, cap - 10 - body.length())));
        // "straddle" crosses the indexed prefix's end; "tailword" and the long header value lie beyond it.
        body.append("xxstraddlexx\r\n").append("filler\r\n".repeat(500)).append("tailword\r\n");
        String longValue = "v".repeat(cap) + " hdrtail";
        append(account, inbox, ("Subject: big\r\nX-Long: " + longValue + "\r\n\r\n" + body).getBytes());
        append(account, inbox, "Subject: small\r\n\r\nfiller words tailword\r\n".getBytes());
        append(account, inbox, "Subject: none\r\n\r\nnothing\r\n".getBytes());
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        List<TextQuery> queries = List.of(new TextQuery.Body("straddle"), new TextQuery.Body("tailword"), new TextQuery.Body("tai"),
                new TextQuery.Body("ta"), new TextQuery.Text("TAILWORD"), new TextQuery.Text("hdrtail"),
                new TextQuery.Header("x-long", "hdrtail"), new TextQuery.Header("subject", "big"), new TextQuery.Body("nothing"),
                new TextQuery.Body("absentword"), new TextQuery.Header("x-long", ""), new TextQuery.Body(""));
        int nonEmpty = 0;
        for (TextQuery q : queries) {
            List<Long> want = bruteForce(q);
            assertThat(indexed(q)).as("%s", q).isEqualTo(want);
            if (!want.isEmpty()) nonEmpty++;
        }
        assertThat(bruteForce(new TextQuery.Body("tailword"))).containsExactly(1L, 2L);
        assertThat(nonEmpty).isEqualTo(queries.size() - 1);
    }
}
