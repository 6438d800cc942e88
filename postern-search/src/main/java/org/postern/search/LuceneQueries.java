// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/**
 * Translates a {@link TextQuery} into a Lucene query over the trigram fields of {@link MessageDocument}.
 * A needle of three or more code points becomes a phrase of its trigrams at their offsets, taking
 * every third trigram and the last: together they cover every character, so the phrase matches
 * exactly where the needle occurs (IMAP substring semantics, RFC 9051 §6.4.4). One or two code points
 * become a prefix query over trigrams, exact thanks to the end marks. A plan says when the answer is
 * only a superset and must be confirmed against the stored text: a needle longer than
 * {@link #MAX_GRAMS} trigrams (the phrase is cut), a needle holding the end mark, a field outside
 * {@link MessageDocument#OWN_FIELDS}.
 */
final class LuceneQueries {
    /** Phrase terms per needle: bounds the work of one key (longer needles are confirmed). */
    static final int MAX_GRAMS = 24;

    record Plan(Query query, boolean confirm) {}

    private LuceneQueries() {}

    static Plan plan(TextQuery q) {
        return switch (q) {
            case TextQuery.Body b -> b.needle().isEmpty() ? readable() : grams(MessageDocument.BODY, b.needle());
            case TextQuery.Text t -> {
                if (t.needle().isEmpty()) yield readable();
                Plan head = grams(MessageDocument.HEAD, t.needle());
                Plan body = grams(MessageDocument.BODY, t.needle());
                Query either = new BooleanQuery.Builder().add(head.query(), BooleanClause.Occur.SHOULD)
                        .add(body.query(), BooleanClause.Occur.SHOULD).build();
                yield new Plan(either, head.confirm() || body.confirm());
            }
            case TextQuery.Header h -> {
                boolean cut = h.field().length() >= MessageDocument.MAX_NAME;
                Query present = new TermQuery(new Term(MessageDocument.NAMES, MessageDocument.cut(h.field())));
                if (h.needle().isEmpty()) yield new Plan(present, cut);
                if (MessageDocument.OWN_FIELDS.contains(h.field())) {
                    yield grams(MessageDocument.FIELD_PREFIX + h.field(), h.needle());
                }
                // A value is indexed in {@code hv} or, when the header block holds it as is, in {@code head}
                // only: a value holding the needle puts it in one of the two (a superset, confirmed).
                Query values = new BooleanQuery.Builder()
                        .add(grams(MessageDocument.OTHER_VALUES, h.needle()).query(), BooleanClause.Occur.SHOULD)
                        .add(grams(MessageDocument.HEAD, h.needle()).query(), BooleanClause.Occur.SHOULD).build();
                Query both = new BooleanQuery.Builder().add(present, BooleanClause.Occur.FILTER)
                        .add(values, BooleanClause.Occur.FILTER).build();
                yield new Plan(both, true);
            }
        };
    }

    private static Plan readable() {
        return new Plan(new TermQuery(new Term(MessageDocument.READABLE, "1")), false);
    }

    /** Messages whose {@code field} contains {@code needle} (not empty, already folded). */
    static Plan grams(String field, String needle) {
        int[] cps = needle.codePoints().toArray();
        for (int c : cps) {
            // The end mark could match across values; a lone surrogate (or U+FFFD, what the index turns
            // lone surrogates of odd text into) has no exact term: scan the mailbox's readable messages.
            if (c == GramTokenStream.END || c == 0xFFFD || (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE)) {
                return new Plan(new TermQuery(new Term(MessageDocument.READABLE, "1")), true);
            }
        }
        if (cps.length < GramTokenStream.N) {
            return new Plan(new PrefixQuery(new Term(field, new String(cps, 0, cps.length))), false);
        }
        PhraseQuery.Builder p = new PhraseQuery.Builder();
        int last = cps.length - GramTokenStream.N;
        int added = 0;
        boolean cut = false;
        for (int i = 0; ; i += GramTokenStream.N) {
            int at = Math.min(i, last);
            if (added == MAX_GRAMS) {
                cut = true;
                break;
            }
            p.add(new Term(field, GramTokenStream.gram(cps, at)), at);
            added++;
            if (at == last) break;
        }
        return new Plan(p.build(), cut);
    }
}
