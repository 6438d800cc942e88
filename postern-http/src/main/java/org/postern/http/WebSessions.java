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
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-side browser sessions (OWASP session management; HOSTILE.md A55). A session id is 256 random
 * bits, handed to the browser once in the cookie; only its SHA-256 is kept here, so a dump of this
 * table (or a heap dump) gives no usable cookie. Each session carries its own CSRF token.
 *
 * <p>Sessions live in memory: a restart logs every browser out, which is the safe direction. A new
 * login always gets a new id (no fixation); ids chosen by a client are never adopted.
 */
public final class WebSessions {
    /**
     * @param idle a session unused this long is gone
     * @param absolute a session this old is gone however busy
     * @param maxSessions over all subjects; past it the least recently used session is dropped
     * @param maxPerSubject per user; past it that user's least recently used session is dropped
     */
    public record Config(Duration idle, Duration absolute, int maxSessions, int maxPerSubject) {
        public static final Config DEFAULT = new Config(Duration.ofMinutes(30), Duration.ofHours(12), 100_000, 32);
    }

    /** A live session. {@code subject} is the login name; {@code stamp} lets the caller notice a password change. */
    public record Session(String key, String subject, String stamp, String csrfToken, Instant created) {
        /** Constant-time comparison (no timing oracle on the token). */
        public boolean csrfMatches(String presented) {
            return presented != null && MessageDigest.isEqual(csrfToken.getBytes(StandardCharsets.US_ASCII),
                    presented.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** What login hands out: the cookie value (never stored) and the session. */
    public record Issued(String cookieValue, Session session) {}

    private static final class Entry {
        final Session session;
        volatile Instant lastUsed;

        Entry(Session session, Instant lastUsed) {
            this.session = session;
            this.lastUsed = lastUsed;
        }
    }

    private static final int ID_BYTES = 32;
    /** base64url of 32 bytes, unpadded. */
    private static final int ID_CHARS = 43;

    private final Config config;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Entry> byKey = new ConcurrentHashMap<>();

    public WebSessions(Config config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    public Config config() {
        return config;
    }

    /** Starts a session for an authenticated subject. */
    public Issued create(String subject, String stamp) {
        String id = token();
        Instant now = clock.instant();
        Session s = new Session(hash(id), subject, stamp, token(), now);
        evictFor(subject);
        byKey.put(s.key(), new Entry(s, now));
        return new Issued(id, s);
    }

    /** The live session for a cookie value, touching its idle timer; empty for unknown or expired ids. */
    public Optional<Session> lookup(String cookieValue) {
        if (cookieValue == null || cookieValue.length() != ID_CHARS) return Optional.empty();
        String key = hash(cookieValue);
        Entry e = byKey.get(key);
        if (e == null) return Optional.empty();
        Instant now = clock.instant();
        if (expired(e, now)) {
            byKey.remove(key, e);
            return Optional.empty();
        }
        e.lastUsed = now;
        return Optional.of(e.session);
    }

    /** Ends a session (logout). */
    public void destroy(Session s) {
        byKey.remove(s.key());
    }

    /** Ends every session of a subject (password change, account deleted). */
    public void destroyAll(String subject) {
        byKey.values().removeIf(e -> e.session.subject().equals(subject));
    }

    public int size() {
        return byKey.size();
    }

    private boolean expired(Entry e, Instant now) {
        return !now.isBefore(e.lastUsed.plus(config.idle())) || !now.isBefore(e.session.created().plus(config.absolute()));
    }

    private void evictFor(String subject) {
        Instant now = clock.instant();
        if (byKey.size() >= config.maxSessions()) {
            byKey.values().removeIf(e -> expired(e, now));
            while (byKey.size() >= config.maxSessions()) dropOldest(null);
        }
        long mine = byKey.values().stream().filter(e -> e.session.subject().equals(subject)).count();
        for (long i = mine; i >= config.maxPerSubject(); i--) dropOldest(subject);
    }

    private void dropOldest(String subject) {
        byKey.entrySet().stream()
                .filter(en -> subject == null || en.getValue().session.subject().equals(subject))
                .min(Comparator.comparing(en -> en.getValue().lastUsed))
                .ifPresent(en -> byKey.remove(en.getKey()));
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
