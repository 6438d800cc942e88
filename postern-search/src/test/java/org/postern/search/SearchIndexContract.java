// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postern.store.BlobStore;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import org.postern.store.PasswordRecord;

/**
 * What every {@link SearchIndex} must do, run against each implementation: answer exactly what the
 * brute-force {@link SearchText#matches} answers (varied corpus: charsets, accents, case, RFC 2047 words,
 * attachments' text; hostile needles with {@code % _ \}, NUL, U+FFFF, very long ones), forget expunged
 * messages, keep every answer inside its account and mailbox, and catch up after a restart.
 */
public abstract class SearchIndexContract {
    protected static final Duration WAIT = Duration.ofSeconds(60);

    protected MailStore store;
    protected SearchIndex index;
    protected long account;
    protected long inbox;
    /** uid to message bytes, of INBOX, as the store has it. */
    private final Map<Long, byte[]> messages = new LinkedHashMap<>();
    private final Map<Long, SearchText> texts = new HashMap<>();

    /** A new, empty store of its own (no domains, no accounts). */
    protected abstract MailStore newStore() throws Exception;

    /** Opens the implementation under test on {@code store} (again after {@link SearchIndex#close()}). */
    protected abstract SearchIndex openIndex(MailStore store) throws Exception;

    @BeforeEach
    void setUpStore() throws Exception {
        store = newStore();
        store.directory().addDomain("example.org");
        account = store.directory().createAccount("a@example.org", PasswordRecord.NONE, false).id();
        inbox = store.mailboxes().find(account, Mailbox.INBOX).orElseThrow().id();
    }

    @AfterEach
    void closeAll() {
        if (index != null) index.close();
        if (store != null) store.close();
    }

    protected long append(long acc, long mailbox, byte[] msg) throws Exception {
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

    /** Messages made to trip the translation of needles into the index's query language. */
    static List<byte[]> hostileMessages() {
        String longText = "lorem ipsum dolor sit amet ".repeat(4000) + "deepinside " + "tail ".repeat(100);
        List<String> m = List.of(
                "Subject: 100% off_sale \\o/\r\nX-Tag: alpha\r\nX-Tag: beta%\r\n\r\nGet 100% of it; path C:\\temp\\new_file;"
                        + " a_b and a%b and a\\b\r\n",
                "Subject: plain\r\nX-Tag: a_b\r\n\r\nGet 1000 of it; path C:/temp/newXfile; aXb and ab\r\n",
                "Subject: nul\r\n\r\nbefore\0after and more\r\n",
                "Subject: odd chars\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nnon\uFFFFchar and \uFFFD replaced and \uFFFE\r\n",
                "Subject: =?utf-8?q?Caf=C3=A9_cr=C3=A8me_br=C3=BBl=C3=A9e?=\r\nFrom: =?utf-8?b?w4lsb8Ovc2U=?= <e@example.org>\r\n"
                        + "\r\nnothing here\r\n",
                "Subject: with attachment\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
                        + "Content-Type: text/plain; charset=utf-8\r\n\r\nsee attached\r\n--XX\r\nContent-Type: text/plain;"
                        + " name=notes.txt\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\nattachword Überweisung\r\n--XX--\r\n",
                "Subject: long\r\nX-Long: " + "v".repeat(3000) + " hdrtail\r\n\r\n" + longText + "\r\n",
                "X-Weird%_Name: percent field\r\nSubject: Ǆ ǅ İSTANBUL ΣΊΣΥΦΟΣ ß\r\n\r\nÀ la carte, ÉTÉ, Straße\r\n");
        List<byte[]> out = new ArrayList<>();
        for (String s : m) out.add(s.getBytes(StandardCharsets.UTF_8));
        return out;
    }

    static List<TextQuery> hostileQueries() {
        String veryLong = "x".repeat(5000);
        List<TextQuery> q = new ArrayList<>();
        for (String n : List.of("%", "_", "\\", "100%", "100% ", "a_b", "a%b", "a\\b", "\\o/", "%_\\", "c:\\temp\\new_file", "new_file",
                "%%", "__", "\\\\", "[a]", ".*", "^", "$", "(", "a.b", "*", "+", "?", "{2}", "|", "\0", "before\0after", "\uFFFF",
                "non\uFFFFchar", "\uFFFD", "\uFFFE", "\uD800", "é", "É", "café crème", "élo", "straße", "strasse", "été",
                "ǆ", "i̇stanbul", "σίσυφος", "attachword", "überweisung", "deepinside", "dolor sit amet deepinside tail",
                veryLong, "lorem ipsum dolor sit amet ".repeat(40), "hdrtail", "v".repeat(2999) + " hdrtail")) {
            q.add(new TextQuery.Body(n));
            q.add(new TextQuery.Text(n));
            q.add(new TextQuery.Header("subject", n));
            q.add(new TextQuery.Header("x-tag", n));
        }
        for (String f : List.of("x-weird%_name", "x-weird__name", "x-weird%", "x-long", "from", "x-tag", "x-ta_", "x-ta%", "x-tag\0")) {
            q.add(new TextQuery.Header(f, ""));
            q.add(new TextQuery.Header(f, "e"));
            q.add(new TextQuery.Header(f, "hdrtail"));
        }
        // One field's value must contain the needle: not a name's, not across two fields of that name.
        q.add(new TextQuery.Header("x-tag", "alpha"));
        q.add(new TextQuery.Header("x-tag", "beta%"));
        q.add(new TextQuery.Header("x-tag", "alphabeta"));
        q.add(new TextQuery.Header("x-tag", "x-tag"));
        q.add(new TextQuery.Header("subject", "x-tag"));
        return q;
    }

    @Test
    void answersExactlyWhatTheScanAnswers() throws Exception {
        List<byte[]> corpus = new CorpusGenerator(42).messages(160);
        // Half held when the index opens (its catch-up), half delivered while it runs.
        for (int i = 0; i < 80; i++) append(account, inbox, corpus.get(i));
        for (byte[] m : hostileMessages()) append(account, inbox, m);
        index = openIndex(store);
        for (int i = 80; i < corpus.size(); i++) append(account, inbox, corpus.get(i));
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        List<SearchText> corpusTexts = messages.values().stream().map(SearchText::of).toList();
        assertThat(corpusTexts).allMatch(SearchText::readable);
        Random rnd = new Random(7);
        List<TextQuery> queries = new ArrayList<>(hostileQueries());
        for (int i = 0; i < 400; i++) queries.add(LuceneSearchIndexTest.randomQuery(rnd, corpusTexts.get(rnd.nextInt(corpusTexts.size()))));
        for (String w : CorpusGenerator.WORDS) {
            queries.add(new TextQuery.Body(w));
            queries.add(new TextQuery.Text(w.toUpperCase(Locale.ROOT)));
            queries.add(new TextQuery.Header("subject", w));
        }
        for (String f : List.of("from", "to", "cc", "bcc", "subject", "x-mailer", "list-id", "x-absent", "received")) {
            queries.add(new TextQuery.Header(f, ""));
        }
        queries.add(new TextQuery.Body(""));
        queries.add(new TextQuery.Text(""));
        queries.add(new TextQuery.Text("=?utf-8?b?"));
        int nonEmpty = 0;
        for (TextQuery q : queries) {
            List<Long> want = bruteForce(q);
            assertThat(indexed(q)).as("%s", q.toString().length() > 200 ? q.toString().substring(0, 200) : q).isEqualTo(want);
            if (!want.isEmpty()) nonEmpty++;
        }
        // The comparison means something only when many queries find something and many do not.
        assertThat(nonEmpty).isGreaterThan(queries.size() / 2).isLessThan(queries.size() - 50);
    }

    @Test
    void textIsTheNormalisedTextOfTheMessage() throws Exception {
        byte[] m = new CorpusGenerator(11).messages(1).getFirst();
        long uid = append(account, inbox, m);
        index = openIndex(store);
        assertThat(index.awaitIndexed(account, inbox, uid, WAIT)).isTrue();
        assertThat(index.text(account, inbox, uid)).contains(SearchText.of(m));
        assertThat(index.text(account, inbox, uid + 1000)).isEmpty();
        assertThat(index.text(account, inbox + 1000, uid)).isEmpty();
        // SearchSnippet's case-preserved text, RFC 2047 subject decoded, without reading the message again.
        byte[] m2 = ("Subject: =?utf-8?q?Caf=C3=A9?= Report\r\n =?utf-8?b?w4lU?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                + "Hello WORLD, déjà vu\r\n").getBytes(StandardCharsets.UTF_8);
        long uid2 = append(account, inbox, m2);
        assertThat(index.awaitIndexed(account, inbox, uid2, WAIT)).isTrue();
        assertThat(index.snippetText(account, inbox, uid2)).contains(SnippetText.of(org.postern.core.mime.MessageParser.parse(m2)));
        assertThat(index.snippetText(account, inbox, uid2).orElseThrow().subject()).isEqualTo("Café Report ÉT");
        assertThat(index.snippetText(account, inbox, uid2).orElseThrow().body()).contains("Hello WORLD, déjà vu");
        assertThat(index.snippetText(account, inbox, uid2 + 1000)).isEmpty();
    }

    @Test
    void expungedMessagesLeaveTheIndex() throws Exception {
        index = openIndex(store);
        for (int i = 0; i < 20; i++) append(account, inbox, ("Subject: s" + i + "\r\n\r\nunique" + i + " common words\r\n").getBytes());
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        assertThat(indexed(new TextQuery.Body("common"))).hasSize(20);
        List<Long> gone = List.of(2L, 5L, 6L);
        store.mailboxes().expunge(account, inbox, gone);
        gone.forEach(messages::remove);
        // Expunges are applied with the next pass over the mailbox: one more message marks its end.
        append(account, inbox, "Subject: last\r\n\r\nthe end\r\n".getBytes());
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        assertThat(index.awaitIdle(WAIT)).isTrue();
        assertThat(indexed(new TextQuery.Body("common"))).isEqualTo(bruteForce(new TextQuery.Body("common"))).hasSize(17);
        assertThat(indexed(new TextQuery.Body("unique5"))).isEmpty();
        assertThat(indexed(new TextQuery.Header("subject", "s5"))).isEmpty();
    }

    @Test
    void answersStayInsideTheirAccountAndMailbox() throws Exception {
        index = openIndex(store);
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
        // UID 1 exists in all three mailboxes: only the asked one's counts.
        assertThat(indexed(new TextQuery.Body("same"))).isEmpty();
        assertThat(indexed(new TextQuery.Header("subject", "secret"))).isEmpty();
        assertThat(index.find(account, archive.id(), new TextQuery.Body("same")).uids()).containsExactly(archived);
        assertThat(index.find(other, otherInbox, new TextQuery.Header("subject", "SECRET")).uids()).containsExactly(otherUid);
        if (otherInbox != inbox) assertThat(index.text(account, otherInbox, otherUid)).isEmpty();
        // A deleted mailbox and a deleted account leave the index.
        store.mailboxes().delete(account, "Projects");
        store.directory().deleteAccount("b@example.org");
        append(account, inbox, "Subject: later\r\n\r\nmore\r\n".getBytes());
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        assertThat(index.awaitIdle(WAIT)).isTrue();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while ((index.indexedUid(account, archive.id()) != 0 || index.indexedUid(other, otherInbox) != 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(index.indexedUid(account, archive.id())).isZero();
        assertThat(index.indexedUid(other, otherInbox)).isZero();
        assertThat(index.find(account, archive.id(), new TextQuery.Body("same")).uids()).isEmpty();
        assertThat(index.find(other, otherInbox, new TextQuery.Body("same")).uids()).isEmpty();
    }

    @Test
    void reopeningCatchesUpWithChangesMadeWhileClosed() throws Exception {
        index = openIndex(store);
        List<byte[]> corpus = new CorpusGenerator(5).messages(60);
        for (int i = 0; i < 30; i++) append(account, inbox, corpus.get(i));
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        index.close();
        index = null;
        for (int i = 30; i < 60; i++) append(account, inbox, corpus.get(i));
        List<Long> gone = List.of(1L, 31L);
        store.mailboxes().expunge(account, inbox, gone);
        gone.forEach(messages::remove);
        index = openIndex(store);
        assertThat(index.awaitIndexed(account, inbox, lastUid(), WAIT)).isTrue();
        assertThat(index.awaitIdle(WAIT)).isTrue();
        for (String w : List.of("the", "Grüße", "throughput", "a", "")) {
            assertThat(indexed(new TextQuery.Text(w))).as(w).isEqualTo(bruteForce(new TextQuery.Text(w)));
        }
    }
}
