// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.TermQuery;
import org.junit.jupiter.api.Test;

class LuceneQueriesTest {
    @Test
    void needleBecomesCoveringPhraseOfTrigrams() {
        // t h r o u g h p u t: trigrams at 0, 3, 6 and the last (7) cover every character.
        PhraseQuery p = (PhraseQuery) LuceneQueries.plan(new TextQuery.Body("ThroughPut")).query();
        assertThat(Arrays.stream(p.getTerms()).map(Term::text)).containsExactly("thr", "oug", "hpu", "put");
        assertThat(p.getPositions()).containsExactly(0, 3, 6, 7);
        assertThat(LuceneQueries.plan(new TextQuery.Body("abc")).confirm()).isFalse();
    }

    @Test
    void codePointsNotCharsMakeTheGrams() {
        PhraseQuery p = (PhraseQuery) LuceneQueries.plan(new TextQuery.Body("a🎉bc")).query();
        assertThat(Arrays.stream(p.getTerms()).map(Term::text)).containsExactly("a🎉b", "🎉bc");
        assertThat(p.getPositions()).containsExactly(0, 1);
    }

    @Test
    void shortNeedlesArePrefixesOfTrigrams() {
        LuceneQueries.Plan one = LuceneQueries.plan(new TextQuery.Body("É"));
        assertThat(one.query()).isEqualTo(new PrefixQuery(new Term("body", "é")));
        assertThat(one.confirm()).isFalse();
        assertThat(LuceneQueries.plan(new TextQuery.Header("SUBJECT", "re")).query())
                .isEqualTo(new PrefixQuery(new Term("f.subject", "re")));
    }

    @Test
    void emptyNeedles() {
        assertThat(LuceneQueries.plan(new TextQuery.Body("")).query()).isEqualTo(new TermQuery(new Term("ok", "1")));
        assertThat(LuceneQueries.plan(new TextQuery.Text("")).query()).isEqualTo(new TermQuery(new Term("ok", "1")));
        LuceneQueries.Plan h = LuceneQueries.plan(new TextQuery.Header("X-Spam", ""));
        assertThat(h.query()).isEqualTo(new TermQuery(new Term("hname", "x-spam")));
        assertThat(h.confirm()).isFalse();
    }

    @Test
    void supersetsAreConfirmed() {
        String longNeedle = "x".repeat(200);
        LuceneQueries.Plan cut = LuceneQueries.plan(new TextQuery.Body(longNeedle));
        assertThat(cut.confirm()).isTrue();
        assertThat(((PhraseQuery) cut.query()).getTerms()).hasSize(LuceneQueries.MAX_GRAMS);
        // Exactly MAX_GRAMS grams still cover the needle: no confirmation.
        int exact = (LuceneQueries.MAX_GRAMS - 1) * GramTokenStream.N + GramTokenStream.N;
        assertThat(LuceneQueries.plan(new TextQuery.Body("y".repeat(exact))).confirm()).isFalse();
        assertThat(LuceneQueries.plan(new TextQuery.Body("a\uFFFFb")).confirm()).isTrue();
        assertThat(LuceneQueries.plan(new TextQuery.Body("a\uD800b")).confirm()).isTrue();
        assertThat(LuceneQueries.plan(new TextQuery.Header("X-Mailer", "mutt")).confirm()).isTrue();
        assertThat(LuceneQueries.plan(new TextQuery.Header("From", "alice")).confirm()).isFalse();
        assertThat(LuceneQueries.plan(new TextQuery.Header("x".repeat(300), "")).confirm()).isTrue();
    }

    @Test
    void textSearchesHeaderBlockOrBody() {
        BooleanQuery b = (BooleanQuery) LuceneQueries.plan(new TextQuery.Text("budget")).query();
        assertThat(b.clauses()).hasSize(2);
        assertThat(b.clauses().stream().map(c -> ((PhraseQuery) c.query()).getField())).containsExactly("head", "body");
    }

    @Test
    void tokenStreamMarksEndsAndSeparatesValues() throws Exception {
        GramTokenStream ts = new GramTokenStream(java.util.List.of("abcd", "", "xy"));
        var term = ts.getAttribute(org.apache.lucene.analysis.tokenattributes.CharTermAttribute.class);
        var inc = ts.getAttribute(org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute.class);
        ts.reset();
        StringBuilder got = new StringBuilder();
        while (ts.incrementToken()) got.append(inc.getPositionIncrement()).append(':').append(term.toString().replace('\uFFFF', '$')).append(' ');
        ts.end();
        ts.close();
        assertThat(got.toString().strip()).isEqualTo("1:abc 1:bcd 1:cd$ 1:d$$ 5:xy$ 1:y$$");
    }
}
