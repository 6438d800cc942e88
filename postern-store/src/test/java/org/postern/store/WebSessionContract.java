// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.postern.store.WebSessionStore.WebSession;

/** Browser sessions: durable, found by token hash, touched forward only, ended one by one, per account, or by age. */
public abstract class WebSessionContract extends StoreContract {
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    private static WebSession session(long account, String hash, Instant at) {
        return new WebSession(account, hash, "csrf-" + hash, "stamp", at, at);
    }

    @Test
    void createdSessionsAreFoundByHashAndSurviveAReopen() {
        long alice = account("alice@example.org").id();
        WebSession s = session(alice, "h1", T0);
        store.webSessions().create(s);
        reopen();
        assertThat(store.webSessions().find("h1")).contains(s);
        assertThat(store.webSessions().find("h2")).isEmpty();
        assertThat(openSecond().webSessions().find("h1")).contains(s);
        assertThatThrownBy(() -> store.webSessions().create(session(account("bob@example.org").id(), "h1", T0)))
                .isInstanceOf(StoreException.class);
    }

    @Test
    void touchMovesLastSeenForwardOnlyAndOnlyInItsAccount() {
        long alice = account("alice@example.org").id();
        long bob = account("bob@example.org").id();
        store.webSessions().create(session(alice, "h1", T0));
        store.webSessions().touch(alice, "h1", T0.plusSeconds(90));
        store.webSessions().touch(alice, "h1", T0.plusSeconds(30));
        store.webSessions().touch(bob, "h1", T0.plusSeconds(500));
        WebSession s = store.webSessions().find("h1").orElseThrow();
        assertThat(s.lastSeen()).isEqualTo(T0.plusSeconds(90));
        assertThat(s.created()).isEqualTo(T0);
    }

    @Test
    void deleteIsScopedByAccountAndDeleteAllKeepsTheCallers() {
        long alice = account("alice@example.org").id();
        long bob = account("bob@example.org").id();
        store.webSessions().create(session(alice, "a1", T0));
        store.webSessions().create(session(alice, "a2", T0.plusSeconds(1)));
        store.webSessions().create(session(alice, "a3", T0.plusSeconds(2)));
        store.webSessions().create(session(bob, "b1", T0));
        assertThat(store.webSessions().delete(bob, "a1")).isFalse();
        assertThat(store.webSessions().delete(alice, "a1")).isTrue();
        assertThat(store.webSessions().find("a1")).isEmpty();
        assertThat(store.webSessions().deleteAll(alice, "a3")).isEqualTo(1);
        assertThat(store.webSessions().list(alice)).extracting(WebSession::tokenHash).containsExactly("a3");
        assertThat(store.webSessions().deleteAll(alice, null)).isEqualTo(1);
        assertThat(store.webSessions().list(alice)).isEmpty();
        assertThat(store.webSessions().find("b1")).isPresent();
    }

    @Test
    void listIsLeastRecentlySeenFirst() {
        long alice = account("alice@example.org").id();
        store.webSessions().create(session(alice, "a1", T0));
        store.webSessions().create(session(alice, "a2", T0.plusSeconds(1)));
        store.webSessions().create(session(alice, "a3", T0.plusSeconds(2)));
        store.webSessions().touch(alice, "a1", T0.plusSeconds(10));
        assertThat(store.webSessions().list(alice)).extracting(WebSession::tokenHash).containsExactly("a2", "a3", "a1");
    }

    @Test
    void expireSweepsIdleAndTooOldSessions() {
        long alice = account("alice@example.org").id();
        Duration idle = Duration.ofMinutes(30);
        Duration absolute = Duration.ofHours(12);
        store.webSessions().create(session(alice, "idle", T0));
        store.webSessions().create(session(alice, "busy", T0));
        store.webSessions().create(session(alice, "fresh", T0.plus(Duration.ofHours(11))));
        Instant now = T0.plus(Duration.ofHours(11)).plus(idle);
        for (int i = 1; i <= 11 * 2 + 1; i++) store.webSessions().touch(alice, "busy", T0.plus(Duration.ofMinutes(30L * i)));
        assertThat(store.webSessions().expire(now.minus(idle), now.minus(absolute))).isEqualTo(2); // idle, fresh (idle too)
        assertThat(store.webSessions().list(alice)).extracting(WebSession::tokenHash).containsExactly("busy");
        now = T0.plus(absolute);
        store.webSessions().touch(alice, "busy", now);
        assertThat(store.webSessions().expire(now.minus(idle), now.minus(absolute))).isEqualTo(1);
        assertThat(store.webSessions().find("busy")).isEmpty();
    }

    @Test
    void deletingTheAccountEndsItsSessions() {
        Account alice = account("alice@example.org");
        store.webSessions().create(session(alice.id(), "a1", T0));
        store.directory().deleteAccount(alice.address());
        assertThat(store.webSessions().find("a1")).isEmpty();
    }
}
