// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import java.util.List;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.tokenattributes.TermToBytesRefAttribute;
import org.apache.lucene.util.BytesRef;

/**
 * The trigrams (of code points) of one or more folded values, one position each, so a phrase of a
 * needle's trigrams at their offsets matches exactly where the needle occurs: the index answers
 * "contains this substring", not "contains these words". Each value ends with two {@link #END}
 * marks, so every one- and two-character substring is the prefix of some trigram (prefix queries
 * for short needles are exact too). Values of a multi-valued field are {@link #GAP} positions apart,
 * so no phrase spans two values.
 *
 * <p>Terms are the UTF-8 bytes of the trigram, as {@link #gram} turned into a {@code Term} gives them
 * (a lone surrogate becomes U+FFFD, as Lucene's UTF-16 to UTF-8 conversion makes it). Each value is
 * encoded once and every trigram is a slice of it: a term per character is the indexer's hot path, and
 * going through UTF-16 characters per term (then Lucene's conversion to UTF-8) was about 8% of it.
 * The term is still readable as characters ({@link GramTermAttribute}).
 */
final class GramTokenStream extends TokenStream {
    /** A noncharacter: never a needle's (needles holding it are answered by scanning). */
    static final int END = 0xFFFF;
    static final int GAP = 4;
    static final int N = 3;

    private final GramTermAttribute term = (GramTermAttribute) addAttribute(TermToBytesRefAttribute.class);
    private final PositionIncrementAttribute posInc = addAttribute(PositionIncrementAttribute.class);
    private final BytesRef bytes = new BytesRef();
    private final List<String> values;
    private int value = -1;
    /** UTF-8 of the current value and its end marks; {@code starts[i]} is where code point i begins. */
    private byte[] utf8 = new byte[64];
    private int[] starts = new int[64];
    private int grams;
    private int at;
    private boolean emitted;
    private boolean valueStart;

    GramTokenStream(List<String> values) {
        super(GramTermAttribute.FACTORY);
        this.values = values;
    }

    @Override
    public boolean incrementToken() {
        // Only this stream sets attributes (no filters follow it), and it sets both on every token, so
        // clearAttributes() (a walk over every attribute per term) is not needed.
        while (at >= grams) {
            if (++value >= values.size()) return false;
            encode(values.get(value));
            at = 0;
            valueStart = true;
        }
        bytes.bytes = utf8;
        bytes.offset = starts[at];
        bytes.length = starts[at + N] - starts[at];
        term.setBytes(bytes);
        posInc.setPositionIncrement(valueStart && emitted ? 1 + GAP : 1);
        valueStart = false;
        emitted = true;
        at++;
        return true;
    }

    /** Encodes {@code v} and its end marks; sets {@link #grams} (0 for an empty value: no marks either). */
    private void encode(String v) {
        grams = 0;
        if (v.isEmpty()) return;
        int len = v.length();
        // At most 3 bytes per UTF-16 char (a pair makes 4 bytes of 2 chars), plus the two marks.
        if (utf8.length < 3 * len + 6) utf8 = new byte[3 * len + 6];
        if (starts.length < len + 3) starts = new int[len + 3];
        int b = 0;
        int n = 0;
        for (int i = 0; i < len; ) {
            int cp = v.codePointAt(i);
            i += Character.charCount(cp);
            starts[n++] = b;
            b = put(cp, b);
        }
        starts[n++] = b;
        b = put(END, b);
        starts[n++] = b;
        b = put(END, b);
        starts[n] = b;
        grams = n - N + 1;
    }

    private int put(int cp, int b) {
        byte[] o = utf8;
        if (cp < 0x80) {
            o[b++] = (byte) cp;
        } else if (cp < 0x800) {
            o[b++] = (byte) (0xC0 | (cp >> 6));
            o[b++] = (byte) (0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            // A lone surrogate has no UTF-8 form: U+FFFD, as in Lucene's UnicodeUtil.UTF16toUTF8.
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) cp = 0xFFFD;
            o[b++] = (byte) (0xE0 | (cp >> 12));
            o[b++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            o[b++] = (byte) (0x80 | (cp & 0x3F));
        } else {
            o[b++] = (byte) (0xF0 | (cp >> 18));
            o[b++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
            o[b++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            o[b++] = (byte) (0x80 | (cp & 0x3F));
        }
        return b;
    }

    @Override
    public void reset() throws java.io.IOException {
        super.reset();
        value = -1;
        grams = 0;
        at = 0;
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
