// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.postern.core.mime.EncodedWords;
import org.postern.core.mime.Header;
import org.postern.core.mime.MessageParser;
import org.postern.core.mime.MimeMessage;
import org.postern.core.mime.TextExtractor;

/**
 * The searchable text of one message, normalised once: what the index stores and what a brute-force
 * scan compares against, so both answer alike. {@code head} is the whole top-level header block with
 * RFC 2047 words decoded (TEXT); {@code fields} the decoded, unfolded value of each field (HEADER);
 * {@code body} the text parts as {@link TextExtractor} reads them, attachments' text parts included
 * (BODY). All three are case-folded. A message that cannot be read or parsed matches no text key.
 */
public record SearchText(boolean readable, String head, List<Field> fields, String body) {
    /** Text searched per message (BODY/TEXT); bounds work on huge messages (HOSTILE A37). */
    public static final int MAX_BODY = 1 << 20;

    public static final SearchText UNREADABLE = new SearchText(false, "", List.of(), "");

    /** One header field: lower-case name, folded decoded value. */
    public record Field(String name, String value) {}

    public SearchText {
        fields = List.copyOf(fields);
    }

    public static SearchText of(byte[] message) {
        try {
            return of(MessageParser.parse(message));
        } catch (RuntimeException e) {
            return UNREADABLE;
        }
    }

    public static SearchText of(MimeMessage m) {
        try {
            return of(m, TextExtractor.text(m, MAX_BODY));
        } catch (RuntimeException e) {
            return UNREADABLE;
        }
    }

    /** {@link #of(MimeMessage)} of the message whose {@code TextExtractor.text(m, MAX_BODY)} is {@code bodyText}. */
    static SearchText of(MimeMessage m, String bodyText) {
        try {
            String header = new String(m.raw(), m.root().headerStart(), m.root().headerEnd() - m.root().headerStart(),
                    StandardCharsets.UTF_8);
            List<Field> fields = new ArrayList<>(m.headers().size());
            for (Header h : m.headers().all()) {
                fields.add(new Field(h.name().toLowerCase(Locale.ROOT), fold(EncodedWords.decode(h.unfolded()))));
            }
            return new SearchText(true, fold(EncodedWords.decode(header)), fields, fold(bodyText));
        } catch (RuntimeException e) {
            return UNREADABLE;
        }
    }

    /** The brute-force answer: the reference the index is tested against. */
    public boolean matches(TextQuery q) {
        if (!readable) return false;
        return switch (q) {
            case TextQuery.Body b -> body.contains(b.needle());
            case TextQuery.Text t -> head.contains(t.needle()) || body.contains(t.needle());
            case TextQuery.Header h -> {
                for (Field f : fields) {
                    if (f.name().equals(h.field()) && f.value().contains(h.needle())) yield true;
                }
                yield false;
            }
        };
    }

    /** Case folding for substring search (RFC 9051 §6.4.4: case-insensitive). */
    public static String fold(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
