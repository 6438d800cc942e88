// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where {@link WebSessions} keeps its sessions: {@link MemorySessionTable} for one process, or the
 * store's shared table (adapted by the server assembly, since this module knows no store), so every
 * node behind a load balancer sees every session and a restart keeps them. Rows hold the token's
 * SHA-256 ({@code key}), never the token. Keyed by account first; {@link #find} is the one lookup by
 * key alone, because the cookie names no account.
 */
public interface SessionTable {
    record Row(long accountId, String key, String csrfToken, String stamp, Instant created, Instant lastSeen) {
        Row seenAt(Instant at) {
            return at.isAfter(lastSeen) ? new Row(accountId, key, csrfToken, stamp, created, at) : this;
        }
    }

    void insert(Row row);

    Optional<Row> find(String key);

    /** Moves lastSeen forward only. */
    void touch(long accountId, String key, Instant at);

    boolean delete(long accountId, String key);

    /** Every session of the account but {@code keepKey} (may be null). */
    int deleteAll(long accountId, String keepKey);

    /** The account's sessions, least recently seen first. */
    List<Row> list(long accountId);

    /** Drops sessions seen last at or before {@code idleBefore} or created at or before {@code createdBefore}. */
    int expire(Instant idleBefore, Instant createdBefore);
}
