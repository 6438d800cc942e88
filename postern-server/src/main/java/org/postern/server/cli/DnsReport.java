// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.postern.autoconfig.MtaStsPolicy;
import org.postern.dns.DnsAnswer;
import org.postern.dns.DnsResolver;
import org.postern.dns.MxRecord;
import org.postern.mailauth.dkim.DkimKeyRecord;
import org.postern.mailauth.dkim.DkimSignature;
import org.postern.mailauth.spf.PtrLookup;
import org.postern.server.cli.PortProbe.Finding;
import org.postern.server.cli.PortProbe.Level;
import org.postern.store.DkimKeyStore;

/**
 * Compares what DNS says about a domain with what {@code postern dns} would publish: MX pointing
 * here, the host's addresses and their reverse names agreeing (receivers distrust mail from an
 * address whose PTR does not lead back), SPF (RFC 7208), each DKIM key (RFC 6376 §3.6.2.1),
 * DMARC (RFC 7489 §6.1), MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3).
 */
final class DnsReport {
    private final DnsResolver dns;
    private final PtrLookup ptr;
    private final String hostname;

    DnsReport(DnsResolver dns, PtrLookup ptr, String hostname) {
        this.dns = dns;
        this.ptr = ptr;
        this.hostname = hostname.toLowerCase(Locale.ROOT);
    }

    /** The host's forward and reverse records, checked once for all domains. */
    List<Finding> host() {
        List<Finding> out = new ArrayList<>();
        DnsAnswer<InetAddress> addresses = dns.addresses(hostname);
        if (addresses.status() == DnsAnswer.Status.TEMPORARY_FAILURE) {
            out.add(new Finding(Level.FAIL, "DNS does not answer for " + hostname + " (" + addresses.detail()
                    + "): check /etc/resolv.conf or outbound.dns_server"));
            return out;
        }
        if (!addresses.isFound()) {
            out.add(new Finding(Level.FAIL, hostname + " has no A/AAAA record: nobody can connect to this server by name;"
                    + " publish the A/AAAA records `postern dns DOMAIN` prints"));
            return out;
        }
        out.add(new Finding(Level.OK, hostname + " resolves to " + String.join(", ",
                addresses.records().stream().map(InetAddress::getHostAddress).toList())));
        for (InetAddress a : addresses.records()) {
            DnsAnswer<String> names = ptr.ptr(a);
            boolean back = names.records().stream().anyMatch(n -> strip(n).equals(hostname));
            if (back) {
                out.add(new Finding(Level.OK, "reverse DNS of " + a.getHostAddress() + " is " + hostname));
            } else {
                out.add(new Finding(Level.WARN, "reverse DNS (PTR) of " + a.getHostAddress() + " is "
                        + (names.isFound() ? String.join(", ", names.records()) : "missing") + ", not " + hostname
                        + ": many receivers reject or junk mail from such addresses; ask whoever runs the address"
                        + " (hosting or ISP) to set its reverse name to " + hostname));
            }
        }
        return out;
    }

    List<Finding> domain(String domain, List<DkimKeyStore.DkimKey> keys, MtaStsPolicy policy) {
        List<Finding> out = new ArrayList<>();
        String fix = " (`postern dns " + domain + "` prints the record)";
        DnsAnswer<MxRecord> mx = dns.mx(domain);
        List<String> exchanges = mx.records().stream().map(m -> strip(m.exchange())).toList();
        if (!mx.isFound()) {
            out.add(new Finding(Level.FAIL, "no MX record for " + domain + ": other servers cannot tell where to deliver its mail;"
                    + " publish `" + domain + ". MX 10 " + hostname + ".`" + fix));
        } else if (!exchanges.contains(hostname)) {
            out.add(new Finding(Level.FAIL, "the MX of " + domain + " is " + String.join(", ", exchanges) + ", not " + hostname
                    + ": its mail goes elsewhere; point the MX at " + hostname + " or set hostname in postern.conf"));
        } else {
            out.add(new Finding(Level.OK, "MX points at " + hostname));
        }
        List<String> txt = dns.txt(domain).records();
        List<String> spf = txt.stream().filter(t -> t.toLowerCase(Locale.ROOT).startsWith("v=spf1")).toList();
        if (spf.isEmpty()) {
            out.add(new Finding(Level.FAIL, "no SPF record for " + domain + ": receivers cannot tell our mail from forgeries and"
                    + " often junk it" + fix));
        } else if (spf.size() > 1) {
            out.add(new Finding(Level.FAIL, domain + " has " + spf.size() + " SPF records: RFC 7208 §4.5 makes that a permanent"
                    + " error; merge them into one"));
        } else {
            out.add(new Finding(Level.OK, "SPF: " + spf.get(0)));
        }
        if (keys.isEmpty()) {
            out.add(new Finding(Level.WARN, domain + " has no DKIM key yet: `postern dns " + domain + "` creates one and prints it"));
        }
        for (DkimKeyStore.DkimKey k : keys) {
            String name = k.selector() + "._domainkey." + domain;
            List<String> published = dns.txt(name).records();
            boolean match = published.stream().anyMatch(t -> samePublicKey(t, k.publicKey()));
            if (match) {
                out.add(new Finding(Level.OK, "DKIM key " + k.selector() + " published"));
            } else {
                out.add(new Finding(Level.FAIL, "DKIM key " + k.selector() + " is " + (published.isEmpty() ? "not published" : "published"
                        + " with a different key") + " at " + name + ": receivers cannot verify our signatures" + fix));
            }
        }
        List<String> dmarc = dns.txt("_dmarc." + domain).records().stream()
                .filter(t -> t.toUpperCase(Locale.ROOT).startsWith("V=DMARC1")).toList();
        out.add(dmarc.isEmpty()
                ? new Finding(Level.FAIL, "no DMARC record at _dmarc." + domain + ": large receivers (Gmail, Yahoo) require one" + fix)
                : new Finding(Level.OK, "DMARC: " + dmarc.get(0)));
        List<String> sts = dns.txt("_mta-sts." + domain).records().stream().filter(t -> t.startsWith("v=STSv1")).toList();
        if (sts.isEmpty()) {
            out.add(new Finding(Level.WARN, "no MTA-STS record at _mta-sts." + domain + ": senders cannot insist on TLS to us" + fix));
        } else if (sts.stream().noneMatch(t -> t.replace(" ", "").contains("id=" + policy.id()))) {
            out.add(new Finding(Level.FAIL, "the MTA-STS record of " + domain + " carries an old id: senders keep using the policy"
                    + " they cached; publish `" + policy.txtRecord() + "`"));
        } else {
            out.add(new Finding(Level.OK, "MTA-STS: " + sts.get(0)));
        }
        boolean tlsrpt = dns.txt("_smtp._tls." + domain).records().stream().anyMatch(t -> t.startsWith("v=TLSRPTv1"));
        out.add(tlsrpt ? new Finding(Level.OK, "TLS-RPT published")
                : new Finding(Level.WARN, "no TLS-RPT record at _smtp._tls." + domain + ": nobody tells you when TLS to us fails" + fix));
        return out;
    }

    private static boolean samePublicKey(String record, byte[] spki) {
        try {
            return Arrays.equals(DkimKeyRecord.parse(record).key().getEncoded(), spki);
        } catch (DkimSignature.DkimSyntaxException | RuntimeException e) {
            return false;
        }
    }

    private static String strip(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
