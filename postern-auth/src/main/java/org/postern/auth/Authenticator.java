// SPDX-License-Identifier: Apache-2.0
package org.postern.auth;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.postern.core.MailAddress;
import org.postern.store.Account;
import org.postern.store.Directory;

/**
 * Checks user name and password for every protocol. Argon2id is slow on purpose, so, like Dovecot's
 * auth cache, a successful check is remembered for a few minutes as a keyed digest of the password
 * (never the password): reconnecting clients do not pay the hash each time. A password change
 * invalidates the entry because the stored hash it was checked against changes.
 */
public final class Authenticator {
    private static final Duration CACHE_TTL = Duration.ofMinutes(5);
    private static final int CACHE_MAX = 50_000;

    private record Cached(String storedHash, byte[] digest, Instant expires) {}

    private final Directory directory;
    private final AuthThrottle throttle;
    private final Clock clock;
    /** HMAC-SHA256 keyed with a random key of this process: cache entries never hold a password. */
    private final Mac cacheMac;
    private final String dummyHash;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public Authenticator(Directory directory, AuthThrottle throttle, PasswordHasher.Cost cost, Clock clock) {
        this.directory = directory;
        this.throttle = throttle;
        this.clock = clock;
        byte[] cacheKey = new byte[32];
        new SecureRandom().nextBytes(cacheKey);
        try {
            cacheMac = Mac.getInstance("HmacSHA256");
            cacheMac.init(new SecretKeySpec(cacheKey, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        // Unknown users are checked against this so they cost as much as a wrong password.
        this.dummyHash = new PasswordHasher(cost).hash(Passwords.generate());
    }

    /**
     * Checks a login. On failure the caller gets its answer only after the throttle's delay, so a
     * guesser is slowed even on a single connection.
     */
    public AuthResult authenticate(String username, String password, InetAddress client) {
        if (throttle.isBlocked(client)) return new AuthResult.Throttled();
        String key = normalize(username);
        Optional<Account> account = key == null || password == null || password.length() > Passwords.MAX_LENGTH
                ? Optional.empty() : directory.account(key);
        boolean ok;
        if (account.isEmpty()) {
            PasswordHasher.verify(dummyHash, password == null ? "" : password);
            ok = false;
        } else {
            ok = check(key, account.get().password().hash(), password);
        }
        if (ok) {
            throttle.succeeded(client);
            return new AuthResult.Success(account.get());
        }
        pause(throttle.failed(client, key));
        return new AuthResult.Failure();
    }

    /** Looks an account up by login name (SCRAM needs the verifiers before the proof). */
    public Optional<Account> account(String username) {
        String key = normalize(username);
        return key == null ? Optional.empty() : directory.account(key);
    }

    public boolean isBlocked(InetAddress client) {
        return throttle.isBlocked(client);
    }

    /** A SASL mechanism that verifies proofs itself (SCRAM) reports its outcome here. */
    public void recordOutcome(InetAddress client, String username, boolean success) {
        if (success) throttle.succeeded(client);
        else pause(throttle.failed(client, normalize(username)));
    }

    private boolean check(String key, String storedHash, String password) {
        byte[] digest = cacheDigest(key + "\0" + password);
        Cached c = cache.get(key);
        Instant now = clock.instant();
        if (c != null && c.storedHash().equals(storedHash) && now.isBefore(c.expires())
                && MessageDigest.isEqual(c.digest(), digest)) {
            return true;
        }
        boolean ok = PasswordHasher.verify(storedHash, password);
        if (ok) {
            if (cache.size() >= CACHE_MAX) cache.clear();
            cache.put(key, new Cached(storedHash, digest, now.plus(CACHE_TTL)));
        }
        return ok;
    }

    /**
     * A copy of the keyed MAC per check: cloning the initialised one costs far less than a provider
     * lookup and key set-up at every login (most of what a cached login cost).
     */
    private byte[] cacheDigest(String data) {
        Mac mac;
        try {
            mac = (Mac) cacheMac.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 provider cannot clone", e);
        }
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    /** The login name as stored: an address, case-folded. Null when it cannot be an address. */
    static String normalize(String username) {
        if (username == null || username.isEmpty() || username.length() > MailAddress.MAX_PATH) return null;
        return MailAddress.parse(username.trim()).map(MailAddress::key).orElse(username.trim().toLowerCase(Locale.ROOT));
    }

    private static void pause(Duration d) {
        if (d.isZero()) return;
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
