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
        List<Header> subjects = m.headers().fields("Subject");
        String subject = subjects.isEmpty() ? ""
                : EncodedWords.decode(subjects.getLast().rawValue().replaceAll("\r?\n(?=[ \t])", "")).strip();
        return new SnippetText(subject, TextExtractor.text(m, MAX_BODY));
    }
}
