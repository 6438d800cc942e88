// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.postern.core.mime.MimeMessage;
import org.postern.search.SearchIndex;
import org.postern.search.SearchText;
import org.postern.search.TextQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The text conditions of one Email/query (RFC 8621 §4.4.1 text, from, to, cc, bcc, subject, body),
 * answered the way IMAP SEARCH answers its text keys: each (mailbox, condition) is asked of the
 * full-text index once, lazily, and answers every message up to the index's mark for that mailbox; a
 * message newer than the mark (delivered a moment ago), a row that is not a stored message, or a
 * mailbox the index failed on is scanned instead. Both ways compare the same normalised text
 * ({@link SearchText}: decoded, case-folded header fields and extracted body text), so they agree.
 * Without an index every condition is scanned.
 *
 * <p>{@code text} is the OR of the five fields RFC 8621 names (From, To, Cc, Bcc, Subject) and the
 * body; other header fields are not searched, so a needle such as the server's host name does not
 * match every message through its Received fields.
 */
final class TextConditions {
    private static final Logger log = LoggerFactory.getLogger(TextConditions.class);
    /** Text conditions per query: each costs up to six index queries per mailbox (HOSTILE A23). */
    static final int MAX_CONDITIONS = 16;
    /** A mailbox the index could not answer for: every message is newer than this mark, so scanned. */
    private static final SearchIndex.Hits FAILED = new SearchIndex.Hits(-1, new long[0]);

    /** A row that is a stored message of its mailbox, so the index can answer for it by UID. */
    interface Indexed {
        long uid();
    }

    /** Thrown out of a filter when one index query runs past its bound; becomes a method error. */
    static final class TooCostly extends RuntimeException {
        TooCostly() {
            super("search too costly", null, false, false);
        }
    }

    private final SearchIndex index;
    private final long accountId;
    private final Map<Long, Map<TextQuery, SearchIndex.Hits>> hits = new HashMap<>();
    private int conditions;
    private MimeMessage scanned;
    private SearchText scannedText;

    private TextConditions(SearchIndex index, long accountId) {
        this.index = index;
        this.accountId = accountId;
    }

    /** {@code index} null: every condition is scanned. */
    static TextConditions of(SearchIndex index, long accountId) {
        return new TextConditions(index, accountId);
    }

    static TextConditions scanning() {
        return new TextConditions(null, 0);
    }

    static boolean isText(String condition) {
        return switch (condition) {
            case "text", "body", "from", "to", "cc", "bcc", "subject" -> true;
            default -> false;
        };
    }

    /** The predicate of one text condition; {@code name} is one {@link #isText} accepts. */
    Predicate<EmailSorts.Row> condition(String name, String needle) throws org.postern.jmap.proto.MethodError {
        if (++conditions > MAX_CONDITIONS) {
            throw org.postern.jmap.proto.MethodError.unsupportedFilter("too many text conditions in one filter");
        }
        List<TextQuery> queries = switch (name) {
            case "body" -> List.of(new TextQuery.Body(needle));
            case "text" -> List.of(new TextQuery.Header("from", needle), new TextQuery.Header("to", needle),
                    new TextQuery.Header("cc", needle), new TextQuery.Header("bcc", needle),
                    new TextQuery.Header("subject", needle), new TextQuery.Body(needle));
            default -> List.of(new TextQuery.Header(name, needle));
        };
        return r -> {
            for (TextQuery q : queries) {
                if (matches(r, q)) return true;
            }
            return false;
        };
    }

    private boolean matches(EmailSorts.Row r, TextQuery q) {
        if (index != null && r instanceof Indexed x) {
            SearchIndex.Hits h = hits(r.mailboxId(), q);
            if (x.uid() <= h.indexedUid()) return Arrays.binarySearch(h.uids(), x.uid()) >= 0;
        }
        return text(r).matches(q);
    }

    private SearchIndex.Hits hits(long mailboxId, TextQuery q) {
        Map<TextQuery, SearchIndex.Hits> m = hits.computeIfAbsent(mailboxId, k -> new HashMap<>());
        SearchIndex.Hits h = m.get(q);
        if (h != null) return h;
        try {
            h = index.find(accountId, mailboxId, q);
        } catch (IOException | RuntimeException e) {
            // Derived data: without it the scan still gives the right answer, only slower.
            log.warn("full-text index failed; scanning messages instead", e);
            h = FAILED;
        } catch (TimeoutException e) {
            throw new TooCostly();
        }
        m.put(q, h);
        return h;
    }

    /** Rows are tested one after another, each condition by condition: one message's text is kept. */
    private SearchText text(EmailSorts.Row r) {
        MimeMessage m = r.message();
        if (m != scanned) {
            scannedText = m == null ? SearchText.UNREADABLE : SearchText.of(m);
            scanned = m;
        }
        return scannedText;
    }
}
