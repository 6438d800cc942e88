// SPDX-License-Identifier: Apache-2.0
package org.postern.it.mailauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.dns.DnsjavaResolver;
import org.postern.mailauth.spf.DnsjavaPtrLookup;
import org.postern.mailauth.spf.SpfCheck;
import org.postern.mailauth.spf.SpfVerdict;
import org.postern.testkit.dns.FakeDns;

/**
 * SPF results compared with Debian's python3-spf (pyspf), both asking the same FakeDns: every
 * mechanism and modifier, macros, the look-up limits, loops, and DNS failures.
 */
class SpfInteropIT {
    private static final String PYTHON = "/usr/bin/python3";
    private static final String SCRIPT = """
            import sys, spf, dns.resolver
            r = dns.resolver.Resolver(configure=False)
            r.nameservers = ['127.0.0.1']
            r.port = int(sys.argv[1])
            r.lifetime = 5
            dns.resolver.default_resolver = r
            for line in sys.stdin:
                ip, sender, helo = line.split()
                if sender == '-':
                    sender = ''
                print(spf.check2(i=ip, s=sender, h=helo)[0], flush=True)
            """;

    @TempDir
    Path dir;

    static void world(FakeDns d) {
        d.txt("ip.test", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all");
        d.txt("a.test", "v=spf1 a -all").a("a.test", "192.0.2.10").aaaa("a.test", "2001:db8::10");
        d.txt("acidr.test", "v=spf1 a:host.acidr.test/28//64 ~all").a("host.acidr.test", "198.51.100.1").aaaa("host.acidr.test", "2001:db8:1::1");
        d.txt("mx.test", "v=spf1 mx ?all").mx("mx.test", 10, "mail.mx.test").mx("mx.test", 20, "mail2.mx.test")
                .a("mail.mx.test", "203.0.113.5").a("mail2.mx.test", "203.0.113.9");
        d.txt("inc.test", "v=spf1 include:ip.test -all");
        d.txt("incnone.test", "v=spf1 include:nothing.test -all");
        d.txt("redir.test", "v=spf1 redirect=ip.test");
        d.txt("redirnone.test", "v=spf1 redirect=nothing.test");
        d.txt("exists.test", "v=spf1 exists:%{ir}.list.exists.test -all").a("5.113.0.203.list.exists.test", "127.0.0.2");
        d.txt("macro.test", "v=spf1 exists:%{l}.%{o}._spf.macro.test -all").a("joe.macro.test._spf.macro.test", "127.0.0.2");
        d.txt("neutral.test", "v=spf1 ip4:10.0.0.1");
        d.txt("softfail.test", "v=spf1 ~all");
        d.txt("two.test", "v=spf1 -all").txt("two.test", "v=spf1 +all");
        d.txt("bad.test", "v=spf1 foo:bar -all");
        d.txt("badip.test", "v=spf1 ip4:192.0.2.300 -all");
        d.txt("loop.test", "v=spf1 include:loop.test -all");
        d.txt("loop1.test", "v=spf1 include:loop2.test -all").txt("loop2.test", "v=spf1 include:loop1.test -all");
        StringBuilder many = new StringBuilder("v=spf1");
        for (int i = 0; i < 11; i++) many.append(" a:h").append(i).append(".many.test");
        d.txt("many.test", many.append(" -all").toString());
        for (int i = 0; i < 11; i++) d.a("h" + i + ".many.test", "198.51.100.200");
        d.txt("voids.test", "v=spf1 a:v1.voids.test a:v2.voids.test a:v3.voids.test -all");
        d.txt("tempfail.test", "v=spf1 include:down.test -all").servfail("down.test");
        d.txt("upper.test", "V=SPF1 +ALL");
        d.txt("modifier.test", "v=spf1 foo=bar +all");
        d.txt("mixed.test", "v=spf1 -ip4:192.0.2.66 include:ip.test ~all");
        d.txt("ptr.test", "v=spf1 ptr -all");
        d.txt("helo.test", "v=spf1 a -all").a("helo.test", "192.0.2.77");
        d.txt("text.test", "not an spf record");
    }

    static final String[][] CASES = {
        {"192.0.2.1", "a@ip.test"}, {"2001:db8::5", "a@ip.test"}, {"198.51.100.1", "a@ip.test"},
        {"192.0.2.10", "a@a.test"}, {"192.0.2.11", "a@a.test"}, {"2001:db8::10", "a@a.test"},
        {"198.51.100.14", "a@acidr.test"}, {"198.51.100.17", "a@acidr.test"}, {"2001:db8:1::ffff", "a@acidr.test"},
        {"203.0.113.5", "a@mx.test"}, {"203.0.113.9", "a@mx.test"}, {"203.0.113.6", "a@mx.test"},
        {"192.0.2.1", "a@inc.test"}, {"10.1.1.1", "a@inc.test"}, {"10.1.1.1", "a@incnone.test"},
        {"192.0.2.1", "a@redir.test"}, {"10.1.1.1", "a@redir.test"}, {"10.1.1.1", "a@redirnone.test"},
        {"203.0.113.5", "a@exists.test"}, {"203.0.113.6", "a@exists.test"}, {"10.0.0.9", "joe@macro.test"},
        {"10.0.0.9", "ann@macro.test"}, {"10.0.0.2", "a@neutral.test"}, {"10.0.0.2", "a@softfail.test"},
        {"10.0.0.2", "a@two.test"}, {"10.0.0.2", "a@bad.test"}, {"10.0.0.2", "a@badip.test"},
        {"10.0.0.2", "a@loop.test"}, {"10.0.0.2", "a@loop1.test"}, {"198.51.100.200", "a@many.test"},
        {"10.9.9.9", "a@many.test"}, {"10.0.0.2", "a@voids.test"}, {"10.0.0.2", "a@tempfail.test"},
        {"10.0.0.2", "a@nothing.test"}, {"10.0.0.2", "a@text.test"}, {"10.0.0.2", "a@upper.test"},
        {"10.0.0.2", "a@modifier.test"}, {"192.0.2.66", "a@mixed.test"}, {"192.0.2.67", "a@mixed.test"},
        {"10.0.0.2", "a@mixed.test"}, {"10.0.0.2", "a@ptr.test"}, {"192.0.2.77", "-"}, {"192.0.2.78", "-"},
    };

    @Test
    void sameResultsAsPyspf() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(PYTHON)), "no /usr/bin/python3");
        try (FakeDns dns = FakeDns.start()) {
            world(dns);
            Path script = dir.resolve("spf_interop.py");
            Files.writeString(script, SCRIPT);
            StringBuilder input = new StringBuilder();
            for (String[] c : CASES) input.append(c[0]).append(' ').append(c[1]).append(" helo.test\n");
            Process p = new ProcessBuilder(PYTHON, script.toString(), String.valueOf(dns.port())).redirectErrorStream(true).start();
            p.getOutputStream().write(input.toString().getBytes(StandardCharsets.US_ASCII));
            p.getOutputStream().close();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assumeTrue(!out.contains("No module named 'spf'"), "python3-spf is not installed (apt-get install python3-spf)");
            List<String> theirs = out.lines().toList();
            assertThat(theirs).as(out).hasSize(CASES.length);
            assertThat(theirs).contains("pass", "fail", "softfail", "neutral", "none", "permerror", "temperror");

            SpfCheck ours = new SpfCheck(new DnsjavaResolver(dns.address(), Duration.ofSeconds(5)),
                    new DnsjavaPtrLookup(dns.address(), Duration.ofSeconds(5)), "mx.receiver.test", Clock.systemUTC());
            List<String> mismatches = new ArrayList<>();
            for (int i = 0; i < CASES.length; i++) {
                String[] c = CASES[i];
                SpfVerdict v = ours.check(InetAddress.getByName(c[0]), "helo.test", c[1].equals("-") ? null : c[1]);
                if (!v.result().token().equals(theirs.get(i))) {
                    mismatches.add(c[0] + " " + c[1] + ": postern " + v.result().token() + " (" + v.explanation() + "), pyspf " + theirs.get(i));
                }
            }
            assertThat(mismatches).isEmpty();
        }
    }

}
