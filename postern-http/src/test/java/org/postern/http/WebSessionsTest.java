// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebSessionsTest {
    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    static final long ALICE = 1;
    static final long BOB = 2;
    final TestClock clock = new TestClock();
    final WebSessions sessions = new WebSessions(new WebSessions.Config(Duration.ofMinutes(30), Duration.ofHours(12), 100, 3), clock);

    @Test
    void idsAre256BitRandomAndOnlyTheirHashIsKept() {
        WebSessions.Issued a = sessions.create(ALICE, "s");
        WebSessions.Issued b = sessions.create(ALICE, "s");
        assertThat(a.cookieValue()).hasSize(43).isNotEqualTo(b.cookieValue()); // 32 octets, base64url
        assertThat(a.session().key()).isNotEqualTo(a.cookieValue()).isEqualTo(WebSessions.hash(a.cookieValue()));
        assertThat(a.session().csrfToken()).hasSize(43).isNotEqualTo(a.cookieValue());
        assertThat(sessions.lookup(a.cookieValue())).contains(a.session());
        assertThat(sessions.lookup(a.session().key())).isEmpty(); // the stored hash is not a cookie
    }

    @Test
    void idleTimeoutEndsAnUnusedSessionButUseKeepsItAlive() {
        WebSessions.Issued a = sessions.create(ALICE, "s");
        clock.now = clock.now.plus(Duration.ofMinutes(29));
        assertThat(sessions.lookup(a.cookieValue())).isPresent();
        clock.now = clock.now.plus(Duration.ofMinutes(29));
        assertThat(sessions.lookup(a.cookieValue())).isPresent();
        clock.now = clock.now.plus(Duration.ofMinutes(30));
        assertThat(sessions.lookup(a.cookieValue())).isEmpty();
    }

    @Test
    void absoluteTimeoutEndsEvenABusySession() {
        WebSessions.Issued a = sessions.create(ALICE, "s");
        for (int i = 0; i < 12 * 3 - 1; i++) {
            clock.now = clock.now.plus(Duration.ofMinutes(20));
            assertThat(sessions.lookup(a.cookieValue())).as("after %d min", (i + 1) * 20).isPresent();
        }
        clock.now = clock.now.plus(Duration.ofMinutes(20));
        assertThat(sessions.lookup(a.cookieValue())).isEmpty();
    }

    @Test
    void destroyEndsTheSessionAndPerSubjectCapDropsTheLeastRecentlyUsed() {
        WebSessions.Issued a = sessions.create(ALICE, "s");
        sessions.destroy(a.session());
        assertThat(sessions.lookup(a.cookieValue())).isEmpty();
        WebSessions.Issued s1 = sessions.create(BOB, "s");
        clock.now = clock.now.plusSeconds(1);
        WebSessions.Issued s2 = sessions.create(BOB, "s");
        clock.now = clock.now.plusSeconds(1);
        WebSessions.Issued s3 = sessions.create(BOB, "s");
        // Use is recorded at the write-back granularity (a minute), so "least recently used" is to the minute.
        clock.now = clock.now.plusSeconds(90);
        sessions.lookup(s1.cookieValue());
        WebSessions.Issued s4 = sessions.create(BOB, "s");
        assertThat(sessions.lookup(s2.cookieValue())).isEmpty();
        assertThat(sessions.lookup(s1.cookieValue())).isPresent();
        assertThat(sessions.lookup(s3.cookieValue())).isPresent();
        assertThat(sessions.lookup(s4.cookieValue())).isPresent();
        sessions.destroyAll(BOB, null);
        assertThat(sessions.size()).isZero();
    }

    @Test
    void csrfTokensCompareExactly() {
        WebSessions.Session s = sessions.create(ALICE, "s").session();
        assertThat(s.csrfMatches(s.csrfToken())).isTrue();
        assertThat(s.csrfMatches(null)).isFalse();
        assertThat(s.csrfMatches("")).isFalse();
        assertThat(s.csrfMatches(s.csrfToken().substring(1))).isFalse();
        assertThat(s.csrfMatches(s.csrfToken() + "x")).isFalse();
    }

    /** A table two "nodes" share, counting writes of the idle timer. */
    static final class SharedTable implements SessionTable {
        final MemorySessionTable rows = new MemorySessionTable(1000);
        int touches;

        @Override public void insert(Row row) { rows.insert(row); }
        @Override public java.util.Optional<Row> find(String key) { return rows.find(key); }
        @Override public void touch(long accountId, String key, Instant at) { touches++; rows.touch(accountId, key, at); }
        @Override public boolean delete(long accountId, String key) { return rows.delete(accountId, key); }
        @Override public int deleteAll(long accountId, String keepKey) { return rows.deleteAll(accountId, keepKey); }
        @Override public List<Row> list(long accountId) { return rows.list(accountId); }
        @Override public int expire(Instant idleBefore, Instant createdBefore) { return rows.expire(idleBefore, createdBefore); }
    }

    @Test
    void aSharedTableServesEveryNodeAndTheIdleTimerIsWrittenAtMostOnceAMinute() {
        SharedTable table = new SharedTable();
        WebSessions a = new WebSessions(WebSessions.Config.DEFAULT, clock, table);
        WebSessions b = new WebSessions(WebSessions.Config.DEFAULT, clock, table);
        WebSessions.Issued s = a.create(ALICE, "s");
        assertThat(b.lookup(s.cookieValue())).contains(s.session());
        for (int i = 0; i < 600; i++) {
            clock.now = clock.now.plusMillis(500);
            assertThat(b.lookup(s.cookieValue())).isPresent();
        }
        assertThat(table.touches).isBetween(4, 5); // 300 s of requests every half second
        // Idle on node b for 29 minutes after its last write-back is still alive on node a.
        clock.now = clock.now.plus(Duration.ofMinutes(28));
        assertThat(a.lookup(s.cookieValue())).isPresent();
    }

    @Test
    void aLogoutOnOneNodeEndsTheSessionOnAnotherWithinTheCacheTtlOrAtOnceWhenToldTo() {
        SharedTable table = new SharedTable();
        WebSessions a = new WebSessions(WebSessions.Config.DEFAULT, clock, table);
        WebSessions b = new WebSessions(WebSessions.Config.DEFAULT, clock, table);
        WebSessions.Issued s = a.create(ALICE, "s");
        assertThat(b.lookup(s.cookieValue())).isPresent();
        a.destroy(s.session());
        assertThat(a.lookup(s.cookieValue())).isEmpty();
        clock.now = clock.now.plus(WebSessions.Config.CACHE_TTL);
        assertThat(b.lookup(s.cookieValue())).isEmpty();

        WebSessions.Issued t = a.create(ALICE, "s");
        WebSessions.Issued keep = a.create(ALICE, "s");
        WebSessions.Issued other = a.create(BOB, "s");
        assertThat(b.lookup(t.cookieValue())).isPresent();
        a.destroyAll(ALICE, keep.session());
        b.forget(ALICE); // the account's change event
        assertThat(b.lookup(t.cookieValue())).isEmpty();
        assertThat(b.lookup(keep.cookieValue())).isPresent();
        assertThat(b.lookup(other.cookieValue())).isPresent();
    }

    @Test
    void theCacheIsBoundedAndUnknownCookiesAreNotCached() {
        SharedTable table = new SharedTable();
        WebSessions node = new WebSessions(new WebSessions.Config(Duration.ofMinutes(30), Duration.ofHours(12), 10, 32), clock, table);
        List<WebSessions.Issued> issued = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) issued.add(node.create(i + 1, "s"));
        for (WebSessions.Issued i : issued) assertThat(node.lookup(i.cookieValue())).isPresent();
        for (int i = 0; i < 1000; i++) assertThat(node.lookup(String.format("%043d", i))).isEmpty();
        assertThat(node.size()).isLessThanOrEqualTo(10);
        assertThat(table.rows.size()).isEqualTo(50);
    }

    @Test
    void theSweepRemovesExpiredRows() {
        sessions.create(ALICE, "s");
        clock.now = clock.now.plus(Duration.ofMinutes(10));
        WebSessions.Issued b = sessions.create(BOB, "s");
        clock.now = clock.now.plus(Duration.ofMinutes(25));
        assertThat(sessions.sweep()).isEqualTo(1);
        assertThat(sessions.size()).isEqualTo(1);
        assertThat(sessions.lookup(b.cookieValue())).isPresent();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a=1; __Host-postern=abc; b=2|abc",
        "__Host-postern=\"abc\"|abc",
        "__host-postern=abc|",
        "x__Host-postern=abc|",
        "__Host-posternX=abc|",
    })
    void cookieValuesAreFoundByExactName(String header, String expected) {
        List<String> v = SessionCookie.values(List.of(header));
        if (expected == null) assertThat(v).isEmpty();
        else assertThat(v).containsExactly(expected);
    }

    @Test
    void theCookieIsHostPrefixedSecureHttpOnlyStrict() {
        assertThat(SessionCookie.set("v")).startsWith("__Host-postern=v;").contains("Path=/", "Secure", "HttpOnly", "SameSite=Strict")
                .doesNotContain("Domain");
        assertThat(SessionCookie.clear()).contains("Max-Age=0");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "https://mail.example.test|mail.example.test|443|true",
        "https://mail.example.test:443|mail.example.test|443|true",
        "https://MAIL.example.test:8443|mail.example.test|8443|true",
        "http://mail.example.test|mail.example.test|443|false",
        "https://mail.example.test:8443|mail.example.test|443|false",
        "https://evil.example|mail.example.test|443|false",
        "https://mail.example.test.evil.example|mail.example.test|443|false",
        "null|mail.example.test|443|false",
        "https://mail.example.test/path|mail.example.test|443|false",
        "https://user@mail.example.test|mail.example.test|443|false",
        "https://[::1]:8443|[::1]|8443|true",
    })
    void originsMatchSchemeHostAndPort(String origin, String host, int port, boolean same) {
        assertThat(Origins.sameOrigin(origin, host, port)).isEqualTo(same);
    }
}
