// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.time.Clock;
import java.nio.file.Files;
import org.postern.autoconfig.MtaStsPolicy;
import org.postern.dns.DnsjavaResolver;
import org.postern.mailauth.spf.DnsjavaPtrLookup;
import org.postern.server.cli.PortProbe.Finding;
import org.postern.server.cli.PortProbe.Level;
import org.postern.server.config.PortPlan;
import org.postern.server.config.ServerConfig;
import org.postern.server.config.Service;
import org.postern.store.MailStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code postern doctor}: checks the seven mail ports and HTTPS the way clients and other servers
 * meet them (DESIGN.md §6), then whether outbound port 25 works and DNS holds the records of
 * {@code postern dns} for every domain ({@link DnsReport}), and explains each problem with its usual
 * fix. Plain text; exit code 1 when anything failed, 0 when only warnings remain. It reads the store
 * only for the domain list and DKIM keys, so it works beside a running server.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check every port, the certificate, outbound port 25 and DNS; explain each problem and its fix.")
public final class DoctorCommand implements Callable<Integer> {
    public static final String DEFAULT_OUTBOUND_PROBE = "gmail-smtp-in.l.google.com:25";

    private final CliContext ctx;

    @Option(names = "--host", paramLabel = "H", description = "the address to connect to (default: listen_address of "
            + "postern.conf, or this machine when that is 0.0.0.0 or ::)")
    String host;
    @Option(names = "--name", paramLabel = "NAME", description = "the host name clients use, checked against the "
            + "certificate (default: hostname of postern.conf)")
    String name;
    @Option(names = "--port-offset", paramLabel = "N", description = "the offset the server runs with (default: as postern.conf "
            + "says; 'auto' is judged the way serve judges it)")
    Integer portOffset;
    @Option(names = "--port", paramLabel = "SERVICE=PORT", description = "the actual port of one service, e.g. smtp=2525 "
            + "(repeatable; overrides the offset)")
    Map<String, Integer> ports = new LinkedHashMap<>();
    @Option(names = "--timeout", paramLabel = "SECONDS", description = "how long to wait for each answer (default: 5)")
    int timeoutSeconds = 5;
    @Option(names = "--outbound-probe", paramLabel = "HOST:PORT", description = "a mail server outside to try port 25 of "
            + "(default: " + DEFAULT_OUTBOUND_PROBE + ")")
    String outboundProbe = DEFAULT_OUTBOUND_PROBE;
    @Option(names = "--no-outbound", description = "skip the outbound port 25 check")
    boolean noOutbound;
    @Option(names = "--no-dns", description = "skip the DNS checks (MX, A/AAAA and PTR, SPF, DKIM, DMARC, MTA-STS, TLS-RPT)")
    boolean noDns;
    @Option(names = "--dns-server", paramLabel = "IP[:PORT]", description = "the DNS server to ask (default: outbound.dns_server"
            + " of postern.conf, else the system's)")
    String dnsServer;

    public DoctorCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (timeoutSeconds < 1 || timeoutSeconds > 300) throw CliFailure.usage("--timeout must be from 1 to 300 seconds");
        ServerConfig config = ctx.config();
        String address = host != null ? host : connectAddress(config.listenAddress());
        String clientName = name != null ? name : config.hostname();
        Map<Service, Integer> plan = ports(config);
        PrintStream out = ctx.out();
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        Optional<InetSocketAddress> resolver = Optional.empty();
        if (!noDns) {
            String server = dnsServer != null ? dnsServer : config.outbound().dnsServer();
            try {
                resolver = Optional.of(server.isEmpty() ? DnsjavaResolver.systemServer() : dnsAddress(server));
            } catch (UnknownHostException | RuntimeException e) {
                throw CliFailure.usage("--dns-server must be IP or IP:PORT");
            }
        }
        if (!noOutbound) probeAddress(outboundProbe);
        out.println("Postern doctor: checking " + clientName + " at " + address);
        out.println();
        Doctor.Options options = new Doctor.Options(address, clientName, plan, timeout, config.allowPlaintextAuth(),
                noOutbound ? Optional.empty() : Optional.of(outboundProbe), resolver,
                config.tlsCert().isEmpty() && !config.certificates().acme(), acme(config));
        Doctor.Report report;
        // The store gives the domains (for the certificate's names and DNS) and DKIM keys.
        MailStore store = null;
        if (Files.isDirectory(ctx.dataDir())) {
            try {
                store = ctx.openStore();
            } catch (RuntimeException e) {
                // The port checks need no store; say what is skipped rather than stop.
                out.println("(cannot open the store in " + ctx.dataDir() + ": " + e.getMessage()
                        + "; the per-domain certificate and DNS checks are skipped)");
                out.println();
            }
        }
        try {
            report = Doctor.run(options, store, Clock.systemUTC());
        } finally {
            if (store != null) store.close();
        }
        for (Doctor.Section s : report.sections()) {
            out.println(s.title());
            for (Finding f : s.findings()) print(out, f);
            out.println();
        }
        List<Finding> summary = report.summary();
        long failures = report.failures();
        long warnings = summary.size() - failures;
        out.println("Summary: " + (failures == 0 && warnings == 0 ? "everything works."
                : failures + (failures == 1 ? " problem" : " problems") + ", " + warnings + (warnings == 1 ? " warning" : " warnings")));
        for (Finding f : summary) out.println("  " + (f.level() == Level.FAIL ? "PROBLEM " : "warning ") + f.text());
        return failures == 0 ? 0 : CliFailure.FAILED;
    }

    /** With acme = on: the challenge, acme_names, and the last failure the server left in DATA/acme. */
    private Optional<Doctor.Acme> acme(ServerConfig config) {
        var c = config.certificates();
        if (!c.acme()) return Optional.empty();
        return Optional.of(new Doctor.Acme(c.challenge(), c.names(),
                org.postern.autoconfig.acme.AcmeRenewal.readLastError(ctx.dataDir().resolve("acme"))));
    }

    /** IP, IP:PORT or [IPv6]:PORT; an IP literal, so finding the DNS server needs no DNS. */
    static InetSocketAddress dnsAddress(String s) throws UnknownHostException {
        String h = s;
        int port = 53;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            h = s.substring(1, close);
            if (close + 1 < s.length()) port = Integer.parseInt(s.substring(close + 2));
        } else if (s.indexOf(':') > 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            h = s.substring(0, s.indexOf(':'));
            port = Integer.parseInt(s.substring(s.indexOf(':') + 1));
        }
        if (!h.matches("[0-9a-fA-F:.]+") || port < 1 || port > 65535) throw new UnknownHostException(s);
        return new InetSocketAddress(InetAddress.getByName(h), port);
    }

    private static void print(PrintStream out, Finding f) {
        out.println("  " + switch (f.level()) {
            case OK -> "ok     ";
            case WARN -> "warning";
            case FAIL -> "PROBLEM";
        } + " " + f.text());
    }

    /** The port of a HOST[:PORT] probe target; a usage error when it is not a number. */
    static int probeAddress(String outboundProbe) {
        int colon = outboundProbe.lastIndexOf(':');
        try {
            int p = colon > 0 ? Integer.parseInt(outboundProbe.substring(colon + 1)) : 25;
            if (p >= 1 && p <= 65535) return p;
        } catch (NumberFormatException e) {
            // the usage message below
        }
        throw CliFailure.usage("--outbound-probe must be HOST:PORT");
    }

    /** The configured ports with the offset serve would use, then the --port overrides. */
    Map<Service, Integer> ports(ServerConfig config) {
        InetAddress listen;
        try {
            listen = InetAddress.getByName(config.listenAddress());
        } catch (UnknownHostException e) {
            throw CliFailure.failed("listen_address " + config.listenAddress() + " is not an address");
        }
        int offset = PortPlan.offset(portOffset == null ? OptionalInt.empty() : OptionalInt.of(portOffset), config.portOffset(),
                config.ports(), p -> PortPlan.mayBind(listen, p));
        Map<Service, Integer> plan = new EnumMap<>(PortPlan.apply(config.ports(), offset));
        for (var e : ports.entrySet()) {
            Service s;
            try {
                s = Service.byKey(e.getKey().strip());
            } catch (IllegalArgumentException ex) {
                throw CliFailure.usage("--port: no service named " + e.getKey() + " (smtp, submission, submissions, imap, imaps,"
                        + " pop3, pop3s, https, http)");
            }
            if (e.getValue() < 1 || e.getValue() > 65535) throw CliFailure.usage("--port " + e.getKey() + ": not a port number");
            plan.put(s, e.getValue());
        }
        return plan;
    }

    public static String connectAddress(String listen) {
        return switch (listen) {
            case "0.0.0.0", "" -> "127.0.0.1";
            case "::", "[::]" -> "::1";
            default -> listen;
        };
    }

    /**
     * Can this machine deliver to other servers? RFC 5321 §4.5.4.1: delivery is to port 25 of the
     * recipient's MX; many ISPs and cloud providers block it outbound to stop spam from infected hosts.
     */
    static List<Finding> outbound(String outboundProbe, Duration timeout) {
        List<Finding> out = new ArrayList<>();
        int colon = outboundProbe.lastIndexOf(':');
        String h = colon > 0 ? outboundProbe.substring(0, colon) : outboundProbe;
        int p = probeAddress(outboundProbe);
        InetAddress target;
        try {
            target = InetAddress.getByName(h);
            out.add(new Finding(Level.OK, "DNS resolves " + h));
        } catch (UnknownHostException e) {
            out.add(new Finding(Level.FAIL, "cannot resolve " + h + ": DNS does not work from this machine, so no mail can"
                    + " leave; check /etc/resolv.conf (or outbound.dns_server in postern.conf)"));
            return out;
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(target, p), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            byte[] greeting = s.getInputStream().readNBytes(3);
            if (new String(greeting, java.nio.charset.StandardCharsets.US_ASCII).equals("220")) {
                out.add(new Finding(Level.OK, "outbound port " + p + " works: " + h + " greeted us"));
            } else {
                out.add(new Finding(Level.WARN, h + ":" + p + " answered without an SMTP greeting: something between us and the"
                        + " internet intercepts port " + p));
            }
        } catch (ConnectException | SocketTimeoutException e) {
            out.add(new Finding(Level.FAIL, "outbound port " + p + " blocked: cannot reach " + h + ":" + p + " ("
                    + (e instanceof ConnectException ? "refused" : "no answer within " + timeout.toSeconds() + "s")
                    + "); your ISP or cloud provider probably blocks port " + p + " to stop spam. Ask them to unblock it,"
                    + " or send through their relay: set outbound.smarthost = HOST:587 (or :465) in postern.conf"));
        } catch (IOException e) {
            out.add(new Finding(Level.FAIL, "outbound port " + p + " to " + h + " failed: " + e.getMessage()
                    + "; set outbound.smarthost in postern.conf to send through a relay"));
        }
        return out;
    }


}
