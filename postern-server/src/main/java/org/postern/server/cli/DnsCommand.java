// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.postern.autoconfig.ClientSettings;
import org.postern.autoconfig.MtaStsPolicy;
import org.postern.mailauth.dkim.DkimSignature;
import org.postern.mailauth.dkim.DkimSigningKey;
import org.postern.server.config.ServerConfig;
import org.postern.server.config.Service;
import org.postern.store.DkimKeyStore;
import org.postern.store.MailStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code postern dns DOMAIN}: every record to publish for a domain, in zone-file syntax so they can
 * be pasted into a zone or read off into a provider's form: MX, A/AAAA of the host, SPF (RFC 7208),
 * DKIM (RFC 6376, Ed25519 RFC 8463), DMARC (RFC 7489), MTA-STS (RFC 8461 §3.1), TLS-RPT (RFC 8460
 * §3), the autoconfig/autodiscover/mta-sts names, and the SRV records of RFC 6186 and RFC 8314 §5.1.
 * Creates the DKIM keys when the domain has none.
 */
@Command(name = "dns", description = "Print the DNS records to publish for DOMAIN (MX, A/AAAA, SPF, DKIM, DMARC, MTA-STS, "
        + "TLS-RPT, autoconfig names, SRV).", mixinStandardHelpOptions = true)
public final class DnsCommand implements java.util.concurrent.Callable<Integer> {
    static final long TTL = 3600;
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyyMM").withZone(ZoneOffset.UTC);

    private final CliContext ctx;
    @Parameters(paramLabel = "DOMAIN")
    String domain;
    @Option(names = "--address", paramLabel = "IP", description = "a public address of this server for the A/AAAA records "
            + "(repeatable; default: the public addresses of this machine's interfaces)")
    List<InetAddress> addresses = new ArrayList<>();

    public DnsCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    /** What the records are made of, besides the store's DKIM keys. */
    record Inputs(String hostname, ClientSettings ports, int smtpPort, MtaStsPolicy mtaSts, List<InetAddress> addresses) {
        /**
         * The ports the configuration says the server listens on: with an explicit port_offset they are
         * shifted (SRV records can carry any port); with "auto" the standard ports are assumed, which is
         * what a public server runs on.
         */
        static Inputs of(ServerConfig c, List<InetAddress> addresses) {
            int off = c.portOffset().orElse(0);
            ClientSettings ports = new ClientSettings(c.hostname(), c.port(Service.IMAPS) + off, c.port(Service.IMAP) + off,
                    c.port(Service.POP3S) + off, c.port(Service.POP3) + off, c.port(Service.SUBMISSIONS) + off,
                    c.port(Service.SUBMISSION) + off);
            return new Inputs(c.hostname(), ports, c.port(Service.SMTP) + off, MtaStsPolicy.forHost(c.hostname(), c.tlsCert().isEmpty()),
                    addresses);
        }
    }

    @Override
    public Integer call() {
        String d = DomainCommand.domainArgument(domain);
        try (MailStore store = ctx.openStore()) {
            if (!store.directory().domains().contains(d)) throw CliFailure.failed("no domain " + d + " (add it with 'postern domain add " + d + "')");
            if (ensureKeys(store, d, Instant.now())) ctx.err().println("created DKIM keys for " + d);
            print(ctx.out(), store, d, Inputs.of(ctx.config(), addresses.isEmpty() ? publicAddresses() : addresses));
        }
        return 0;
    }

    /** Gives the domain an RSA 2048 and an Ed25519 key when it has no key yet; true when it created them. */
    static boolean ensureKeys(MailStore store, String domain, Instant now) {
        if (!store.dkimKeys().keys(domain).isEmpty()) return false;
        String month = MONTH.format(now);
        for (String algorithm : List.of(DkimSignature.RSA_SHA256, DkimSignature.ED25519_SHA256)) {
            String selector = (algorithm.equals(DkimSignature.RSA_SHA256) ? "postern-rsa-" : "postern-ed-") + month;
            DkimSigningKey k = DkimSigningKey.generate(domain, selector, algorithm);
            store.dkimKeys().add(new DkimKeyStore.DkimKey(domain, selector, algorithm, k.privateKeyPkcs8(), k.publicKeySpki(), now));
        }
        return true;
    }

    static void print(PrintStream out, MailStore store, String domain, Inputs in) {
        String hostname = in.hostname().toLowerCase(Locale.ROOT);
        String host = hostname.endsWith(".") ? hostname : hostname + ".";
        out.println("; DNS records for " + domain + ": publish them in the zone of " + domain);
        if (!hostname.contains(".") || hostname.equals("localhost")) {
            out.println("; warning: this server's hostname is '" + hostname + "'; set hostname in postern.conf to the public name"
                    + " the MX record should point at");
        }
        out.println("; MX: mail for " + domain + " goes to this server");
        out.println(line(domain, "MX", "10 " + host));
        if (in.smtpPort() != 25) {
            out.println("; warning: other servers deliver only to port 25 (MX has no port); this server's SMTP port is "
                    + in.smtpPort() + ": forward 25 to it or run without a port offset");
        }
        out.println("; A/AAAA: " + hostname + " (in its own zone) must point at this server's public addresses");
        if (in.addresses().isEmpty()) {
            out.println("; " + line(hostname, "A", "<public IPv4 address>") + "   (no public address found on this machine;"
                    + " pass --address IP)");
        }
        for (InetAddress a : in.addresses()) {
            out.println(line(hostname, a instanceof Inet6Address ? "AAAA" : "A", a.getHostAddress()));
        }
        out.println("; SPF (RFC 7208): only the MX hosts send mail from " + domain + " (add include:... for a relay you send through)");
        out.println(line(domain, "TXT", quoted(List.of("v=spf1 mx -all"))));
        for (DkimKeyStore.DkimKey k : store.dkimKeys().keys(domain)) {
            DkimSigningKey key = new DkimSigningKey(k.domain(), k.selector(), k.algorithm(), k.privateKey(), k.publicKey());
            out.println("; DKIM (RFC 6376" + (key.ed25519() ? ", RFC 8463" : "") + "): " + k.algorithm() + " key "
                    + k.selector() + ", created " + k.created());
            out.println(line(key.recordName(), "TXT", quoted(key.recordStrings())));
        }
        out.println("; DMARC (RFC 7489): receivers quarantine mail from " + domain + " that fails both SPF and DKIM");
        out.println(line("_dmarc." + domain, "TXT", quoted(List.of("v=DMARC1; p=quarantine; adkim=r; aspf=r; rua=mailto:postmaster@" + domain))));
        MtaStsPolicy sts = in.mtaSts();
        out.println("; MTA-STS (RFC 8461): senders require TLS to the MX; the policy (mode " + sts.mode().name().toLowerCase(Locale.ROOT)
                + (sts.mode() == MtaStsPolicy.Mode.TESTING ? ", because the certificate is self-signed" : "")
                + ") is served at https://mta-sts." + domain + MtaStsPolicy.PATH + ": the certificate must cover mta-sts." + domain);
        out.println(line("_mta-sts." + domain, "TXT", quoted(List.of(sts.txtRecord()))));
        out.println(line("mta-sts." + domain, "CNAME", host));
        out.println("; TLS-RPT (RFC 8460): where senders report TLS failures");
        out.println(line("_smtp._tls." + domain, "TXT", quoted(List.of("v=TLSRPTv1; rua=mailto:postmaster@" + domain))));
        out.println("; client autoconfiguration: Thunderbird (autoconfig) and Outlook (autodiscover) ask these names");
        out.println(line("autoconfig." + domain, "CNAME", host));
        out.println(line("autodiscover." + domain, "CNAME", host));
        out.println("; SRV (RFC 6186, RFC 8314 §5.1): where mail clients connect; a lower priority is preferred,"
                + " so implicit TLS comes first");
        ClientSettings p = in.ports();
        out.println(srv("_imaps", domain, 0, p.imaps(), host));
        out.println(srv("_pop3s", domain, 10, p.pop3s(), host));
        out.println(srv("_submissions", domain, 0, p.submissions(), host));
        out.println(srv("_imap", domain, 20, p.imap(), host));
        out.println(srv("_pop3", domain, 30, p.pop3(), host));
        out.println(srv("_submission", domain, 10, p.submission(), host));
    }

    private static String srv(String service, String domain, int priority, int port, String host) {
        return line(service + "._tcp." + domain, "SRV", priority + " 1 " + port + " " + host);
    }

    private static String line(String name, String type, String data) {
        return name + ".\t" + TTL + "\tIN\t" + type + "\t" + data;
    }

    /** RFC 1035 §5.1 character-strings; a record longer than 255 octets is several of them. */
    private static String quoted(List<String> parts) {
        List<String> q = new ArrayList<>();
        for (String p : parts) q.add('"' + p.replace("\\", "\\\\").replace("\"", "\\\"") + '"');
        return String.join(" ", q);
    }

    /** Global unicast addresses of this machine's interfaces: no loopback, link-local, private or ULA ranges. */
    static List<InetAddress> publicAddresses() {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp() || ni.isLoopback()) continue;
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (isPublic(a)) out.add(a instanceof Inet6Address v6 ? withoutScope(v6) : a);
                }
            }
        } catch (SocketException e) {
            return List.of();
        }
        out.sort((x, y) -> Boolean.compare(x instanceof Inet6Address, y instanceof Inet6Address));
        return out;
    }

    static boolean isPublic(InetAddress a) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            return !(b0 == 100 && b1 >= 64 && b1 < 128) // RFC 6598 shared address space (carrier NAT)
                    && !(b0 == 192 && b1 == 0 && (b[2] & 0xff) == 2) && b0 != 0;
        }
        return (b[0] & 0xfe) != 0xfc // RFC 4193 unique local
                && !((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8);
    }

    private static InetAddress withoutScope(Inet6Address a) {
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (java.net.UnknownHostException e) {
            return a;
        }
    }
}
