// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.postern.autoconfig.MtaStsPolicy;
import org.postern.autoconfig.acme.AcmeRenewal;
import org.postern.dns.DnsjavaResolver;
import org.postern.mailauth.spf.DnsjavaPtrLookup;
import org.postern.server.cli.PortProbe.Finding;
import org.postern.server.cli.PortProbe.Level;
import org.postern.server.config.Service;
import org.postern.store.MailStore;

/**
 * The checks of {@code postern doctor}, as data: the CLI prints the {@link Report}, the admin page
 * renders it as JSON. Every port the way clients meet it ({@link PortProbe}), each distinct
 * certificate ({@link CertificateReport}), outbound port 25, and DNS ({@link DnsReport}).
 */
public final class Doctor {
    static final List<Service> PROBED = List.of(Service.SMTP, Service.SUBMISSION, Service.SUBMISSIONS, Service.IMAP,
            Service.IMAPS, Service.POP3, Service.POP3S, Service.HTTPS, Service.HTTP);

    /**
     * @param address where to connect
     * @param clientName the host name clients use (SNI, certificate name, DNS)
     * @param ports the port of each service in {@link #PROBED}
     * @param outboundProbe HOST:PORT of a mail server outside to try; empty skips the check
     * @param dnsServer the resolver to ask; empty skips the DNS checks
     * @param selfSignedPolicy whether the MTA-STS policy is the one served with a self-signed certificate
     * @param acme present when acme = on: certificate advice is then about the renewal
     */
    public record Options(String address, String clientName, Map<Service, Integer> ports, Duration timeout,
            boolean plaintextAuthAllowed, Optional<String> outboundProbe, Optional<InetSocketAddress> dnsServer,
            boolean selfSignedPolicy, Optional<Acme> acme) {}

    /**
     * The ACME side of the certificate.
     *
     * @param challenge "http-01" or "tls-alpn-01"
     * @param configuredNames acme_names of postern.conf; empty when Postern picks the names
     * @param lastError the last failed renewal (the running server's, or what it left in DATA/acme)
     */
    public record Acme(String challenge, List<String> configuredNames, Optional<AcmeRenewal.Failure> lastError) {}

    /** One heading of the report (a port, a certificate, outbound, DNS for a name) and what was found there. */
    public record Section(String title, String where, List<Finding> findings) {}

    public record Report(List<Section> sections) {
        /** Every warning and problem, prefixed with where it was found, in report order. */
        public List<Finding> summary() {
            List<Finding> out = new ArrayList<>();
            for (Section s : sections) {
                for (Finding f : s.findings()) {
                    if (f.level() != Level.OK) out.add(new Finding(f.level(), s.where() + ": " + f.text()));
                }
            }
            return out;
        }

        public long failures() {
            return summary().stream().filter(f -> f.level() == Level.FAIL).count();
        }
    }

    private Doctor() {}

    /** @param store for the domain list and DKIM keys of the DNS checks; null skips the per-domain DNS checks */
    public static Report run(Options o, MailStore store, Clock clock) {
        List<Section> sections = new ArrayList<>();
        PortProbe probe = new PortProbe(o.address(), o.clientName(), o.timeout(), o.plaintextAuthAllowed());
        Map<String, List<Service>> certificates = new LinkedHashMap<>();
        Map<String, List<X509Certificate>> chains = new LinkedHashMap<>();
        Map<Service, Boolean> answered = new LinkedHashMap<>();
        for (Service s : PROBED) {
            PortProbe.Result raw = probe.probe(s, o.ports().get(s));
            answered.put(s, !raw.failed());
            boolean challengePort = o.acme().map(a -> a.challenge().equals("http-01")).orElse(false);
            PortProbe.Result r = s == Service.HTTP && !challengePort
                    ? optional(raw, "browsers typing the bare name and ACME http-01 validation need it") : raw;
            sections.add(new Section(s.key() + " (port " + r.port() + ": " + s.protocol() + ", " + s.tlsMode() + ")",
                    s.key() + " port " + r.port(), r.findings()));
            if (!r.chain().isEmpty()) {
                String fp = fingerprint(r.chain().get(0));
                certificates.computeIfAbsent(fp, k -> new ArrayList<>()).add(s);
                chains.putIfAbsent(fp, r.chain());
            }
        }
        List<String> otherNames = store == null ? List.of() : clientNames(o.clientName(), store.directory().domains());
        for (var e : certificates.entrySet()) {
            X509Certificate leaf = chains.get(e.getKey()).get(0);
            sections.add(new Section("certificate " + leaf.getSubjectX500Principal().getName() + " (SHA-256 "
                    + e.getKey().substring(0, 23) + "..., on " + String.join(", ", e.getValue().stream().map(Service::key).toList()) + ")",
                    "certificate", CertificateReport.check(chains.get(e.getKey()), o.clientName(), otherNames, clock.instant(),
                            o.acme())));
        }
        o.acme().ifPresent(a -> sections.add(new Section("acme (certificates from an ACME CA, " + a.challenge() + ")", "acme",
                acme(a, o.ports(), answered))));
        o.outboundProbe().ifPresent(p -> sections.add(new Section("outbound", "outbound", DoctorCommand.outbound(p, o.timeout()))));
        o.dnsServer().ifPresent(d -> dns(sections, o, d, store));
        return new Report(List.copyOf(sections));
    }

    private static void dns(List<Section> sections, Options o, InetSocketAddress resolver, MailStore store) {
        DnsReport report = new DnsReport(new DnsjavaResolver(resolver, o.timeout()), new DnsjavaPtrLookup(resolver, o.timeout()),
                o.clientName());
        sections.add(new Section("dns " + o.clientName() + " (asking " + resolver.getAddress().getHostAddress() + ":"
                + resolver.getPort() + ")", "dns", report.host()));
        if (store == null) return;
        MtaStsPolicy policy = MtaStsPolicy.forHost(o.clientName(), o.selfSignedPolicy());
        for (String domain : store.directory().domains().stream().sorted().toList()) {
            sections.add(new Section("dns " + domain, "dns " + domain, report.domain(domain, store.dkimKeys().keys(domain), policy)));
        }
    }

    /**
     * The names clients reach this server by: the host name, then autoconfig.D (Thunderbird's
     * autoconfig) and mta-sts.D (RFC 8461 §3.3 policy host) of every local domain D. Domains without a
     * dot (localhost) are left out: nothing outside this machine uses them.
     */
    public static List<String> clientNames(String hostname, List<String> localDomains) {
        List<String> names = new ArrayList<>();
        names.add(hostname.toLowerCase(Locale.ROOT));
        for (String d : localDomains.stream().map(x -> x.toLowerCase(Locale.ROOT)).sorted().toList()) {
            if (!d.contains(".")) continue;
            for (String n : List.of("autoconfig." + d, "mta-sts." + d)) {
                if (!names.contains(n)) names.add(n);
            }
        }
        return names;
    }

    /**
     * Can the CA validate? RFC 8555 §8.3: http-01 fetches from port 80; RFC 8737 §3: tls-alpn-01
     * connects to port 443. Only this machine's side can be checked from here.
     */
    static List<Finding> acme(Acme a, Map<Service, Integer> ports, Map<Service, Boolean> answered) {
        List<Finding> out = new ArrayList<>();
        boolean http01 = !a.challenge().equals("tls-alpn-01");
        Service s = http01 ? Service.HTTP : Service.HTTPS;
        int standard = http01 ? 80 : 443;
        int port = ports.get(s);
        if (!answered.getOrDefault(s, false)) {
            out.add(new Finding(Level.FAIL, "ACME " + a.challenge() + " validation needs the " + s.key() + " port, and port " + port
                    + " does not answer here (see above): the CA cannot validate, so no certificate is issued or renewed. Make Postern"
                    + " listen there (nothing else on port " + port + ": `ss -ltnp 'sport = :" + port + "'`), then open port " + standard
                    + " in the firewall" + (http01 ? ", or set acme_challenge = tls-alpn-01 to validate on port 443 instead" : "")));
        } else if (port != standard) {
            out.add(new Finding(Level.WARN, "the CA connects to port " + standard + " for " + a.challenge() + ", but Postern's "
                    + s.key() + " port is " + port + ": forward port " + standard + " to " + port + " (router or firewall rule)"));
        } else {
            out.add(new Finding(Level.OK, "port " + port + " answers here; the CA connects to it from the internet, so the"
                    + " firewall must let it in"));
        }
        a.lastError().ifPresentOrElse(
                f -> out.add(new Finding(Level.WARN, "the last renewal attempt failed: " + f.message() + " (at " + f.at()
                        + "); " + CertificateReport.acmeAdvice(new Acme(a.challenge(), a.configuredNames(), Optional.empty())))),
                () -> out.add(new Finding(Level.OK, "no failed renewal recorded")));
        return out;
    }

    /** A port whose absence is a warning, not a failure. */
    private static PortProbe.Result optional(PortProbe.Result r, String why) {
        List<Finding> softened = r.findings().stream()
                .map(f -> f.level() == Level.FAIL ? new Finding(Level.WARN, f.text() + " (" + why + ")") : f).toList();
        return new PortProbe.Result(r.service(), r.port(), softened, r.chain());
    }

    static String fingerprint(X509Certificate c) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()))
                    .toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            return "unknown";
        }
    }
}
