// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import java.util.List;
import org.postern.core.mime.EncodedWords;
import org.postern.core.mime.Header;
import org.postern.core.mime.MimeMessage;
import org.postern.core.mime.TextExtractor;

/**
 * The case-preserved text a JMAP SearchSnippet is cut from (RFC 8621 §5): the subject in its "Text" form
 * (RFC 8621 §4.1.2.3: unfolded, RFC 2047 words decoded, trimmed; the last Subject field) and the text
 * parts as {@link TextExtractor} reads them, up to {@link #MAX_BODY} characters. Kept in the index beside
 * the folded {@link SearchText}, so a snippet is built without reading the message.
 *
 * @param subject empty when the message has no Subject field
 */
public record SnippetText(String subject, String body) {
    /** Body characters kept: a snippet of a match beyond them is not offered (as when read from the message). */
    public static final int MAX_BODY = 200_000;

    public static SnippetText of(MimeMessage m) {
        return build(m, TextExtractor.text(m, MAX_BODY));
    }

    /**
     * {@link #of(MimeMessage)} from the message's text read to a larger bound ({@code TextExtractor.text(m, max)},
     * {@code max >= MAX_BODY}), so the indexer extracts the text once. Exact when no text part is longer than
     * what the extractor reads of one part for {@code MAX_BODY} characters (12 bytes a character at least):
     * then both read every part whole and the shorter text is a prefix of the longer. Larger messages are
     * extracted again.
     */
    static SnippetText of(MimeMessage m, String longerText) {
        if (m.raw().length > (long) MAX_BODY * 12) return build(m, TextExtractor.text(m, MAX_BODY));
        return build(m, longerText.length() > MAX_BODY ? longerText.substring(0, MAX_BODY) : longerText);
    }

    private static SnippetText build(MimeMessage m, String body) {
        List<Header> subjects = m.headers().fields("Subject");
        String subject = subjects.isEmpty() ? ""
                : EncodedWords.decode(subjects.getLast().rawValue().replaceAll("\r?\n(?=[ \t])", "")).strip();
        return new SnippetText(subject, body);
    }
}
