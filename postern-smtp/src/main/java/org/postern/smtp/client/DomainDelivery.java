// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one message to the recipients of one destination domain: looks the route up, then tries
 * the hosts in order (RFC 5321 §5.1) until one session settles the recipients; all recipients go
 * over that one connection. Only connection-level failures move on to the next host; a per-recipient
 * 4xx or 5xx is that recipient's result.
 *
 * <p>With a {@link Smarthost} every message goes to that relay instead, whatever its domain: no MX
 * or MTA-STS look-up, TLS required, AUTH after TLS ({@link ClientSession#openSmarthost}).
 */
public final class DomainDelivery {
    private static final Logger log = LoggerFactory.getLogger(DomainDelivery.class);

    private final MxResolver mx;
    private final SmtpClientConfig config;
    private final MtaStsResolver mtaSts;
    private final Smarthost smarthost;

    /**
     * With MTA-STS (RFC 8461) through the resolver's DNS, the JDK's trust and an in-memory policy cache;
     * give an {@link MtaStsResolver} with a cache folder ({@link MtaStsResolver#standard}) so policies
     * survive restarts.
     */
    public DomainDelivery(MxResolver mx, SmtpClientConfig config) {
        this(mx, config, MtaStsResolver.standard(mx.dns(), null, config.verifiedTls()));
    }

    /** {@code mtaSts} null: no MTA-STS (RFC 8461) look-ups. */
    public DomainDelivery(MxResolver mx, SmtpClientConfig config, MtaStsResolver mtaSts) {
        this(mx, config, mtaSts, null);
    }

    private DomainDelivery(MxResolver mx, SmtpClientConfig config, MtaStsResolver mtaSts, Smarthost smarthost) {
        this.mx = mx;
        this.config = config;
        this.mtaSts = mtaSts;
        this.smarthost = smarthost;
    }

    /** Sends every message through {@code relay} (the {@code domain} of {@link #deliver} only names the attempt). */
    public static DomainDelivery viaSmarthost(SmtpClientConfig config, Smarthost relay) {
        return new DomainDelivery(null, config, null, relay);
    }

    /** The relay all mail goes through, or null when mail goes to each domain's MX hosts. */
    public Smarthost smarthost() {
        return smarthost;
    }

    public SmtpClientConfig config() {
        return config;
    }

    /** One result per recipient of {@code message}, in its order. Never throws for network trouble. */
    public List<RecipientResult> deliver(String domain, OutboundMessage message) {
        MessageFramer.Content scan;
        try (InputStream in = message.content().open()) {
            scan = MessageFramer.scan(in);
        } catch (IOException e) {
            log.warn("cannot read the message for {}: {}", domain, e.toString());
            return all(message, RecipientResult.Outcome.TEMPORARY, "4.3.0", "cannot read the stored message: " + e, "", false);
        }
        if (smarthost != null) return viaSmarthost(message, scan);
        Route route = mx.route(domain);
        return switch (route) {
            case Route.Unroutable u -> all(message, RecipientResult.Outcome.PERMANENT, u.status(), u.reason(), "", false);
            case Route.TryLater t -> all(message, RecipientResult.Outcome.TEMPORARY, "4.4.3", t.reason(), "", false);
            case Route.Hosts h -> viaHosts(domain, h, message, scan, tlsRequiredNo(message) ? null : policy(domain));
        };
    }

    private List<RecipientResult> viaSmarthost(OutboundMessage message, MessageFramer.Content scan) {
        List<InetAddress> addresses;
        try {
            // The operator's name for the relay, resolved as the operating system does (hosts file, DNS).
            addresses = List.of(InetAddress.getAllByName(smarthost.host()));
        } catch (java.net.UnknownHostException e) {
            return all(message, RecipientResult.Outcome.TEMPORARY, "4.4.3", "cannot resolve smarthost "
                    + smarthost.host() + ": " + e.getMessage(), "", false);
        }
        Route.Hosts route = new Route.Hosts(List.of(new Route.Host(smarthost.host(), addresses)));
        return viaHosts(smarthost.destination(), route, message, scan, null);
    }

    /**
     * RFC 8689 §4.2.2: "TLS-Required: No" asks the sender to ignore the recipient's TLS policy
     * (MTA-STS); with REQUIRETLS the header is ignored (§4.1). Only the header section is read, bounded.
     */
    static boolean tlsRequiredNo(OutboundMessage message) {
        if (message.options().requireTls()) return false;
        try (InputStream in = message.content().open()) {
            byte[] head = in.readNBytes(64 * 1024);
            String text = new String(head, java.nio.charset.StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end >= 0) text = text.substring(0, end + 2);
            for (String line : ("\r\n" + text).split("\r\n(?![ \t])")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase("TLS-Required")) {
                    return line.substring(colon + 1).replaceAll("\\s+", "").equalsIgnoreCase("No");
                }
            }
        } catch (IOException e) {
            // unreadable here means unreadable for the delivery too; the policy stays
        }
        return false;
    }

    private MtaStsPolicy policy(String domain) {
        if (mtaSts == null) return null;
        try {
            return mtaSts.policy(domain).filter(p -> p.mode() != MtaStsPolicy.Mode.NONE).orElse(null);
        } catch (RuntimeException e) {
            log.warn("MTA-STS look-up for {} failed: {}", domain, e.toString());
            return null;
        }
    }

    /**
     * RFC 8461 §5: under an enforced MTA-STS policy only the MX hosts it names are used, and only with
     * PKIX-valid TLS; when none works the message waits (a temporary failure). In testing mode the
     * same checks are only logged. RFC 8689 §4.2.1: a REQUIRETLS message (with a non-null
     * reverse-path) goes only over valid TLS to a host that advertises REQUIRETLS; when none does it
     * is returned to the sender (5.7.30, or 5.7.10 when TLS failed).
     */
    private List<RecipientResult> viaHosts(String domain, Route.Hosts route, OutboundMessage message,
            MessageFramer.Content scan, MtaStsPolicy sts) {
        HostFailure last = null;
        String lastHost = "";
        int attempts = 0;
        boolean enforce = sts != null && sts.mode() == MtaStsPolicy.Mode.ENFORCE;
        boolean requireTls = message.options().requireTls() && !message.mailFrom().isEmpty();
        for (Route.Host host : route.hosts()) {
            if (sts != null && !sts.allows(host.name())) {
                // RFC 8689 §4.2.1 step 2: a REQUIRETLS message needs the MX name validated by the policy,
                // whatever its mode.
                if (enforce || requireTls) {
                    last = new HostFailure("MX host " + host.name() + " is not in the MTA-STS policy of " + domain,
                            requireTls ? "5.7.10" : "4.7.5", false, false, false);
                    lastHost = host.name();
                    log.info("MTA-STS: skipping {} for {}", host.name(), domain);
                    continue;
                }
                log.info("MTA-STS (testing): MX host {} is not in the policy of {}", host.name(), domain);
            }
            boolean verified = enforce || requireTls;
            for (InetAddress address : host.addresses()) {
                if (attempts++ >= config.maxHostAttempts()) break;
                boolean tryTls = config.tls() == TlsPolicy.OPPORTUNISTIC;
                while (true) {
                    try {
                        return session(host.name(), address, tryTls, verified, message, scan);
                    } catch (HostFailure f) {
                        last = f;
                        lastHost = host.name();
                        if (f.permanent) return all(message, RecipientResult.Outcome.PERMANENT, f.status, f.getMessage(),
                                host.name(), f.remoteReply);
                        log.info("delivery to {} via {} [{}] failed: {}", domain, host.name(), address.getHostAddress(),
                                f.getMessage());
                        // Opportunistic TLS that fails is retried in plaintext, as Postfix does.
                        if (f.tlsFailed && tryTls) {
                            tryTls = false;
                            continue;
                        }
                        break;
                    }
                }
            }
        }
        String why = last == null ? "no host to try for " + domain : last.getMessage();
        if (requireTls && last != null && last.status.startsWith("5.7.")) {
            return all(message, RecipientResult.Outcome.PERMANENT, last.status, why, lastHost, false);
        }
        String status = last == null ? "4.4.1" : last.status.startsWith("5") ? "4" + last.status.substring(1) : last.status;
        // Host-level trouble (even a 5xx greeting) is never the message's fault: retry later.
        return all(message, RecipientResult.Outcome.TEMPORARY, status, why, lastHost, last != null && last.remoteReply);
    }

    private List<RecipientResult> session(String name, InetAddress address, boolean tryTls, boolean verified,
            OutboundMessage message, MessageFramer.Content scan) throws HostFailure {
        if (smarthost != null && verified && !smarthost.verifyTls()) {
            // RFC 8689 §4.2.1 step 4: REQUIRETLS needs a validated certificate, which the opt-out skips.
            throw new HostFailure("REQUIRETLS message, but the smarthost's certificate is not verified",
                    "5.7.10", false, false, false);
        }
        int port = smarthost != null ? smarthost.port() : config.port();
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(address, port), (int) config.connectTimeout().toMillis());
        } catch (IOException e) {
            closeQuietly(socket);
            throw HostFailure.local("cannot connect to " + name + " [" + address.getHostAddress() + "]:" + port
                    + ": " + e.getMessage());
        }
        try (ClientSession s = new ClientSession(socket, name, config)) {
            if (smarthost != null) s.openSmarthost(smarthost);
            else s.open(tryTls, verified);
            List<RecipientResult> results = s.send(message, scan);
            s.quit();
            log.info("delivered to {} [{}]{}{}: {}", name, address.getHostAddress(), s.isTls() ? " with TLS" : "",
                    s.isAuthenticated() ? " as " + smarthost.user() : "", summary(results));
            return results;
        } catch (IOException e) {
            throw HostFailure.local("connection to " + name + " failed: " + e.getMessage());
        }
    }

    private static String summary(List<RecipientResult> results) {
        List<String> parts = new ArrayList<>();
        for (RecipientResult r : results) parts.add(r.recipient() + "=" + r.outcome());
        return String.join(", ", parts);
    }

    private static List<RecipientResult> all(OutboundMessage m, RecipientResult.Outcome o, String status, String why,
            String host, boolean remote) {
        List<RecipientResult> out = new ArrayList<>();
        for (String r : m.recipients()) out.add(new RecipientResult(r, o, status, why, host, remote));
        return out;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to save
        }
    }
}
