// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Browser sessions of the webmail and JMAP login form, kept in the store so every node sees them and
 * a restart keeps them. A row holds only the SHA-256 of the session token (the cookie value), never the
 * token: a dump of the table logs nobody in. Rows are keyed by account first, like every table.
 *
 * <p>Timestamps are milliseconds; expiry is decided by the caller's clock: a session is gone once
 * {@code lastSeen + idle <= now} or {@code created + absolute <= now}. {@link #touch} only moves
 * {@code lastSeen} forward, so nodes touching the same session in any order agree.
 */
public interface WebSessionStore {
    /** At most this many sessions are listed per account; callers cap each account far below it. */
    int MAX_LISTED = 1_000;

    /**
     * @param tokenHash base64url SHA-256 of the token, unique over all accounts (256 random bits)
     * @param csrfToken the session's anti-CSRF token (not a credential on its own: useless without the cookie)
     * @param stamp a fingerprint of the account's password when the session began
     */
    record WebSession(long accountId, String tokenHash, String csrfToken, String stamp, Instant created,
            Instant lastSeen) {}

    /** Stores a new session. @throws StoreException.Conflict when the token hash exists (never, with random tokens) */
    void create(WebSession session);

    /**
     * The session of a cookie, whatever its account. The one lookup not scoped by account: the cookie
     * must name nothing but a random token, so a unique index on the hash finds it.
     */
    Optional<WebSession> find(String tokenHash);

    /** Moves {@code lastSeen} forward to {@code at}; never back. */
    void touch(long accountId, String tokenHash, Instant at);

    /** Ends one session (logout). @return whether it existed */
    boolean delete(long accountId, String tokenHash);

    /** Ends every session of an account except {@code keepTokenHash} (may be null): password change. @return how many */
    int deleteAll(long accountId, String keepTokenHash);

    /** The account's sessions, least recently seen first, at most {@link #MAX_LISTED}. */
    List<WebSession> list(long accountId);

    /** Sweeps sessions idle since {@code idleBefore} or created before {@code createdBefore} (inclusive). @return how many */
    int expire(Instant idleBefore, Instant createdBefore);
}
