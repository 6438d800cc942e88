// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.CharTermAttributeImpl;
import org.apache.lucene.analysis.tokenattributes.TermToBytesRefAttribute;
import org.apache.lucene.util.AttributeFactory;
import org.apache.lucene.util.AttributeImpl;
import org.apache.lucene.util.AttributeReflector;
import org.apache.lucene.util.BytesRef;

/**
 * The term of a {@link GramTokenStream}: set as UTF-8 bytes (what the indexing chain reads through
 * {@link TermToBytesRefAttribute}), seen as characters only when someone asks ({@link CharTermAttribute},
 * for tests and tools), so the indexer never converts a term to UTF-16 and back. Written through
 * {@link CharTermAttribute}, the characters become the term.
 */
final class GramTermAttribute extends AttributeImpl implements CharTermAttribute, TermToBytesRefAttribute {
    /** Gives this implementation for both term interfaces, the default ones for every other attribute. */
    static final AttributeFactory FACTORY = new AttributeFactory() {
        @Override
        public AttributeImpl createAttributeInstance(Class<? extends org.apache.lucene.util.Attribute> c) {
            if (c == CharTermAttribute.class || c == TermToBytesRefAttribute.class) return new GramTermAttribute();
            return AttributeFactory.DEFAULT_ATTRIBUTE_FACTORY.createAttributeInstance(c);
        }
    };

    private BytesRef bytes = new BytesRef();
    /** The character view; authoritative when {@link #fromChars}, else rebuilt from the bytes when {@link #charsStale}. */
    private CharTermAttributeImpl chars = new CharTermAttributeImpl();
    private boolean fromChars;
    private boolean charsStale;

    /** The term's UTF-8 bytes; the caller keeps them unchanged until the next term. */
    void setBytes(BytesRef b) {
        bytes = b;
        fromChars = false;
        charsStale = true;
    }

    @Override
    public BytesRef getBytesRef() {
        return fromChars ? chars.getBytesRef() : bytes;
    }

    /** The character view, current; {@code write} when the caller is about to change it. */
    private CharTermAttributeImpl chars(boolean write) {
        if (charsStale) {
            chars.setEmpty().append(bytes.utf8ToString());
            charsStale = false;
        }
        if (write) fromChars = true;
        return chars;
    }

    @Override
    public void copyBuffer(char[] buffer, int offset, int length) {
        chars(true).copyBuffer(buffer, offset, length);
    }

    @Override
    public char[] buffer() {
        // The caller may write into it.
        return chars(true).buffer();
    }

    @Override
    public char[] resizeBuffer(int newSize) {
        return chars(true).resizeBuffer(newSize);
    }

    @Override
    public CharTermAttribute setLength(int length) {
        chars(true).setLength(length);
        return this;
    }

    @Override
    public CharTermAttribute setEmpty() {
        chars(true).setEmpty();
        return this;
    }

    @Override
    public CharTermAttribute append(CharSequence csq) {
        chars(true).append(csq);
        return this;
    }

    @Override
    public CharTermAttribute append(CharSequence csq, int start, int end) {
        chars(true).append(csq, start, end);
        return this;
    }

    @Override
    public CharTermAttribute append(char c) {
        chars(true).append(c);
        return this;
    }

    @Override
    public CharTermAttribute append(String s) {
        chars(true).append(s);
        return this;
    }

    @Override
    public CharTermAttribute append(StringBuilder sb) {
        chars(true).append(sb);
        return this;
    }

    @Override
    public CharTermAttribute append(CharTermAttribute termAtt) {
        chars(true).append(termAtt);
        return this;
    }

    @Override
    public int length() {
        return chars(false).length();
    }

    @Override
    public char charAt(int index) {
        return chars(false).charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return chars(false).subSequence(start, end);
    }

    @Override
    public String toString() {
        return chars(false).toString();
    }

    @Override
    public void clear() {
        bytes = new BytesRef();
        chars.clear();
        fromChars = false;
        charsStale = false;
    }

    @Override
    public void copyTo(AttributeImpl target) {
        if (target instanceof GramTermAttribute g) {
            g.bytes = BytesRef.deepCopyOf(bytes);
            g.chars = (CharTermAttributeImpl) chars.clone();
            g.fromChars = fromChars;
            g.charsStale = charsStale;
        } else {
            ((CharTermAttribute) target).setEmpty().append(toString());
        }
    }

    @Override
    public GramTermAttribute clone() {
        GramTermAttribute c = (GramTermAttribute) super.clone();
        copyTo(c);
        return c;
    }

    @Override
    public void reflectWith(AttributeReflector reflector) {
        reflector.reflect(CharTermAttribute.class, "term", toString());
        reflector.reflect(TermToBytesRefAttribute.class, "bytes", BytesRef.deepCopyOf(getBytesRef()));
    }
}
