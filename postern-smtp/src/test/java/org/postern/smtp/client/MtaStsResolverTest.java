// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.dns.DnsAnswer;

/** RFC 8461 §3.3 fetching and §5.1 caching against a local HTTPS server. */
class MtaStsResolverTest {
    static final String POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mx.far.test\r\nmax_age: 86400\r\n";

    @TempDir
    static Path pkiDir;

    static TestPki pki;

    @TempDir
    Path cacheDir;

    HttpsServer https;
    volatile String body = POLICY;
    volatile String contentType = "text/plain";
    volatile int status = 200;
    final AtomicInteger fetches = new AtomicInteger();
    final MxResolverTest.MapDns dns = new MxResolverTest.MapDns() {
        @Override
        public DnsAnswer<String> txt(String name) {
            return txt.containsKey(name) ? DnsAnswer.found(txt.get(name)) : DnsAnswer.of(DnsAnswer.Status.NO_DOMAIN, "nx");
        }
    };
    final java.util.Map<String, List<String>> txt = new java.util.concurrent.ConcurrentHashMap<>();
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId z) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @BeforeAll
    static void pki() throws Exception {
        pki = new TestPki(pkiDir, "mta-sts.far.test");
    }

    @BeforeEach
    void start() throws Exception {
        https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(pki.serverContext));
        https.createContext("/.well-known/mta-sts.txt", ex -> {
            fetches.incrementAndGet();
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", contentType);
            if (status == 302) ex.getResponseHeaders().add("Location", "https://localhost:" + https.getAddress().getPort() + "/p");
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        https.start();
        txt.put("_mta-sts.far.test", List.of("v=STSv1; id=one;"));
    }

    @Test
    void aDrippingPolicyBodyIsGivenUpAtTheDeadline() throws Exception {
        java.io.InputStream endless = new java.io.InputStream() {
            @Override
            public int read() throws java.io.IOException {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                return 'x';
            }
        };
        long start = System.nanoTime();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MtaStsResolver.readBounded(endless, Duration.ofMillis(300)))
                .isInstanceOf(java.io.IOException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        https.stop(0);
    }

    MtaStsResolver resolver(javax.net.ssl.SSLContext trust) {
        URI base = URI.create("https://localhost:" + https.getAddress().getPort() + "/.well-known/mta-sts.txt");
        return new MtaStsResolver(dns, MtaStsResolver.https(trust, d -> base, Duration.ofSeconds(5)),
                new MtaStsCache(cacheDir), clock);
    }

    @Test
    void fetchesOnceThenUsesTheCacheUntilTheIdChanges() {
        MtaStsResolver r = resolver(pki.clientTrust);
        MtaStsPolicy p = r.policy("far.test").orElseThrow();
        assertThat(p.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        assertThat(p.mx()).containsExactly("mx.far.test");
        assertThat(r.policy("far.test")).isPresent();
        assertThat(fetches).hasValue(1);
        txt.put("_mta-sts.far.test", List.of("v=STSv1; id=two;"));
        body = POLICY.replace("enforce", "testing");
        assertThat(r.policy("far.test").orElseThrow().mode()).isEqualTo(MtaStsPolicy.Mode.TESTING);
        assertThat(fetches).hasValue(2);
    }

    @Test
    void theCacheSurvivesARestartAndOutlivesDnsAndHttpsFailures() {
        resolver(pki.clientTrust).policy("far.test").orElseThrow();
        https.stop(0);
        txt.clear(); // an attacker strips the TXT record and blocks the policy host (RFC 8461 §5.1, §10.2)
        MtaStsResolver afterRestart = resolver(pki.clientTrust);
        assertThat(afterRestart.policy("far.test")).map(MtaStsPolicy::mode).contains(MtaStsPolicy.Mode.ENFORCE);
        now = now.plus(Duration.ofDays(2)); // max_age is one day
        assertThat(resolver(pki.clientTrust).policy("far.test")).isEmpty();
    }

    @Test
    void noTxtRecordMeansNoFetch() {
        txt.clear();
        assertThat(resolver(pki.clientTrust).policy("far.test")).isEmpty();
        assertThat(fetches).hasValue(0);
    }

    /** Each row breaks one rule of RFC 8461 §3.3; none may yield a policy. */
    @Test
    void hostileOrBrokenPolicyHostsYieldNoPolicy() {
        List<String> failures = new ArrayList<>();
        record Case(String name, Runnable setup, boolean untrusted) {}
        List<Case> cases = List.of(
                new Case("certificate not trusted", () -> {}, true),
                new Case("redirect not followed", () -> status = 302, false),
                new Case("HTTP 404", () -> status = 404, false),
                new Case("wrong media type", () -> contentType = "text/html", false),
                new Case("larger than 64 KiB", () -> body = POLICY + "x: " + "y".repeat(70_000) + "\n", false),
                new Case("not a policy", () -> body = "<html></html>", false));
        for (Case c : cases) {
            status = 200;
            contentType = "text/plain";
            body = POLICY;
            c.setup().run();
            MtaStsResolver r;
            try {
                r = resolver(c.untrusted() ? TestPki.jdkDefault() : pki.clientTrust);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            Optional<MtaStsPolicy> p = r.policy("far.test");
            if (p.isPresent()) failures.add(c.name());
        }
        assertThat(failures).as("cases that produced a policy").isEmpty();
    }
}
