// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-side browser sessions (OWASP session management; HOSTILE.md A55). A session id is 256 random
 * bits, handed to the browser once in the cookie; only its SHA-256 is kept, so a dump of the table (or
 * a heap dump) gives no usable cookie. Each session carries its own CSRF token. A new login always gets
 * a new id (no fixation); ids chosen by a client are never adopted.
 *
 * <p>The sessions live in a {@link SessionTable}: this process's memory, or the store's table shared by
 * every node (then they also survive a restart). In front of it sits a small cache so that a busy
 * browser does not cost a database read per request, and the idle timer is written back at most every
 * {@link Config#touchEvery}. What that costs, and the bounds it gives:
 * <ul>
 *   <li>A logout or eviction on this node is seen here at once; on another node within
 *       {@link Config#cacheTtl} (its cached copy expires), unless the account's change events reach it
 *       first ({@link #forget}: a password change or account deletion ends them at once everywhere).
 *   <li>The recorded last use lags the real one by less than {@code touchEvery}, so a session may end up
 *       to that much before its idle timeout, never after it.
 * </ul>
 */
public final class WebSessions {
    /**
     * @param idle a session unused this long is gone
     * @param absolute a session this old is gone however busy
     * @param maxSessions bound of the in-memory table and of the cache
     * @param maxPerSubject per account; past it that account's least recently used session is dropped
     * @param cacheTtl how long a session read from the table is trusted without reading it again
     * @param touchEvery the last use is written back when it moved at least this much
     */
    public record Config(Duration idle, Duration absolute, int maxSessions, int maxPerSubject, Duration cacheTtl,
            Duration touchEvery) {
        public static final Duration CACHE_TTL = Duration.ofSeconds(2);
        public static final Duration TOUCH_EVERY = Duration.ofSeconds(60);
        public static final Config DEFAULT = new Config(Duration.ofMinutes(30), Duration.ofHours(12), 100_000, 32);

        public Config {
            // Writing back less often than a quarter of the idle time would end live sessions early.
            if (touchEvery.compareTo(idle.dividedBy(4)) > 0) touchEvery = idle.dividedBy(4);
        }

        public Config(Duration idle, Duration absolute, int maxSessions, int maxPerSubject) {
            this(idle, absolute, maxSessions, maxPerSubject, CACHE_TTL, TOUCH_EVERY);
        }
    }

    /** A live session. {@code stamp} lets the caller notice a password change. */
    public record Session(String key, long accountId, String stamp, String csrfToken, Instant created) {
        /** Constant-time comparison (no timing oracle on the token). */
        public boolean csrfMatches(String presented) {
            return presented != null && MessageDigest.isEqual(csrfToken.getBytes(StandardCharsets.US_ASCII),
                    presented.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** What login hands out: the cookie value (never stored) and the session. */
    public record Issued(String cookieValue, Session session) {}

    /** A row as last read or written here, and when it was read. */
    private record Cached(SessionTable.Row row, Instant fetched) {}

    private static final int ID_BYTES = 32;
    /** base64url of 32 bytes, unpadded. */
    private static final int ID_CHARS = 43;

    private final Config config;
    private final Clock clock;
    private final SessionTable table;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /** Sessions in this process's memory only. */
    public WebSessions(Config config, Clock clock) {
        this(config, clock, new MemorySessionTable(config.maxSessions()));
    }

    public WebSessions(Config config, Clock clock, SessionTable table) {
        this.config = config;
        this.clock = clock;
        this.table = table;
    }

    public Config config() {
        return config;
    }

    /** Starts a session for an authenticated account; past the per-account cap its least recently used one ends. */
    public Issued create(long accountId, String stamp) {
        String id = token();
        Instant now = clock.instant();
        SessionTable.Row row = new SessionTable.Row(accountId, hash(id), token(), stamp, now, now);
        List<SessionTable.Row> mine = table.list(accountId);
        for (int i = 0; i <= mine.size() - config.maxPerSubject(); i++) drop(mine.get(i));
        table.insert(row);
        remember(row, now);
        return new Issued(id, session(row));
    }

    /** The live session for a cookie value, touching its idle timer; empty for unknown or expired ids. */
    public Optional<Session> lookup(String cookieValue) {
        if (cookieValue == null || cookieValue.length() != ID_CHARS) return Optional.empty();
        String key = hash(cookieValue);
        Instant now = clock.instant();
        Cached c = cache.get(key);
        SessionTable.Row row;
        if (c != null && now.isBefore(c.fetched().plus(config.cacheTtl()))) {
            row = c.row();
        } else {
            Optional<SessionTable.Row> found = table.find(key);
            if (found.isEmpty()) {
                cache.remove(key);
                return Optional.empty();
            }
            row = found.get();
            c = remember(row, now);
        }
        if (expired(row, now)) {
            drop(row);
            return Optional.empty();
        }
        if (!now.isBefore(row.lastSeen().plus(config.touchEvery()))) {
            table.touch(row.accountId(), key, now);
            cache.put(key, new Cached(row.seenAt(now), c.fetched()));
        }
        return Optional.of(session(row));
    }

    /** Ends a session (logout). */
    public void destroy(Session s) {
        cache.remove(s.key());
        table.delete(s.accountId(), s.key());
    }

    /** Ends every session of an account but {@code keep} (may be null): password change, account deleted. */
    public void destroyAll(long accountId, Session keep) {
        String keepKey = keep == null ? null : keep.key();
        cache.values().removeIf(c -> c.row().accountId() == accountId && !c.row().key().equals(keepKey));
        table.deleteAll(accountId, keepKey);
    }

    /**
     * Drops this node's cached copies of an account's sessions (another node changed its password or
     * deleted it, or logged one out); 0 drops every cached session. The table is read again on next use.
     */
    public void forget(long accountId) {
        if (accountId == 0) cache.clear();
        else cache.values().removeIf(c -> c.row().accountId() == accountId);
    }

    /** Removes expired sessions from the table and the cache; run now and then (every minute). */
    public int sweep() {
        Instant now = clock.instant();
        cache.values().removeIf(c -> !now.isBefore(c.fetched().plus(config.cacheTtl())));
        return table.expire(now.minus(config.idle()), now.minus(config.absolute()));
    }

    /** Sessions held in this process: the table's when it is in memory, else those cached. */
    public int size() {
        return table instanceof MemorySessionTable m ? m.size() : cache.size();
    }

    private Cached remember(SessionTable.Row row, Instant now) {
        if (cache.size() >= config.maxSessions()) {
            cache.values().removeIf(c -> !now.isBefore(c.fetched().plus(config.cacheTtl())));
            if (cache.size() >= config.maxSessions()) cache.clear();
        }
        Cached c = new Cached(row, now);
        cache.put(row.key(), c);
        return c;
    }

    private void drop(SessionTable.Row row) {
        cache.remove(row.key());
        table.delete(row.accountId(), row.key());
    }

    private boolean expired(SessionTable.Row r, Instant now) {
        return !now.isBefore(r.lastSeen().plus(config.idle())) || !now.isBefore(r.created().plus(config.absolute()));
    }

    private static Session session(SessionTable.Row r) {
        return new Session(r.key(), r.accountId(), r.stamp(), r.csrfToken(), r.created());
    }

    private String token() {
        byte[] b = new byte[ID_BYTES];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String hash(String id) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
