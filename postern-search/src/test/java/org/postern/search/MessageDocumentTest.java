// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.Test;
import org.postern.core.mime.MessageParser;
import org.postern.core.mime.MimeMessage;
import org.postern.core.mime.TextExtractor;

/**
 * The document layout against the brute-force {@link SearchText#matches}, without a store: values of other
 * header fields are indexed in {@code hv} only when the header block does not hold them as they are
 * (folded, encoded words decoded apart), and the folded body is stored only when it is not the folded
 * snippet body. Plans and confirmation must still answer exactly.
 */
class MessageDocumentTest {
    static final List<String> MESSAGES = List.of(
            "From: a@example.org\r\nX-Folded: alpha\r\n beta gamma\r\nX-Mailer: Mutt 2.0\r\nSubject: hello\r\n\r\nbody one\r\n",
            "From: b@example.org\r\nX-Enc: =?utf-8?q?caf=C3=A9?=\r\n =?utf-8?q?_cr=C3=A8me?= tail\r\nX-Mailer: other\r\n\r\nbody two mutt\r\n",
            "From: c@example.org\r\nX-Folded: alpha beta\r\nX-Tab: one\r\n\ttwo\r\nSubject: =?utf-8?b?R3LDvMOfZQ==?= x\r\n\r\nGRÜSSE aus Köln\r\n",
            "From: d@example.org\r\nX-Mailer: mutt\r\nX-Mailer: second mutt value\r\nContent-Type: text/html\r\n\r\n<p>html &amp; B&uuml;ro</p>\r\n",
            "From: e@example.org\r\nX-Empty:\r\nX-Space: \r\n\r\n" + "long body İstanbul ".repeat(500) + "\r\n",
            // Values the decoded header block does not hold as they are: a final sigma folded alone but not
            // before the next field's name, an encoded word begun in one field and ended in the next.
            "From: f@example.org\r\nX-Greek: ΟΔΟΣ\r\nX-A: =?utf-8?q?ab\r\nX-B:c?=\r\n\r\nbody\r\n");
    static final List<TextQuery> QUERIES = List.of(
            new TextQuery.Header("X-Folded", "alpha beta"), new TextQuery.Header("X-Folded", "beta gamma"),
            new TextQuery.Header("X-Folded", "alpha\r\n beta"), new TextQuery.Header("x-enc", "café crème"),
            new TextQuery.Header("x-enc", "crème tail"), new TextQuery.Header("X-Mailer", "mutt"),
            new TextQuery.Header("X-Mailer", "second mutt"), new TextQuery.Header("X-Mailer", "2.0"),
            new TextQuery.Header("X-Tab", "one two"), new TextQuery.Header("X-Tab", "one\ttwo"),
            new TextQuery.Header("X-Empty", ""), new TextQuery.Header("X-Space", ""), new TextQuery.Header("X-None", ""),
            new TextQuery.Header("Subject", "grüße"), new TextQuery.Header("Subject", "hello"),
            new TextQuery.Body("body"), new TextQuery.Body("grüsse aus"), new TextQuery.Body("i̇stanbul long"),
            new TextQuery.Body("büro"), new TextQuery.Body("mutt"), new TextQuery.Text("mutt"),
            new TextQuery.Header("X-Greek", "δος"), new TextQuery.Header("X-Greek", "οδοσ"), new TextQuery.Text("οδοσx"),
            new TextQuery.Header("X-A", "=?utf-8?q?ab"), new TextQuery.Header("X-B", "c?="), new TextQuery.Text("abx-b"),
            new TextQuery.Text("x-mailer: mutt"), new TextQuery.Text("alpha\r\n beta"), new TextQuery.Text("köln"));

    @Test
    void answersExactlyWhatTheScanAnswers() throws Exception {
        List<SearchText> texts = new ArrayList<>();
        try (ByteBuffersDirectory dir = new ByteBuffersDirectory();
                IndexWriter w = new IndexWriter(dir, new IndexWriterConfig())) {
            for (int i = 0; i < MESSAGES.size(); i++) {
                MimeMessage m = MessageParser.parse(MESSAGES.get(i).getBytes(StandardCharsets.UTF_8));
                String body = TextExtractor.text(m, SearchText.MAX_BODY);
                SearchText t = SearchText.of(m, body);
                texts.add(t);
                w.addDocument(MessageDocument.of(1, 1, i + 1, t, SnippetText.of(m, body)));
            }
            w.commit();
            try (DirectoryReader r = DirectoryReader.open(dir)) {
                assertThat(r.leaves()).hasSize(1);
                IndexSearcher s = new IndexSearcher(r);
                StoredFields stored = r.storedFields();
                for (TextQuery q : QUERIES) {
                    TreeSet<Long> expected = new TreeSet<>();
                    for (int i = 0; i < texts.size(); i++) if (texts.get(i).matches(q)) expected.add(i + 1L);
                    LuceneQueries.Plan plan = LuceneQueries.plan(q);
                    TreeSet<Long> got = new TreeSet<>();
                    BooleanQuery withCut = new BooleanQuery.Builder().add(plan.query(), BooleanClause.Occur.SHOULD)
                            .add(new TermQuery(new Term(MessageDocument.CUT, "1")), BooleanClause.Occur.SHOULD).build();
                    for (ScoreDoc sd : s.search(withCut, 100).scoreDocs) {
                        Document d = stored.document(sd.doc);
                        if (!plan.confirm() || MessageDocument.matches(d, q)) {
                            got.add(sd.doc + 1L); // one segment, documents in the order added
                        }
                    }
                    assertThat(got).as("%s", q).isEqualTo(expected);
                }
                // The stored text reads back as the text indexed, body derived or stored.
                for (int i = 0; i < texts.size(); i++) {
                    ScoreDoc[] hit = s.search(new TermQuery(MessageDocument.idTerm(1, 1, i + 1)), 1).scoreDocs;
                    assertThat(MessageDocument.stored(stored.document(hit[0].doc, MessageDocument.STORED))).isEqualTo(texts.get(i));
                }
            }
        }
    }

    @Test
    void snippetFromTheLongerTextIsTheSnippetOfTheMessage() {
        List<byte[]> all = new ArrayList<>(new CorpusGenerator(3).messages(200));
        for (String m : MESSAGES) all.add(m.getBytes(StandardCharsets.UTF_8));
        // Text longer than the snippet keeps, in one part and over several.
        all.add(("Subject: big\r\n\r\n" + "word ".repeat(60_000)).getBytes(StandardCharsets.UTF_8));
        all.add(("Subject: parts\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
                + "a".repeat(150_000) + "\r\n--b\r\nContent-Type: text/html\r\n\r\n<b>" + "c".repeat(150_000)
                + "</b>\r\n--b--\r\n").getBytes(StandardCharsets.UTF_8));
        for (byte[] raw : all) {
            MimeMessage m = MessageParser.parse(raw);
            assertThat(SnippetText.of(m, TextExtractor.text(m, SearchText.MAX_BODY))).isEqualTo(SnippetText.of(m));
            assertThat(SearchText.of(m, TextExtractor.text(m, SearchText.MAX_BODY))).isEqualTo(SearchText.of(m));
        }
    }
}
