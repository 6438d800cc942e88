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
 */
public final class DomainDelivery {
    private static final Logger log = LoggerFactory.getLogger(DomainDelivery.class);

    private final MxResolver mx;
    private final SmtpClientConfig config;

    public DomainDelivery(MxResolver mx, SmtpClientConfig config) {
        this.mx = mx;
        this.config = config;
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
        Route route = mx.route(domain);
        return switch (route) {
            case Route.Unroutable u -> all(message, RecipientResult.Outcome.PERMANENT, u.status(), u.reason(), "", false);
            case Route.TryLater t -> all(message, RecipientResult.Outcome.TEMPORARY, "4.4.3", t.reason(), "", false);
            case Route.Hosts h -> viaHosts(domain, h, message, scan);
        };
    }

    private List<RecipientResult> viaHosts(String domain, Route.Hosts route, OutboundMessage message,
            MessageFramer.Content scan) {
        HostFailure last = null;
        String lastHost = "";
        int attempts = 0;
        for (Route.Host host : route.hosts()) {
            for (InetAddress address : host.addresses()) {
                if (attempts++ >= config.maxHostAttempts()) break;
                boolean tryTls = config.tls() == TlsPolicy.OPPORTUNISTIC;
                while (true) {
                    try {
                        return session(host.name(), address, tryTls, message, scan);
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
        String status = last == null ? "4.4.1" : last.status.startsWith("5") ? "4" + last.status.substring(1) : last.status;
        // Host-level trouble (even a 5xx greeting) is never the message's fault: retry later.
        return all(message, RecipientResult.Outcome.TEMPORARY, status, why, lastHost, last != null && last.remoteReply);
    }

    private List<RecipientResult> session(String name, InetAddress address, boolean tryTls, OutboundMessage message,
            MessageFramer.Content scan) throws HostFailure {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(address, config.port()), (int) config.connectTimeout().toMillis());
        } catch (IOException e) {
            closeQuietly(socket);
            throw HostFailure.local("cannot connect to " + name + " [" + address.getHostAddress() + "]:" + config.port()
                    + ": " + e.getMessage());
        }
        try (ClientSession s = new ClientSession(socket, name, config)) {
            s.open(tryTls);
            List<RecipientResult> results = s.send(message, scan);
            s.quit();
            log.info("delivered to {} [{}]{}: {}", name, address.getHostAddress(), s.isTls() ? " with TLS" : "",
                    summary(results));
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
