// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import org.postern.delivery.queue.QueueConfig;
import org.postern.delivery.queue.QueueRunner;
import org.postern.server.config.OutboundConfig;
import org.postern.server.config.SmarthostConfig;
import org.postern.smtp.client.DomainDelivery;
import org.postern.smtp.client.MtaStsResolver;
import org.postern.smtp.client.MxResolver;
import org.postern.smtp.client.Smarthost;
import org.postern.smtp.client.SmtpClientConfig;
import org.postern.smtp.client.TlsPolicy;
import org.postern.dns.DnsjavaResolver;
import org.postern.store.MailStore;

/** Builds the queue runner that relays mail to other domains, from the {@code outbound.*} settings. */
final class OutboundRelay {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OutboundRelay.class);

    private OutboundRelay() {}

    /**
     * Starts relaying, or returns null when {@code outbound.relay = false} (mail then waits in the queue).
     * MTA-STS policies are cached in DATA/mta-sts so they survive restarts (RFC 8461 §5.1: a cached
     * policy protects the next delivery against a downgrade).
     *
     * @throws IOException when the smarthost's password file cannot be read
     */
    static QueueRunner start(OutboundConfig c, String hostname, MailStore store, Path dataDir) throws IOException {
        if (!c.relay()) return null;
        String helo = c.heloName().isEmpty() ? hostname : c.heloName();
        SmtpClientConfig client = SmtpClientConfig.defaults(helo).withPort(c.port())
                .withTls(c.tls().equals("none") ? TlsPolicy.NONE : TlsPolicy.OPPORTUNISTIC);
        QueueConfig queue = QueueConfig.defaults(hostname).withMaxAge(c.maxQueueAge()).withDelayWarning(c.delayWarning())
                .withBackoff(c.minBackoff(), c.maxBackoff()).withPollInterval(c.pollInterval())
                .withConcurrency(c.maxConcurrent(), c.maxPerDestination());
        DomainDelivery delivery;
        SmarthostConfig relay = c.smarthost();
        if (relay.enabled()) {
            Smarthost smarthost = new Smarthost(relay.host(), relay.port(), relay.implicitTls(), relay.user(),
                    relay.user().isEmpty() ? "" : password(dataDir.resolve(relay.passwordFile())), relay.verifyTls());
            delivery = DomainDelivery.viaSmarthost(client, smarthost);
            queue = queue.withSmarthost(smarthost.destination());
            log.info("outbound mail goes through smarthost {}", smarthost);
        } else {
            InetSocketAddress dns = c.dnsServer().isEmpty() ? DnsjavaResolver.systemServer() : dnsServer(c.dnsServer());
            DnsjavaResolver resolver = new DnsjavaResolver(dns, DnsjavaResolver.DEFAULT_TIMEOUT);
            delivery = new DomainDelivery(new MxResolver(resolver), client,
                    MtaStsResolver.standard(resolver, dataDir.resolve("mta-sts"), client.verifiedTls()));
        }
        QueueRunner runner = new QueueRunner(store, delivery::deliver, queue, Clock.systemUTC());
        runner.start();
        return runner;
    }

    /** The first line of the file; the file is the operator's, so its problems stop the start with its name. */
    static String password(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException("cannot read outbound.smarthost_password_file " + file + ": " + e.getMessage(), e);
        }
        String first = text.lines().findFirst().orElse("").strip();
        if (first.isEmpty()) throw new IOException("outbound.smarthost_password_file " + file + " is empty");
        return first;
    }

    /** {@code 192.0.2.1}, {@code 192.0.2.1:5353}, {@code 2001:db8::1}, {@code [2001:db8::1]:5353}; validated by the parser. */
    static InetSocketAddress dnsServer(String s) throws UnknownHostException {
        String host = s;
        int port = 53;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            host = s.substring(1, close);
            if (close + 1 < s.length()) port = Integer.parseInt(s.substring(close + 2));
        } else if (s.indexOf(':') == s.lastIndexOf(':') && s.indexOf(':') > 0) {
            host = s.substring(0, s.indexOf(':'));
            port = Integer.parseInt(s.substring(s.indexOf(':') + 1));
        }
        if (port < 1 || port > 65535) throw new UnknownHostException("DNS server port " + port + " out of range");
        // An IP literal (the parser allows nothing else), so no look-up happens.
        return new InetSocketAddress(InetAddress.getByName(host.toLowerCase(Locale.ROOT)), port);
    }
}
