// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import java.util.List;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;

/**
 * The trigrams (of code points) of one or more folded values, one position each, so a phrase of a
 * needle's trigrams at their offsets matches exactly where the needle occurs: the index answers
 * "contains this substring", not "contains these words". Each value ends with two {@link #END}
 * marks, so every one- and two-character substring is the prefix of some trigram (prefix queries
 * for short needles are exact too). Values of a multi-valued field are {@link #GAP} positions apart,
 * so no phrase spans two values.
 */
final class GramTokenStream extends TokenStream {
    /** A noncharacter: never a needle's (needles holding it are answered by scanning). */
    static final int END = 0xFFFF;
    static final int GAP = 4;
    static final int N = 3;

    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
    private final PositionIncrementAttribute posInc = addAttribute(PositionIncrementAttribute.class);
    private final List<String> values;
    private int value = -1;
    private int[] cps;
    private int at;
    private boolean emitted;
    private boolean valueStart;

    GramTokenStream(List<String> values) {
        this.values = values;
    }

    @Override
    public boolean incrementToken() {
        clearAttributes();
        while (cps == null || at + N > cps.length) {
            if (++value >= values.size()) return false;
            cps = withEnd(values.get(value));
            at = 0;
            valueStart = true;
        }
        char[] buf = term.resizeBuffer(2 * N);
        int len = 0;
        for (int k = 0; k < N; k++) len += Character.toChars(cps[at + k], buf, len);
        term.setLength(len);
        posInc.setPositionIncrement(valueStart && emitted ? 1 + GAP : 1);
        valueStart = false;
        emitted = true;
        at++;
        return true;
    }

    @Override
    public void reset() throws java.io.IOException {
        super.reset();
        value = -1;
        cps = null;
        emitted = false;
    }

    static int[] withEnd(String v) {
        if (v.isEmpty()) return new int[0];
        int[] c = v.codePoints().toArray();
        int[] out = java.util.Arrays.copyOf(c, c.length + 2);
        out[c.length] = END;
        out[c.length + 1] = END;
        return out;
    }

    /** The trigram of {@code cps} starting at {@code i}, as indexed. */
    static String gram(int[] cps, int i) {
        return new String(cps, i, N);
    }
}
