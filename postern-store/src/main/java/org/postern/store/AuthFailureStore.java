// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.time.Instant;

/**
 * Authentication failures shared by every node, so N nodes behind one load balancer allow no more
 * guesses than one (HOSTILE A19). A key is a client address or a login name; one row per failure, at
 * most {@code cap} per key inside a window, so a flood adds no rows once a key is throttled.
 *
 * <p>Keyed by the failure's key, not by account: most failures name no account at all (unknown users,
 * addresses), and such rows may not reveal whether an account exists. Under a distribution by account
 * this small, short-lived table stays on the coordinator (a reference table), like the domains.
 */
public interface AuthFailureStore {
    /** Keys longer than this are cut by the caller (a login name is at most an address's length). */
    int MAX_KEY = 320;

    /**
     * Records a failure of {@code key} at {@code at} unless it already has {@code cap} since {@code since}.
     *
     * @return the failures of {@code key} at or after {@code since}, this one included
     */
    int record(String key, Instant at, Instant since, int cap);

    /** Failures of {@code key} at or after {@code since}. */
    int count(String key, Instant since);

    /** Forgets a key's failures (a successful login from that address). */
    void clear(String key);

    /** Sweeps failures before {@code before}. @return how many */
    int expire(Instant before);
}
