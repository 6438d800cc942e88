// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.postern.imap.parse.SearchKey;
import org.postern.search.SearchIndex;
import org.postern.search.TextQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The text keys of one SEARCH (BODY, TEXT, HEADER, and FROM/TO/CC/BCC/SUBJECT which the parser makes
 * HEADER; RFC 9051 §6.4.4). With a full-text index each key is asked once for the whole mailbox and
 * answers every message the index already holds; a message newer than the index's mark for the
 * mailbox is scanned instead, so an answer is never stale. Both ways compare the same normalised
 * text ({@link org.postern.search.SearchText}), so they agree.
 */
final class TextKeys {
    private static final Logger log = LoggerFactory.getLogger(TextKeys.class);
    /**
     * Text keys per SEARCH: each costs one index query over the mailbox (tens of ms for a needle found
     * in most of 100,000 messages), so this bounds one SEARCH's CPU (HOSTILE A23). Real clients send a
     * handful (a quick filter is an OR of four).
     */
    static final int MAX_KEYS = 16;

    private final Map<SearchKey, TextQuery> queries = new IdentityHashMap<>();
    private final Map<SearchKey, SearchIndex.Hits> hits = new IdentityHashMap<>();

    private TextKeys() {}

    /** {@code index} may be null (no index configured): every text key is then scanned. */
    static TextKeys of(SearchIndex index, long accountId, long mailboxId, SearchKey key) throws ImapException {
        TextKeys t = new TextKeys();
        t.collect(key);
        if (t.queries.size() > MAX_KEYS) throw ImapException.no("LIMIT", "Too many text criteria in one SEARCH");
        if (index == null) return t;
        try {
            for (var e : t.queries.entrySet()) t.hits.put(e.getKey(), index.find(accountId, mailboxId, e.getValue()));
        } catch (IOException | RuntimeException e) {
            // Derived data: without it the scan still gives the right answer, only slower.
            log.warn("full-text index failed; scanning messages instead", e);
            t.hits.clear();
        } catch (TimeoutException e) {
            throw ImapException.no("LIMIT", "SEARCH too costly");
        }
        return t;
    }

    private void collect(SearchKey k) {
        switch (k) {
            case SearchKey.And a -> a.keys().forEach(this::collect);
            case SearchKey.Or o -> {
                collect(o.left());
                collect(o.right());
            }
            case SearchKey.Not n -> collect(n.key());
            case SearchKey.Body b -> queries.put(k, new TextQuery.Body(b.value()));
            case SearchKey.Text x -> queries.put(k, new TextQuery.Text(x.value()));
            case SearchKey.Header h -> queries.put(k, new TextQuery.Header(h.field(), h.value()));
            default -> { }
        }
    }

    TextQuery query(SearchKey k) {
        return queries.get(k);
    }

    /** The index's whole answer for {@code k}, or null without one (no index, or it failed). */
    SearchIndex.Hits hits(SearchKey k) {
        return hits.get(k);
    }

    /** The index's answer for the message, or null when the index does not hold it yet (scan it). */
    Boolean indexed(SearchKey k, long uid) {
        SearchIndex.Hits h = hits.get(k);
        if (h == null || uid > h.indexedUid()) return null;
        return Arrays.binarySearch(h.uids(), uid) >= 0;
    }
}
