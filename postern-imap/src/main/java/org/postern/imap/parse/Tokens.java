// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Reads the tokens of one command (RFC 3501 §9) from its bytes: the command line with every literal
 * inline as {@code {n}CRLF} followed by its n octets, exactly as the session assembled it. Every
 * method either consumes a well-formed token or throws; nothing is read past the array.
 */
final class Tokens {
    private final byte[] buf;
    private int pos;
    /** Mailbox names are UTF-8, not modified UTF-7 (RFC 6855 §3, RFC 9051 §5.1 after ENABLE). */
    final boolean utf8Names;

    Tokens(byte[] buf) {
        this(buf, false);
    }

    Tokens(byte[] buf, boolean utf8Names) {
        this.buf = buf;
        this.utf8Names = utf8Names;
    }

    int pos() {
        return pos;
    }

    boolean atEnd() {
        return pos >= buf.length;
    }

    int peek() {
        return pos < buf.length ? buf[pos] & 0xff : -1;
    }

    /** Whether the input continues with {@code s} (ASCII, letters case-insensitive), consuming nothing. */
    boolean lookingAt(String s) {
        if (pos + s.length() > buf.length) return false;
        for (int i = 0; i < s.length(); i++) {
            if (Character.toUpperCase(buf[pos + i]) != Character.toUpperCase(s.charAt(i))) return false;
        }
        return true;
    }

    boolean peekIs(char c) {
        return peek() == c;
    }

    void expect(char c) throws ParseException {
        if (peek() != c) throw new ParseException(atEnd() ? "Missing '" + c + "'" : "Expected '" + c + "'");
        pos++;
    }

    boolean accept(char c) {
        if (peek() == c) {
            pos++;
            return true;
        }
        return false;
    }

    void sp() throws ParseException {
        if (peek() != ' ') throw new ParseException(atEnd() ? "Missing argument" : "Expected a single space");
        pos++;
    }

    void end() throws ParseException {
        if (!atEnd()) throw new ParseException("Unexpected characters at end of command");
    }

    /** RFC 3501 §9 ATOM-CHAR: any CHAR except atom-specials. */
    static boolean isAtomChar(int b) {
        return b > 0x20 && b < 0x7f && "(){%*\"\\]".indexOf(b) < 0;
    }

    static boolean isAstringChar(int b) {
        return isAtomChar(b) || b == ']';
    }

    String atom() throws ParseException {
        int start = pos;
        while (pos < buf.length && isAtomChar(buf[pos] & 0xff)) pos++;
        if (pos == start) throw bad("Expected an atom");
        return ascii(start, pos);
    }

    /** tag = 1*(ASTRING-CHAR except "+"). */
    String tag() throws ParseException {
        int start = pos;
        while (pos < buf.length && isAstringChar(buf[pos] & 0xff) && buf[pos] != '+') pos++;
        if (pos == start) throw bad("Missing or invalid tag");
        return ascii(start, pos);
    }

    String astring() throws ParseException {
        int c = peek();
        if (c == '"' || c == '{') return string();
        int start = pos;
        while (pos < buf.length && isAstringChar(buf[pos] & 0xff)) pos++;
        if (pos == start) throw bad("Expected a string");
        return ascii(start, pos);
    }

    /** list-mailbox = 1*list-char / string (RFC 3501 §9): atoms may contain "%" and "*". */
    String listMailbox() throws ParseException {
        int c = peek();
        if (c == '"' || c == '{') return string();
        int start = pos;
        while (pos < buf.length && (isAstringChar(buf[pos] & 0xff) || buf[pos] == '%' || buf[pos] == '*')) pos++;
        if (pos == start) throw bad("Expected a mailbox pattern");
        return ascii(start, pos);
    }

    String nstring() throws ParseException {
        if (acceptWord("NIL")) return null;
        return string();
    }

    String string() throws ParseException {
        int c = peek();
        if (c == '"') return quoted();
        if (c == '{') return utf8(literal());
        throw bad("Expected a quoted string or a literal");
    }

    private String quoted() throws ParseException {
        pos++;
        byte[] out = new byte[Math.min(buf.length - pos, 64)];
        int n = 0;
        while (true) {
            if (pos >= buf.length) throw bad("Unterminated quoted string");
            int b = buf[pos++] & 0xff;
            if (b == '"') break;
            if (b == '\\') {
                if (pos >= buf.length) throw bad("Unterminated quoted string");
                b = buf[pos++] & 0xff;
                if (b != '"' && b != '\\') throw bad("Invalid escape in quoted string");
            } else if (b == 0 || b == '\r' || b == '\n') {
                // HOSTILE A69: NUL, CR and LF are never part of a quoted string.
                throw bad("Invalid character in quoted string");
            }
            if (n == out.length) out = java.util.Arrays.copyOf(out, Math.max(16, out.length * 2));
            out[n++] = (byte) b;
        }
        return utf8(java.util.Arrays.copyOf(out, n));
    }

    /** A literal's octets. The session has already checked its size against the limits. */
    byte[] literal() throws ParseException {
        return literal(false);
    }

    /** RFC 3516 §4.2 literal8 ("~{n}"): octets that may include NUL. */
    byte[] literal8() throws ParseException {
        expect('~');
        return literal(true);
    }

    private byte[] literal(boolean binary) throws ParseException {
        expect('{');
        long n = 0;
        int digits = 0;
        while (pos < buf.length && buf[pos] >= '0' && buf[pos] <= '9') {
            n = n * 10 + (buf[pos++] - '0');
            if (++digits > 10 || n > SequenceSet.MAX) throw new ParseException("TOOBIG", "Literal too large");
        }
        if (digits == 0) throw bad("Invalid literal size");
        accept('+');
        expect('}');
        if (pos + 2 > buf.length || buf[pos] != '\r' || buf[pos + 1] != '\n') throw bad("Literal data missing");
        pos += 2;
        if (n > buf.length - pos) throw bad("Literal data missing");
        byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + (int) n);
        pos += (int) n;
        if (binary) return out;
        for (byte b : out) {
            if (b == 0) throw bad("NUL in literal");
        }
        return out;
    }

    /** Exactly {@code n} ASCII letters (month names). */
    String letters(int n) throws ParseException {
        if (pos + n > buf.length) throw bad("Expected a month");
        for (int i = 0; i < n; i++) {
            int b = buf[pos + i];
            if (!((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z'))) throw bad("Expected a month");
        }
        pos += n;
        return ascii(pos - n, pos);
    }

    void skipToEnd() {
        pos = buf.length;
    }

    /** number (RFC 3501 §9): at most 2^32-1. */
    long number() throws ParseException {
        int start = pos;
        long n = 0;
        while (pos < buf.length && buf[pos] >= '0' && buf[pos] <= '9') {
            n = n * 10 + (buf[pos++] - '0');
            if (n > SequenceSet.MAX) throw bad("Number too large");
        }
        if (pos == start) throw bad("Expected a number");
        return n;
    }

    /** number64 (RFC 9051 §9): at most 2^63-1. */
    long number64() throws ParseException {
        int start = pos;
        long n = 0;
        while (pos < buf.length && buf[pos] >= '0' && buf[pos] <= '9') {
            if (n > (Long.MAX_VALUE - 9) / 10) throw bad("Number too large");
            n = n * 10 + (buf[pos++] - '0');
        }
        if (pos == start) throw bad("Expected a number");
        return n;
    }

    long nzNumber() throws ParseException {
        long n = number();
        if (n == 0) throw bad("Zero is not allowed here");
        return n;
    }

    /** Consumes {@code word} (case-insensitive) when it is the next whole atom. */
    boolean acceptWord(String word) {
        int end = pos + word.length();
        if (end > buf.length) return false;
        for (int i = 0; i < word.length(); i++) {
            if (Character.toUpperCase(buf[pos + i]) != word.charAt(i)) return false;
        }
        if (end < buf.length && isAtomChar(buf[end] & 0xff) && buf[end] != '[' && buf[end] != '.' && buf[end] != '<') {
            return false;
        }
        pos = end;
        return true;
    }

    /** The next atom upper-cased, consuming it; used for keywords of SEARCH, STATUS, FETCH. */
    String keyword() throws ParseException {
        int start = pos;
        while (pos < buf.length && isAtomChar(buf[pos] & 0xff) && buf[pos] != '[' && buf[pos] != '<') pos++;
        if (pos == start) throw bad("Expected a keyword");
        return ascii(start, pos).toUpperCase(java.util.Locale.ROOT);
    }

    ParseException bad(String message) {
        return new ParseException(message);
    }

    private String ascii(int from, int to) {
        return new String(buf, from, to - from, StandardCharsets.US_ASCII);
    }

    /** Strings may carry UTF-8 (RFC 9051 §4.3, as clients send it anyway); invalid UTF-8 is refused. */
    static String utf8(byte[] b) throws ParseException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new ParseException("Invalid UTF-8 in string");
        }
    }
}
