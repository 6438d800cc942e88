// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.spf;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.mailauth.MapDns;

/** RFC 7208 check_host(): mechanisms, modifiers, limits and errors, table-driven over one DNS world. */
class SpfCheckTest {
    static MapDns world() {
        MapDns d = new MapDns();
        d.txt("ip.test", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all");
        d.txt("a.test", "v=spf1 a -all").a("a.test", "192.0.2.10");
        d.txt("acidr.test", "v=spf1 a:host.acidr.test/28 ~all").a("host.acidr.test", "198.51.100.1");
        d.txt("mx.test", "v=spf1 mx ?all").mx("mx.test", 10, "mail.mx.test").a("mail.mx.test", "203.0.113.5");
        d.txt("inc.test", "v=spf1 include:ip.test -all");
        d.txt("incfail.test", "v=spf1 include:nothing.test -all");
        d.txt("redir.test", "v=spf1 redirect=ip.test");
        d.txt("redirnone.test", "v=spf1 redirect=nothing.test");
        d.txt("exists.test", "v=spf1 exists:%{ir}.list.exists.test -all").a("5.113.0.203.list.exists.test", "127.0.0.2");
        d.txt("neutral.test", "v=spf1 ip4:10.0.0.1");
        d.txt("softfail.test", "v=spf1 ~all");
        d.txt("two.test", "v=spf1 -all").txt("two.test", "v=spf1 +all");
        d.txt("bad.test", "v=spf1 foo:bar -all");
        d.txt("badip.test", "v=spf1 ip4:192.0.2.300 -all");
        d.txt("twice.test", "v=spf1 redirect=a.test redirect=b.test");
        d.txt("loop.test", "v=spf1 include:loop.test -all");
        d.txt("loop1.test", "v=spf1 include:loop2.test -all").txt("loop2.test", "v=spf1 include:loop1.test -all");
        StringBuilder many = new StringBuilder("v=spf1");
        for (int i = 0; i < 11; i++) many.append(" a:h").append(i).append(".many.test");
        d.txt("many.test", many.append(" -all").toString());
        for (int i = 0; i < 11; i++) d.a("h" + i + ".many.test", "198.51.100.200");
        d.txt("voids.test", "v=spf1 a:v1.test a:v2.test a:v3.test -all");
        d.txt("tempfail.test", "v=spf1 include:down.test -all").servfail("down.test").servfail("down2.test");
        d.txt("exp.test", "v=spf1 -all exp=explain.exp.test").txt("explain.exp.test", "%{i} is not one of %{d}'s servers");
        d.txt("other.test", "not spf");
        d.txt("upper.test", "V=SPF1 +ALL");
        d.txt("modifier.test", "v=spf1 foo=bar +all");
        d.txt("nulllocal.test", "v=spf1 exists:%{l}.users.nulllocal.test -all").a("postmaster.users.nulllocal.test", "127.0.0.2");
        d.txt("huge.test", "v=spf1 " + "ip4:10.0.0.1 ".repeat(400) + "-all");
        d.txt("mxmany.test", "v=spf1 mx -all");
        for (int i = 0; i < 11; i++) d.mx("mxmany.test", i, "m" + i + ".mxmany.test");
        d.a("helo.example", "192.0.2.77").txt("helo.example", "v=spf1 a -all");
        return d;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("192.0.2.1", "a@ip.test", SpfResult.PASS),
                Arguments.of("2001:db8::5", "a@ip.test", SpfResult.PASS),
                Arguments.of("198.51.100.1", "a@ip.test", SpfResult.FAIL),
                Arguments.of("192.0.2.10", "a@a.test", SpfResult.PASS),
                Arguments.of("192.0.2.11", "a@a.test", SpfResult.FAIL),
                Arguments.of("198.51.100.14", "a@acidr.test", SpfResult.PASS),
                Arguments.of("198.51.100.17", "a@acidr.test", SpfResult.SOFTFAIL),
                Arguments.of("203.0.113.5", "a@mx.test", SpfResult.PASS),
                Arguments.of("203.0.113.6", "a@mx.test", SpfResult.NEUTRAL),
                Arguments.of("192.0.2.1", "a@inc.test", SpfResult.PASS),
                Arguments.of("10.1.1.1", "a@inc.test", SpfResult.FAIL),
                Arguments.of("10.1.1.1", "a@incfail.test", SpfResult.PERMERROR),
                Arguments.of("192.0.2.1", "a@redir.test", SpfResult.PASS),
                Arguments.of("10.1.1.1", "a@redir.test", SpfResult.FAIL),
                Arguments.of("10.1.1.1", "a@redirnone.test", SpfResult.PERMERROR),
                Arguments.of("203.0.113.5", "a@exists.test", SpfResult.PASS),
                Arguments.of("203.0.113.6", "a@exists.test", SpfResult.FAIL),
                Arguments.of("10.0.0.2", "a@neutral.test", SpfResult.NEUTRAL),
                Arguments.of("10.0.0.2", "a@softfail.test", SpfResult.SOFTFAIL),
                Arguments.of("10.0.0.2", "a@two.test", SpfResult.PERMERROR),
                Arguments.of("10.0.0.2", "a@bad.test", SpfResult.PERMERROR),
                Arguments.of("10.0.0.2", "a@badip.test", SpfResult.PERMERROR),
                Arguments.of("10.0.0.2", "a@twice.test", SpfResult.PERMERROR),
                Arguments.of("10.0.0.2", "a@loop.test", SpfResult.PERMERROR),
                Arguments.of("10.0.0.2", "a@loop1.test", SpfResult.PERMERROR),
                Arguments.of("198.51.100.200", "a@many.test", SpfResult.PASS), // matched before the limit
                Arguments.of("10.9.9.9", "a@many.test", SpfResult.PERMERROR),
                Arguments.of("10.0.0.2", "a@voids.test", SpfResult.PERMERROR),
                Arguments.of("10.0.0.2", "a@tempfail.test", SpfResult.TEMPERROR),
                Arguments.of("10.0.0.2", "a@nothing.test", SpfResult.NONE),
                Arguments.of("10.0.0.2", "a@other.test", SpfResult.NONE),
                Arguments.of("10.0.0.2", "a@localhost", SpfResult.NONE),
                Arguments.of("10.0.0.2", "a@upper.test", SpfResult.PASS),
                Arguments.of("10.0.0.2", "a@modifier.test", SpfResult.PASS),
                Arguments.of("10.0.0.2", "@nulllocal.test", SpfResult.PASS),
                Arguments.of("10.0.0.2", "a@huge.test", SpfResult.PERMERROR),
                Arguments.of("10.0.0.2", "a@mxmany.test", SpfResult.PERMERROR),
                Arguments.of("10.0.0.2", "a@down2.test", SpfResult.TEMPERROR));
    }

    private static SpfCheck check(MapDns dns) {
        return new SpfCheck(dns, "mx.receiver.test", Clock.fixed(Instant.ofEpochSecond(1000), ZoneOffset.UTC));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void checkHost(String ip, String sender, SpfResult expected) {
        SpfVerdict v = check(world()).check(MapDns.literal(ip), "helo.example", sender);
        assertThat(v.result()).as(v.explanation()).isEqualTo(expected);
        assertThat(v.identity()).isEqualTo("mailfrom");
    }

    @Test
    void heloIdentityWhenMailFromIsNull() {
        SpfVerdict v = check(world()).check(MapDns.literal("192.0.2.77"), "helo.example", null);
        assertThat(v.result()).isEqualTo(SpfResult.PASS);
        assertThat(v.identity()).isEqualTo("helo");
        assertThat(check(world()).check(MapDns.literal("192.0.2.78"), "helo.example", null).result()).isEqualTo(SpfResult.FAIL);
    }

    @Test
    void ptrMechanismAndMacroUseValidatedNames() {
        MapDns dns = world().txt("ptr.test", "v=spf1 ptr -all").txt("pmacro.test", "v=spf1 exists:%{p}.ok.pmacro.test -all")
                .a("mail.ptr.test", "192.0.2.50").a("liar.ptr.test", "192.0.2.99").a("mail.ptr.test.ok.pmacro.test", "127.0.0.2");
        PtrLookup ptr = ip -> switch (ip.getHostAddress()) {
            case "192.0.2.50" -> org.postern.dns.DnsAnswer.found(java.util.List.of("other.example", "mail.ptr.test"));
            case "192.0.2.51" -> org.postern.dns.DnsAnswer.found(java.util.List.of("liar.ptr.test")); // does not resolve back
            default -> org.postern.dns.DnsAnswer.of(org.postern.dns.DnsAnswer.Status.NO_DOMAIN, "");
        };
        SpfCheck c = new SpfCheck(dns, ptr, "mx.receiver.test", Clock.systemUTC());
        assertThat(c.check(MapDns.literal("192.0.2.50"), "h", "a@ptr.test").result()).isEqualTo(SpfResult.PASS);
        assertThat(c.check(MapDns.literal("192.0.2.51"), "h", "a@ptr.test").result()).isEqualTo(SpfResult.FAIL);
        assertThat(c.check(MapDns.literal("192.0.2.52"), "h", "a@ptr.test").result()).isEqualTo(SpfResult.FAIL);
        assertThat(c.check(MapDns.literal("192.0.2.50"), "h", "a@pmacro.test").result()).isEqualTo(SpfResult.PASS);
        // without reverse look-ups ptr never matches
        assertThat(check(dns).check(MapDns.literal("192.0.2.50"), "h", "a@ptr.test").result()).isEqualTo(SpfResult.FAIL);
    }

    @Test
    void explanationIsExpandedOnFail() {
        SpfVerdict v = check(world()).check(MapDns.literal("192.0.2.9"), "h", "x@exp.test");
        assertThat(v.result()).isEqualTo(SpfResult.FAIL);
        assertThat(v.explanation()).isEqualTo("192.0.2.9 is not one of exp.test's servers");
    }

    @Test
    void loopsAndLimitsBoundTheQueries() {
        MapDns dns = world();
        check(dns).check(MapDns.literal("10.0.0.2"), "h", "a@loop1.test");
        assertThat(dns.queries.size()).isLessThanOrEqualTo(SpfCheck.MAX_DNS_TERMS + 2);
        MapDns dns2 = world();
        check(dns2).check(MapDns.literal("10.9.9.9"), "h", "a@many.test");
        assertThat(dns2.queries.size()).isLessThanOrEqualTo(SpfCheck.MAX_DNS_TERMS + 1);
    }
}
