// SPDX-License-Identifier: Apache-2.0
package org.postern.it.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.auth.AuthThrottle;
import org.postern.auth.Passwords;
import org.postern.auth.PasswordHasher;
import org.postern.http.WebSessions;
import org.postern.it.web.WebLogin;
import org.postern.server.config.Service;
import org.postern.server.config.StoreConfig;
import org.postern.testkit.TestServer;

/**
 * Two nodes on one PostgreSQL share browser sessions and the authentication throttle (issues 6 and 9):
 * a browser sent to either node by a load balancer stays logged in, a logout or a password change on
 * one ends the session on the other, and guesses spread over both nodes are throttled as on one.
 */
class SharedSessionsIT {
    private static final String USER = "erin@" + TestServer.DOMAIN;
    private static final String PASSWORD = "erin-password";

    private static EmbeddedPostgres postgres;
    private static TestServer nodeA;
    private static TestServer nodeB;
    private static TestServer strictA;
    private static TestServer strictB;
    /** Each node has its own self-signed certificate. */
    private static final java.util.Map<TestServer, HttpClient> clients = new java.util.IdentityHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        // The throttled pair gets its own database: its failures from 127.0.0.1 must not block the other pair.
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE throttled");
        }
        String base = "postgres://postgres@localhost:" + postgres.getPort() + "/";
        StoreConfig shared = StoreConfig.postgres(base + "postgres", "");
        nodeA = TestServer.start(s -> s.withStore(shared));
        nodeB = TestServer.start(s -> s.withStore(shared));
        nodeA.createUser(USER, PASSWORD);
        StoreConfig throttled = StoreConfig.postgres(base + "throttled", "");
        AuthThrottle.Policy strict = new AuthThrottle.Policy(4, Duration.ofMinutes(15), Duration.ZERO);
        strictA = TestServer.start(s -> s.withStore(throttled).withAuthThrottle(strict));
        strictB = TestServer.start(s -> s.withStore(throttled).withAuthThrottle(strict));
        strictA.createUser(USER, PASSWORD);
        for (TestServer s : new TestServer[] {nodeA, nodeB, strictA, strictB}) clients.put(s, WebLogin.client(s.sslContext()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (TestServer s : new TestServer[] {strictB, strictA, nodeB, nodeA}) {
            if (s != null) s.close();
        }
        if (postgres != null) postgres.close();
    }

    private static HttpClient http(TestServer s) {
        return clients.get(s);
    }

    private static int https(TestServer s) {
        return s.port(Service.HTTPS);
    }

    /** Polls the session on {@code node} until it is refused; returns how long that took. */
    private static Duration untilRefused(WebLogin b, TestServer node, Duration deadline) throws Exception {
        long start = System.nanoTime();
        while (b.session(http(node), https(node)) != 401) {
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            if (waited.compareTo(deadline) > 0) throw new AssertionError("session still accepted after " + waited);
            Thread.sleep(50);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Test
    void aSessionMadeOnOneNodeWorksOnTheOtherAndALogoutThereEndsIt() throws Exception {
        WebLogin b = WebLogin.of(http(nodeA), https(nodeA), USER, PASSWORD);
        assertThat(b.session(http(nodeB), https(nodeB))).isEqualTo(200);
        assertThat(b.session(http(nodeA), https(nodeA))).isEqualTo(200);
        assertThat(b.logout(http(nodeA), https(nodeA))).isEqualTo(204);
        assertThat(b.session(http(nodeA), https(nodeA))).isEqualTo(401);
        // Node B trusted its cached copy for at most the cache's lifetime.
        Duration seen = untilRefused(b, nodeB, Duration.ofSeconds(10));
        assertThat(seen).isLessThanOrEqualTo(WebSessions.Config.CACHE_TTL.plusMillis(500));
    }

    @Test
    void aPasswordChangeOnOneNodeEndsTheSessionOnTheOtherAtOnce() throws Exception {
        String user = "frank@" + TestServer.DOMAIN;
        nodeA.createUser(user, "frank-password");
        WebLogin b = WebLogin.of(http(nodeA), https(nodeA), user, "frank-password");
        assertThat(b.session(http(nodeB), https(nodeB))).isEqualTo(200);
        nodeA.store().directory().setPassword(user, new Passwords(PasswordHasher.Cost.TEST).record("new-password"));
        assertThat(b.session(http(nodeB), https(nodeB))).isEqualTo(401);
        assertThat(b.session(http(nodeA), https(nodeA))).isEqualTo(401);
    }

    @Test
    void failedLoginsSpreadOverTwoNodesAreThrottledAsOne() throws Exception {
        // Two failures on each node: four in all, the policy's limit for one address.
        for (int i = 0; i < 4; i++) {
            TestServer node = i % 2 == 0 ? strictA : strictB;
            assertThat(WebLogin.login(http(node), https(node), USER, "wrong-" + i).statusCode()).as("guess %d", i).isEqualTo(401);
        }
        for (TestServer node : new TestServer[] {strictA, strictB}) {
            HttpResponse<String> right = WebLogin.login(http(node), https(node), USER, PASSWORD);
            assertThat(right.statusCode()).as("the right password once the address is throttled").isEqualTo(429);
        }
    }
}
