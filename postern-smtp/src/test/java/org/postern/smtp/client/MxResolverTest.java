// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postern.dns.DnsAnswer;
import org.postern.dns.DnsResolver;
import org.postern.dns.MxRecord;

/** RFC 5321 §5.1 ordering and fallback, RFC 7505 null MX, and which DNS troubles are permanent. */
class MxResolverTest {
    /** A resolver from maps; names missing from every map are NXDOMAIN. */
    static class MapDns implements DnsResolver {
        final Map<String, DnsAnswer<MxRecord>> mx = new HashMap<>();
        final Map<String, DnsAnswer<InetAddress>> a = new HashMap<>();

        @Override
        public DnsAnswer<MxRecord> mx(String domain) {
            return mx.getOrDefault(domain, a.containsKey(domain) ? DnsAnswer.found(List.of())
                    : DnsAnswer.of(DnsAnswer.Status.NO_DOMAIN, "nx"));
        }

        @Override
        public DnsAnswer<InetAddress> a(String host) {
            return a.getOrDefault(host, DnsAnswer.of(DnsAnswer.Status.NO_DOMAIN, "nx"));
        }

        @Override
        public DnsAnswer<InetAddress> aaaa(String host) {
            DnsAnswer<InetAddress> four = a(host);
            return four.isFound() ? DnsAnswer.found(List.of()) : four;
        }

        @Override
        public DnsAnswer<String> txt(String name) {
            return DnsAnswer.of(DnsAnswer.Status.NO_DOMAIN, "nx");
        }
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void lowerPreferenceFirstAndEqualPreferencesShuffled() {
        List<MxRecord> records = List.of(new MxRecord(20, "c"), new MxRecord(10, "a"), new MxRecord(10, "b"),
                new MxRecord(30, "d"));
        Set<String> firstSeen = new HashSet<>();
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            List<MxRecord> o = MxResolver.order(records, random);
            assertThat(o.subList(2, 4)).containsExactly(new MxRecord(20, "c"), new MxRecord(30, "d"));
            assertThat(o.subList(0, 2)).containsExactlyInAnyOrder(new MxRecord(10, "a"), new MxRecord(10, "b"));
            firstSeen.add(o.get(0).exchange());
        }
        assertThat(firstSeen).containsExactlyInAnyOrder("a", "b"); // both orders occur
    }

    @Test
    void hostsInPreferenceOrderWithTheirAddresses() throws Exception {
        MapDns dns = new MapDns();
        dns.mx.put("d.test", DnsAnswer.found(List.of(new MxRecord(20, "mx2.d.test"), new MxRecord(10, "mx1.d.test"))));
        dns.a.put("mx1.d.test", DnsAnswer.found(List.of(ip("192.0.2.1"))));
        dns.a.put("mx2.d.test", DnsAnswer.found(List.of(ip("192.0.2.2"))));
        Route r = new MxResolver(dns).route("D.test");
        assertThat(r).isEqualTo(new Route.Hosts(List.of(new Route.Host("mx1.d.test", List.of(ip("192.0.2.1"))),
                new Route.Host("mx2.d.test", List.of(ip("192.0.2.2"))))));
    }

    @Test
    void noMxFallsBackToTheDomainsAddress() throws Exception {
        MapDns dns = new MapDns();
        dns.a.put("d.test", DnsAnswer.found(List.of(ip("192.0.2.9"))));
        assertThat(new MxResolver(dns).route("d.test"))
                .isEqualTo(new Route.Hosts(List.of(new Route.Host("d.test", List.of(ip("192.0.2.9"))))));
    }

    @Test
    void nullMxIsPermanent() {
        MapDns dns = new MapDns();
        dns.mx.put("d.test", DnsAnswer.found(List.of(new MxRecord(0, ""))));
        assertThat(new MxResolver(dns).route("d.test")).isInstanceOfSatisfying(Route.Unroutable.class,
                u -> assertThat(u.status()).isEqualTo("5.1.10"));
    }

    @Test
    void unknownDomainIsPermanentButDnsTroubleIsNot() {
        MapDns dns = new MapDns();
        assertThat(new MxResolver(dns).route("nx.test")).isInstanceOf(Route.Unroutable.class);
        dns.mx.put("d.test", DnsAnswer.of(DnsAnswer.Status.TEMPORARY_FAILURE, "SERVFAIL"));
        assertThat(new MxResolver(dns).route("d.test")).isInstanceOf(Route.TryLater.class);
    }

    @Test
    void mxHostsWithoutAddressesAreUnroutableUnlessALookUpFailed() throws Exception {
        MapDns dns = new MapDns();
        dns.mx.put("d.test", DnsAnswer.found(List.of(new MxRecord(10, "gone.d.test"))));
        assertThat(new MxResolver(dns).route("d.test")).isInstanceOf(Route.Unroutable.class);
        dns.a.put("gone.d.test", DnsAnswer.of(DnsAnswer.Status.TEMPORARY_FAILURE, "timeout"));
        assertThat(new MxResolver(dns).route("d.test")).isInstanceOf(Route.TryLater.class);
    }
}
