// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.spf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.postern.dns.DnsAnswer;
import org.postern.dns.DnsResolver;
import org.postern.dns.MxRecord;
import org.postern.mailauth.spf.SpfRecordParser.SpfSyntaxException;

/**
 * RFC 7208 §4: check_host() for the MAIL FROM identity, or the HELO identity when MAIL FROM is null
 * (§2.4). Thread-safe; each call keeps its own look-up counters.
 */
public final class SpfCheck {
    /** §4.6.4: terms that cause DNS queries, per evaluation including nested include/redirect. */
    public static final int MAX_DNS_TERMS = 10;
    /** §4.6.4: names looked up per MX or PTR answer. */
    public static final int MAX_NAMES = 10;
    /** §4.6.4: look-ups answering NXDOMAIN or no records. */
    public static final int MAX_VOID_LOOKUPS = 2;
    /** §4.6.4: an overall time limit of at least 20 seconds; beyond it the result is temperror. */
    public static final long MAX_SECONDS = 20;

    private final DnsResolver dns;
    private final PtrLookup ptr;
    private final String receiver;
    private final Clock clock;

    public SpfCheck(DnsResolver dns, String receiver, Clock clock) {
        this(dns, PtrLookup.NONE, receiver, clock);
    }

    public SpfCheck(DnsResolver dns, PtrLookup ptr, String receiver, Clock clock) {
        this.dns = dns;
        this.ptr = ptr;
        this.receiver = receiver;
        this.clock = clock;
    }

    /**
     * Checks the MAIL FROM identity, or the HELO identity when {@code mailFrom} is null (the null
     * reverse-path of bounces, §2.4).
     *
     * @param mailFrom local@domain, or null
     */
    public SpfVerdict check(InetAddress ip, String helo, String mailFrom) {
        if (mailFrom == null || mailFrom.isEmpty()) {
            if (helo == null || helo.isEmpty()) return new SpfVerdict(SpfResult.NONE, "helo", "", "", "no identity");
            String h = helo.toLowerCase(Locale.ROOT);
            return run(ip, h, "postmaster@" + h, helo, "helo", helo);
        }
        int at = mailFrom.lastIndexOf('@');
        String local = at <= 0 ? "postmaster" : mailFrom.substring(0, at); // §4.3: empty local-part
        String domain = mailFrom.substring(at + 1).toLowerCase(Locale.ROOT);
        return run(ip, domain, local + "@" + domain, helo, "mailfrom", mailFrom);
    }

    private SpfVerdict run(InetAddress ip, String domain, String sender, String helo, String identity, String shown) {
        Evaluation e = new Evaluation(ip);
        SpfMacro.Context ctx = new SpfMacro.Context(ip, sender, domain, helo, receiver, clock.instant().getEpochSecond(),
                e::validatedName);
        Outcome o;
        try {
            o = e.checkHost(domain, ctx);
        } catch (Abort a) {
            o = new Outcome(a.result, a.getMessage());
        }
        return new SpfVerdict(o.result, identity, domain, shown, o.explanation);
    }

    private record Outcome(SpfResult result, String explanation) {}

    /** Ends an evaluation with permerror or temperror from any depth. */
    private static final class Abort extends Exception {
        final SpfResult result;

        Abort(SpfResult result, String why) {
            super(why, null, false, false);
            this.result = result;
        }
    }

    /** One check_host() evaluation with its shared limits. */
    private final class Evaluation {
        final InetAddress ip;
        int dnsTerms;
        int voids;
        List<String> validated;

        Evaluation(InetAddress ip) {
            this.ip = ip;
        }
        final long deadline = System.nanoTime() + MAX_SECONDS * 1_000_000_000L;

        /** Before every DNS question: a slow resolver cannot hold the session for ever. */
        private void tick() throws Abort {
            if (System.nanoTime() - deadline > 0) throw new Abort(SpfResult.TEMPERROR, "SPF evaluation took over " + MAX_SECONDS + " s");
        }

        Outcome checkHost(String domain, SpfMacro.Context ctx) throws Abort {
            // §4.3: a malformed or single-label domain has no policy
            if (!validDomain(domain)) return new Outcome(SpfResult.NONE, "invalid domain " + domain);
            tick();
            DnsAnswer<String> txt = dns.txt(domain);
            if (txt.status() == DnsAnswer.Status.TEMPORARY_FAILURE) throw new Abort(SpfResult.TEMPERROR, txt.detail());
            List<String> spf = txt.records().stream().filter(SpfRecordParser::isSpfRecord).toList();
            if (spf.isEmpty()) return new Outcome(SpfResult.NONE, "no SPF record for " + domain);
            if (spf.size() > 1) throw new Abort(SpfResult.PERMERROR, "several SPF records for " + domain); // §4.5
            SpfRecord rec;
            try {
                rec = SpfRecordParser.parse(spf.get(0));
            } catch (SpfSyntaxException ex) {
                throw new Abort(SpfResult.PERMERROR, ex.getMessage());
            }
            SpfMacro.Context here = ctx.withDomain(domain);
            for (SpfRecord.Directive d : rec.directives()) {
                if (matches(d.mechanism(), here)) {
                    SpfResult r = SpfResult.ofQualifier(d.qualifier());
                    return new Outcome(r, r == SpfResult.FAIL ? explanation(rec, here) : "");
                }
            }
            if (rec.redirect() != null) {
                countTerm();
                String target = expand(rec.redirect(), here);
                Outcome o = checkHost(target, ctx);
                // §6.1: a redirect to a domain without a record is permerror
                if (o.result == SpfResult.NONE) throw new Abort(SpfResult.PERMERROR, "redirect to " + target + " has no SPF record");
                return o;
            }
            return new Outcome(SpfResult.NEUTRAL, ""); // §4.7
        }

        private boolean matches(SpfRecord.Mechanism m, SpfMacro.Context ctx) throws Abort {
            if (m.queriesDns()) countTerm();
            InetAddress ip = ctx.ip();
            return switch (m) {
                case SpfRecord.All all -> true;
                case SpfRecord.Ip4 n -> ip instanceof Inet4Address && inNetwork(ip, n.network(), n.prefix());
                case SpfRecord.Ip6 n -> !(ip instanceof Inet4Address) && inNetwork(ip, n.network(), n.prefix());
                case SpfRecord.A a -> {
                    String target = target(a.domainSpec(), ctx);
                    yield anyInNetwork(addresses(target, ip, true), ip, a.cidr4(), a.cidr6());
                }
                case SpfRecord.Mx mx -> {
                    String target = target(mx.domainSpec(), ctx);
                    tick();
                    DnsAnswer<MxRecord> answer = dns.mx(target);
                    if (!checkVoid(answer)) yield false;
                    List<MxRecord> hosts = answer.records();
                    if (hosts.size() > MAX_NAMES) throw new Abort(SpfResult.PERMERROR, "more than 10 MX names for " + target);
                    boolean any = false;
                    for (MxRecord r : hosts) {
                        if (r.exchange().isEmpty()) continue; // RFC 7505 null MX
                        if (anyInNetwork(addresses(r.exchange(), ip, false), ip, mx.cidr4(), mx.cidr6())) {
                            any = true;
                            break;
                        }
                    }
                    yield any;
                }
                case SpfRecord.Ptr p -> {
                    String target = target(p.domainSpec(), ctx);
                    yield validatedNames().stream().anyMatch(n -> n.equals(target) || n.endsWith("." + target));
                }
                case SpfRecord.Exists x -> {
                    String target = expand(x.domainSpec(), ctx);
                    tick();
                    DnsAnswer<InetAddress> answer = dns.a(target); // §5.7: always A, whatever the client's family
                    yield checkVoid(answer);
                }
                case SpfRecord.Include inc -> {
                    String target = expand(inc.domainSpec(), ctx);
                    Outcome o = checkHost(target, ctx);
                    // §5.2 table
                    yield switch (o.result) {
                        case PASS -> true;
                        case FAIL, SOFTFAIL, NEUTRAL -> false;
                        case TEMPERROR -> throw new Abort(SpfResult.TEMPERROR, o.explanation);
                        case PERMERROR, NONE -> throw new Abort(SpfResult.PERMERROR, "include:" + target + ": " + o.result.token());
                    };
                }
            };
        }

        /**
         * §5.5: the PTR names of the client whose own addresses include it, from the first 10 names;
         * DNS errors only drop names (a failed PTR query makes ptr not match). Asked once per evaluation.
         */
        private List<String> validatedNames() {
            if (validated != null) return validated;
            validated = new ArrayList<>();
            if (System.nanoTime() - deadline > 0) return validated;
            DnsAnswer<String> names = ptr.ptr(ip);
            for (String name : names.records().subList(0, Math.min(MAX_NAMES, names.records().size()))) {
                if (System.nanoTime() - deadline > 0) break;
                DnsAnswer<InetAddress> a = ip instanceof Inet4Address ? dns.a(name) : dns.aaaa(name);
                if (a.records().contains(ip)) validated.add(name.toLowerCase(Locale.ROOT));
            }
            return validated;
        }

        /** §7.3 %{p}: a validated name equal to, else under, the domain, else any, else "unknown". */
        String validatedName(String domain) {
            List<String> names = validatedNames();
            for (String n : names) {
                if (n.equals(domain)) return n;
            }
            for (String n : names) {
                if (n.endsWith("." + domain)) return n;
            }
            return names.isEmpty() ? "unknown" : names.get(0);
        }

        private List<InetAddress> addresses(String host, InetAddress ip, boolean primary) throws Abort {
            tick();
            DnsAnswer<InetAddress> answer = ip instanceof Inet4Address ? dns.a(host) : dns.aaaa(host);
            if (primary) {
                checkVoid(answer);
            } else if (answer.status() == DnsAnswer.Status.TEMPORARY_FAILURE) {
                throw new Abort(SpfResult.TEMPERROR, answer.detail());
            }
            return answer.records();
        }

        /** True when the answer has records; counts void answers; temperror on DNS trouble. */
        private boolean checkVoid(DnsAnswer<?> answer) throws Abort {
            if (answer.status() == DnsAnswer.Status.TEMPORARY_FAILURE) throw new Abort(SpfResult.TEMPERROR, answer.detail());
            if (answer.isFound()) return true;
            if (++voids > MAX_VOID_LOOKUPS) throw new Abort(SpfResult.PERMERROR, "more than 2 void look-ups");
            return false;
        }

        private void countTerm() throws Abort {
            if (++dnsTerms > MAX_DNS_TERMS) throw new Abort(SpfResult.PERMERROR, "more than 10 DNS look-ups");
        }

        private String target(String spec, SpfMacro.Context ctx) throws Abort {
            return spec == null ? ctx.domain() : expand(spec, ctx);
        }

        private String expand(String spec, SpfMacro.Context ctx) throws Abort {
            try {
                String d = SpfMacro.expandDomain(spec, ctx);
                if (!validDomain(d)) throw new Abort(SpfResult.PERMERROR, "invalid domain " + d);
                return d;
            } catch (SpfSyntaxException e) {
                throw new Abort(SpfResult.PERMERROR, e.getMessage());
            }
        }

        /** §6.2: any problem with the explanation only means there is none. */
        private String explanation(SpfRecord rec, SpfMacro.Context ctx) {
            if (rec.exp() == null) return "";
            try {
                String target = SpfMacro.expandDomain(rec.exp(), ctx);
                if (!validDomain(target)) return "";
                DnsAnswer<String> txt = dns.txt(target);
                if (txt.records().size() != 1) return "";
                String text = SpfMacro.expand(txt.records().get(0), ctx, true);
                for (int i = 0; i < text.length(); i++) {
                    if (text.charAt(i) < 0x20 || text.charAt(i) > 0x7e) return ""; // §6.2: US-ASCII only
                }
                return text.length() > 512 ? text.substring(0, 512) : text;
            } catch (SpfSyntaxException e) {
                return "";
            }
        }
    }

    static boolean validDomain(String d) {
        if (d.isEmpty() || d.length() > 253) return false;
        String[] labels = d.split("\\.", -1);
        if (labels.length < 2) return false;
        for (String l : labels) {
            if (l.isEmpty() || l.length() > 63) return false;
        }
        return true;
    }

    private static boolean anyInNetwork(List<InetAddress> addresses, InetAddress ip, int cidr4, int cidr6) {
        for (InetAddress a : addresses) {
            if (inNetwork(ip, a, ip instanceof Inet4Address ? cidr4 : cidr6)) return true;
        }
        return false;
    }

    static boolean inNetwork(InetAddress ip, InetAddress network, int prefix) {
        byte[] a = ip.getAddress();
        byte[] n = network.getAddress();
        if (a.length != n.length) return false;
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != n[i]) return false;
        }
        int rest = prefix % 8;
        if (rest == 0) return true;
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (n[full] & mask);
    }
}
