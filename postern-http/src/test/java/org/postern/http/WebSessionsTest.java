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

    final TestClock clock = new TestClock();
    final WebSessions sessions = new WebSessions(new WebSessions.Config(Duration.ofMinutes(30), Duration.ofHours(12), 100, 3), clock);

    @Test
    void idsAre256BitRandomAndOnlyTheirHashIsKept() {
        WebSessions.Issued a = sessions.create("alice@example.test", "s");
        WebSessions.Issued b = sessions.create("alice@example.test", "s");
        assertThat(a.cookieValue()).hasSize(43).isNotEqualTo(b.cookieValue()); // 32 octets, base64url
        assertThat(a.session().key()).isNotEqualTo(a.cookieValue()).isEqualTo(WebSessions.hash(a.cookieValue()));
        assertThat(a.session().csrfToken()).hasSize(43).isNotEqualTo(a.cookieValue());
        assertThat(sessions.lookup(a.cookieValue())).contains(a.session());
        assertThat(sessions.lookup(a.session().key())).isEmpty(); // the stored hash is not a cookie
    }

    @Test
    void idleTimeoutEndsAnUnusedSessionButUseKeepsItAlive() {
        WebSessions.Issued a = sessions.create("alice@example.test", "s");
        clock.now = clock.now.plus(Duration.ofMinutes(29));
        assertThat(sessions.lookup(a.cookieValue())).isPresent();
        clock.now = clock.now.plus(Duration.ofMinutes(29));
        assertThat(sessions.lookup(a.cookieValue())).isPresent();
        clock.now = clock.now.plus(Duration.ofMinutes(30));
        assertThat(sessions.lookup(a.cookieValue())).isEmpty();
    }

    @Test
    void absoluteTimeoutEndsEvenABusySession() {
        WebSessions.Issued a = sessions.create("alice@example.test", "s");
        for (int i = 0; i < 12 * 3 - 1; i++) {
            clock.now = clock.now.plus(Duration.ofMinutes(20));
            assertThat(sessions.lookup(a.cookieValue())).as("after %d min", (i + 1) * 20).isPresent();
        }
        clock.now = clock.now.plus(Duration.ofMinutes(20));
        assertThat(sessions.lookup(a.cookieValue())).isEmpty();
    }

    @Test
    void destroyEndsTheSessionAndPerSubjectCapDropsTheLeastRecentlyUsed() {
        WebSessions.Issued a = sessions.create("alice@example.test", "s");
        sessions.destroy(a.session());
        assertThat(sessions.lookup(a.cookieValue())).isEmpty();
        WebSessions.Issued s1 = sessions.create("bob@example.test", "s");
        clock.now = clock.now.plusSeconds(1);
        WebSessions.Issued s2 = sessions.create("bob@example.test", "s");
        clock.now = clock.now.plusSeconds(1);
        WebSessions.Issued s3 = sessions.create("bob@example.test", "s");
        clock.now = clock.now.plusSeconds(1);
        sessions.lookup(s1.cookieValue());
        WebSessions.Issued s4 = sessions.create("bob@example.test", "s");
        assertThat(sessions.lookup(s2.cookieValue())).isEmpty();
        assertThat(sessions.lookup(s1.cookieValue())).isPresent();
        assertThat(sessions.lookup(s3.cookieValue())).isPresent();
        assertThat(sessions.lookup(s4.cookieValue())).isPresent();
        sessions.destroyAll("bob@example.test");
        assertThat(sessions.size()).isZero();
    }

    @Test
    void csrfTokensCompareExactly() {
        WebSessions.Session s = sessions.create("alice@example.test", "s").session();
        assertThat(s.csrfMatches(s.csrfToken())).isTrue();
        assertThat(s.csrfMatches(null)).isFalse();
        assertThat(s.csrfMatches("")).isFalse();
        assertThat(s.csrfMatches(s.csrfToken().substring(1))).isFalse();
        assertThat(s.csrfMatches(s.csrfToken() + "x")).isFalse();
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
