// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.postern.imap.parse.SearchKey;

/**
 * How many expensive searches (SEARCH, SORT, THREAD whose criteria read message contents) one user
 * runs at once, over all their sessions: a client opening many connections must not take every core
 * (HOSTILE A23's concern, per user rather than per command). One more waits briefly for a turn, then
 * gets NO [LIMIT] (RFC 5530 §3). Searches on flags, sizes and dates of arrival are cheap and never wait.
 */
final class SearchLimit {
    private final int perUser;
    private final Duration wait;
    /** One semaphore per user who ever searched: bounded by the number of accounts. */
    private final ConcurrentHashMap<Long, Semaphore> permits = new ConcurrentHashMap<>();

    SearchLimit(int perUser, Duration wait) {
        this.perUser = perUser;
        this.wait = wait;
    }

    /** A turn for {@code accountId}; close it when the search is done. */
    AutoCloseable acquire(long accountId) throws ImapException {
        Semaphore s = permits.computeIfAbsent(accountId, k -> new Semaphore(perUser));
        boolean got;
        try {
            got = s.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            got = false;
        }
        if (!got) throw ImapException.no("LIMIT", "Too many searches at once; try again shortly");
        return s::release;
    }

    /** Whether evaluating {@code key} may read message contents (text keys, SENT* dates). */
    static boolean expensive(SearchKey key) {
        return switch (key) {
            case SearchKey.And a -> a.keys().stream().anyMatch(SearchLimit::expensive);
            case SearchKey.Or o -> expensive(o.left()) || expensive(o.right());
            case SearchKey.Not n -> expensive(n.key());
            case SearchKey.Header h -> true;
            case SearchKey.Body b -> true;
            case SearchKey.Text t -> true;
            case SearchKey.Date d -> d.sent();
            default -> false;
        };
    }
}
