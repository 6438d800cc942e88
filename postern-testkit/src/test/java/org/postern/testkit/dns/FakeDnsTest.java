// SPDX-License-Identifier: Apache-2.0
package org.postern.testkit.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postern.dns.DnsAnswer;
import org.postern.dns.DnsjavaResolver;
import org.postern.dns.MxRecord;

/** The production resolver against the fake server: the statuses RFC 2308 distinguishes, UDP and TCP. */
class FakeDnsTest {
    private FakeDns dns;
    private DnsjavaResolver resolver;

    @BeforeEach
    void start() throws Exception {
        dns = FakeDns.start();
        resolver = new DnsjavaResolver(dns.address(), Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    @Test
    void mxAndAddressRecords() throws Exception {
        dns.mx("remote.test", 20, "mx2.remote.test").mx("remote.test", 10, "mx1.remote.test")
                .a("mx1.remote.test", "127.0.0.1").aaaa("mx1.remote.test", "::1");
        DnsAnswer<MxRecord> mx = resolver.mx("Remote.Test");
        assertThat(mx.status()).isEqualTo(DnsAnswer.Status.FOUND);
        assertThat(mx.records()).containsExactlyInAnyOrder(new MxRecord(10, "mx1.remote.test"),
                new MxRecord(20, "mx2.remote.test"));
        assertThat(resolver.a("mx1.remote.test").records()).containsExactly(InetAddress.getByName("127.0.0.1"));
        assertThat(resolver.addresses("mx1.remote.test.").records())
                .containsExactly(InetAddress.getByName("::1"), InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void noDomainNoRecordsAndFailureStayDistinct() {
        dns.exists("empty.test").servfail("broken.test");
        assertThat(resolver.mx("nothing.test").status()).isEqualTo(DnsAnswer.Status.NO_DOMAIN);
        assertThat(resolver.mx("empty.test").status()).isEqualTo(DnsAnswer.Status.NO_RECORDS);
        assertThat(resolver.mx("broken.test").status()).isEqualTo(DnsAnswer.Status.TEMPORARY_FAILURE);
        dns.heal("broken.test");
        assertThat(resolver.mx("broken.test").status()).isEqualTo(DnsAnswer.Status.NO_DOMAIN);
    }

    @Test
    void nullMxIsTheRoot() {
        dns.nullMx("nomail.test");
        assertThat(resolver.mx("nomail.test").records()).containsExactly(new MxRecord(0, ""));
        assertThat(resolver.mx("nomail.test").records().get(0).isNull()).isTrue();
    }

    @Test
    void longTxtIsJoinedAndTruncatedUdpFallsBackToTcp() {
        String long1 = "v=spf1 " + "ip4:192.0.2.1 ".repeat(40) + "-all";
        dns.txt("remote.test", long1).txt("remote.test", "second");
        dns.truncateUdp(true);
        DnsAnswer<String> txt = resolver.txt("remote.test");
        assertThat(txt.records()).containsExactlyInAnyOrder(long1, "second");
        assertThat(dns.queries()).contains("TXT remote.test", "tcp:TXT remote.test");
    }

    @Test
    void unreachableServerIsATemporaryFailure() throws Exception {
        int port = dns.port();
        dns.close();
        DnsjavaResolver dead = new DnsjavaResolver(new java.net.InetSocketAddress("127.0.0.1", port), Duration.ofMillis(300));
        assertThat(dead.mx("remote.test").status()).isEqualTo(DnsAnswer.Status.TEMPORARY_FAILURE);
    }

    @Test
    void internationalizedNamesAreAskedAsALabels() {
        dns.mx("xn--bcher-kva.test", 10, "mx.xn--bcher-kva.test");
        assertThat(resolver.mx("bücher.test").records()).containsExactly(new MxRecord(10, "mx.xn--bcher-kva.test"));
    }
}
