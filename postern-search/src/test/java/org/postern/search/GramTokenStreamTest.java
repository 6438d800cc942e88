// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.tokenattributes.TermToBytesRefAttribute;
import org.apache.lucene.index.Term;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;

/**
 * The stream's terms are byte for byte the terms the query side builds ({@link GramTokenStream#gram} as a
 * {@link Term}): an index written before the stream produced UTF-8 directly stays valid, and needles find it.
 */
class GramTokenStreamTest {
    static final List<List<String>> TABLE = List.of(
            List.of("abcd", "", "xy"),
            List.of("a"),
            List.of(""),
            List.of("", ""),
            List.of("grüße aus köln", "ĳ ŉ ǆ"),
            List.of("日本語のテキスト", "ελληνικά", "русский"),
            List.of("emoji 🎉🚀 end", "🎉"),
            // Lone surrogates (hostile text): U+FFFD in the term, as Lucene's UTF-16 to UTF-8 makes them.
            List.of("a\uD800b", "\uDC00xy", "x\uD83D", "\uDE00\uD83D\uDE00\uD800"),
            List.of("\uFFFF\uFFFE\uFFFD", "\u0000\u007F\u0080\u07FF\u0800"),
            List.of("x".repeat(10_000)));

    @Test
    void termsAreThoseTheQuerySideBuilds() throws Exception {
        for (List<String> values : TABLE) assertThat(terms(values)).as("%s", values).isEqualTo(expected(values));
    }

    @Test
    void randomTextGivesTheQuerySidesTerms() throws Exception {
        Random rnd = new Random(7);
        for (int round = 0; round < 200; round++) {
            List<String> values = new ArrayList<>();
            for (int v = rnd.nextInt(4); v >= 0; v--) {
                StringBuilder b = new StringBuilder();
                for (int k = rnd.nextInt(40); k > 0; k--) {
                    int kind = rnd.nextInt(5);
                    if (kind == 0) b.appendCodePoint(0x10000 + rnd.nextInt(0x10FFFF - 0x10000));
                    else if (kind == 1) b.append((char) (0xD800 + rnd.nextInt(0x800))); // lone or paired by chance
                    else if (kind == 2) b.append((char) rnd.nextInt(0x10000));
                    else b.append((char) ('a' + rnd.nextInt(26)));
                }
                values.add(b.toString());
            }
            assertThat(terms(values)).as("%s", values).isEqualTo(expected(values));
        }
    }

    @Test
    void termReadsAsCharactersAndCharactersWrittenBecomeTheTerm() throws Exception {
        GramTokenStream ts = new GramTokenStream(List.of("é🎉x"));
        CharTermAttribute chars = ts.getAttribute(CharTermAttribute.class);
        TermToBytesRefAttribute bytes = ts.getAttribute(TermToBytesRefAttribute.class);
        ts.reset();
        assertThat(ts.incrementToken()).isTrue();
        assertThat(chars.toString()).isEqualTo("é🎉x");
        assertThat(chars.length()).isEqualTo(4);
        chars.setEmpty().append("abc");
        assertThat(bytes.getBytesRef().utf8ToString()).isEqualTo("abc");
        assertThat(ts.incrementToken()).isTrue();
        assertThat(bytes.getBytesRef().utf8ToString()).isEqualTo("🎉x\uFFFF");
        assertThat(chars.toString()).isEqualTo("🎉x\uFFFF");
        ts.end();
        ts.close();
    }

    /** Position increment and term bytes of every token, as "inc:hex". */
    static List<String> terms(List<String> values) throws Exception {
        List<String> out = new ArrayList<>();
        try (GramTokenStream ts = new GramTokenStream(values)) {
            TermToBytesRefAttribute term = ts.getAttribute(TermToBytesRefAttribute.class);
            PositionIncrementAttribute inc = ts.getAttribute(PositionIncrementAttribute.class);
            ts.reset();
            while (ts.incrementToken()) out.add(inc.getPositionIncrement() + ":" + term.getBytesRef().toString());
            ts.end();
        }
        return out;
    }

    /** What the stream gave when it went through UTF-16: every trigram of code points as a {@link Term}. */
    static List<String> expected(List<String> values) {
        List<String> out = new ArrayList<>();
        boolean emitted = false;
        for (String v : values) {
            int[] cps = GramTokenStream.withEnd(v);
            for (int i = 0; i + GramTokenStream.N <= cps.length; i++) {
                int inc = i == 0 && emitted ? 1 + GramTokenStream.GAP : 1;
                BytesRef b = new Term("f", GramTokenStream.gram(cps, i)).bytes();
                out.add(inc + ":" + b.toString());
                emitted = true;
            }
        }
        return out;
    }
}
