// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.postern.auth.AuthThrottle;
import org.postern.auth.Authenticator;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.delivery.LocalDelivery;
import org.postern.delivery.queue.QueueRunner;
import org.postern.http.HttpConfig;
import org.postern.http.HttpServer;
import org.postern.imap.ImapConfig;
import org.postern.imap.ImapServer;
import org.postern.jmap.JmapHandler;
import org.postern.jmap.proto.JmapLimits;
import org.postern.net.ConnectionHandler;
import org.postern.net.Listener;
import org.postern.net.PortInUseException;
import org.postern.search.LuceneSearchIndex;
import org.postern.search.SearchIndex;
import org.postern.search.postgres.PostgresSearchIndex;
import org.postern.net.SelfSignedCertificate;
import org.postern.net.TlsContext;
import org.postern.pop3.Pop3Config;
import org.postern.pop3.Pop3Server;
import org.postern.server.config.Service;
import org.postern.smtp.server.SmtpConfig;
import org.postern.smtp.server.SmtpServer;
import org.postern.store.MailStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running mail server, and the only place that wires the modules together, with plain
 * constructors: one store, one authenticator, one TLS context, and a protocol handler behind a
 * listener for each of the seven ports of DESIGN.md §1.
 */
public final class PosternServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PosternServer.class);

    private final ServerSettings settings;
    private final MailStore store;
    private final TlsContext tls;
    private final Map<Service, Listener> listeners = new EnumMap<>(Service.class);
    private final List<Runnable> shutdowns = new ArrayList<>();
    private boolean closed;
    private boolean started;
    private boolean announce = true;
    private QueueRunner queueRunner;
    /** Derived from the store (in its database, or DATA/index), fed from its change feed; closed before the store. */
    private SearchIndex searchIndex;
    private HttpServer http;
    private CertificateWatch certificateWatch;
    private org.postern.autoconfig.acme.AcmeRenewal acmeRenewal;

    private PosternServer(ServerSettings settings, MailStore store, TlsContext tls) {
        this.settings = settings;
        this.store = store;
        this.tls = tls;
    }

    /**
     * Opens the store and binds every port. When a port cannot be bound, whatever was already started
     * is closed again and the {@link PortInUseException} names the port.
     */
    public static PosternServer start(ServerSettings s) throws IOException, GeneralSecurityException {
        return start(s, true);
    }

    /** A server that does not announce its start and stop at INFO: {@link Warmup}'s throwaway one. */
    static PosternServer startQuietly(ServerSettings s) throws IOException, GeneralSecurityException {
        return start(s, false);
    }

    private static PosternServer start(ServerSettings s, boolean announce) throws IOException, GeneralSecurityException {
        // With ACME, a self-signed placeholder serves until the CA's certificate arrives (the http-01
        // and tls-alpn-01 challenges need the listeners up, so they cannot wait for it).
        if (s.selfSignedTls() || s.certificates().acme()) SelfSignedCertificate.createIfMissing(s.tlsCert(), s.tlsKey(), s.hostname());
        TlsContext tls = TlsContext.fromPem(s.tlsCert(), s.tlsKey());
        PosternServer server = new PosternServer(s, StoreBackend.open(s.store(), s.dataDir()), tls);
        server.announce = announce;
        try {
            server.wire();
            server.started = true;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        if (announce) log.info("Postern serving {} on {}, store {}", s.hostname(), s.listenAddress().getHostAddress(), s.store());
        return server;
    }

    /**
     * The full-text index postern.conf's {@code search} names: with a postgres:// store by default in the
     * same database (nodes keep no search state and answer at once), otherwise Lucene in DATA/index.
     */
    private SearchIndex openSearchIndex() throws IOException {
        org.postern.server.config.StoreConfig sc = settings.store();
        if (sc.searchInDatabase()) {
            java.nio.file.Path password = sc.passwordFile().isEmpty() ? null
                    : new org.postern.server.config.DataFolder(settings.dataDir()).resolve(sc.passwordFile());
            return PostgresSearchIndex.open(org.postern.store.postgres.PostgresConfig.parse(sc.url(), password), store);
        }
        return LuceneSearchIndex.open(settings.dataDir().resolve("index"), store);
    }

    private void wire() throws IOException {
        Clock clock = Clock.systemUTC();
        // Several nodes on one database count failures together; one embedded store keeps them in memory.
        AuthThrottle throttle = new AuthThrottle(settings.authThrottle(), clock,
                settings.store().embedded() ? null : store.authFailures());
        Authenticator auth = new Authenticator(store.directory(), throttle, settings.passwordCost(), clock);
        SharedSessions browserSessions = SharedSessions.start(store, clock, throttle);
        shutdowns.add(browserSessions::close);
        SaslMechanisms sasl = new SaslMechanisms(auth);
        String host = settings.hostname();
        boolean plain = settings.allowPlaintextAuth();
        LocalDelivery delivery = new LocalDelivery(store, host, Clock.systemDefaultZone(), mailAuth(settings.outbound(), host));
        try {
            searchIndex = openSearchIndex();
        } catch (IOException | RuntimeException e) {
            // Derived data: without it SEARCH reads the messages, slower but right; not a reason to stay down.
            log.warn("full-text search index unavailable, SEARCH will scan messages", e);
        }

        for (Service s : Service.values()) {
            if (s.web()) continue;
            ConnectionHandler handler = switch (s) {
                case SMTP -> smtp(SmtpConfig.Mode.MX, delivery, sasl);
                case SUBMISSION -> smtp(SmtpConfig.Mode.SUBMISSION, delivery, sasl);
                case SUBMISSIONS -> smtp(SmtpConfig.Mode.SUBMISSIONS, delivery, sasl);
                case IMAP, IMAPS -> {
                    ImapServer imap = new ImapServer(ImapConfig.defaults(host, s.implicitTls()).withAllowPlaintextAuth(plain),
                            store, sasl, tls, searchIndex);
                    shutdowns.add(imap::shutdown);
                    yield imap;
                }
                case POP3, POP3S -> {
                    Pop3Server pop3 = new Pop3Server(Pop3Config.defaults(host, s.implicitTls()).withAllowPlaintextAuth(plain),
                            store, sasl, tls);
                    shutdowns.add(pop3::shutdown);
                    yield pop3;
                }
                case HTTPS, HTTP -> throw new IllegalStateException("served by the HTTP server");
            };
            listeners.put(s, Listener.start(s.key(), settings.listenAddress(), settings.port(s), s.implicitTls(), tls,
                    settings.netLimits(), handler));
        }
        JmapHandler jmap = new JmapHandler(store, auth, JmapLimits.DEFAULT, host, browserSessions.sessions(),
                org.postern.jmap.Uploads.Quota.DEFAULT).hashingWith(settings.passwordCost())
                .searchingWith(searchIndex);
        // RFC 8621 §7.5: EmailSubmission goes through the port-587 intake (sender checks, DKIM, queue).
        jmap.sendingWith(new IntakeSubmitter(store, host, SmtpConfig.defaults(host, SmtpConfig.Mode.SUBMISSION).maxRecipients(),
                settings.maxMessageSize()));
        shutdowns.add(jmap::shutdown);
        certificateWatch = CertificateWatch.start(tls, clock, settings.certificates().acme());
        http = HttpServer.start(HttpConfig.defaults(settings.listenAddress(), settings.port(Service.HTTPS),
                settings.port(Service.HTTP)), tls, host, router -> {
                    // The webmail serves the login page; GET /login leads there instead of JMAP's bare form.
                    jmap.register(router, false);
                    new org.postern.webmail.WebmailHandler(jmap, store).withAdmins(settings.admins()).register(router);
                    // Built after the mail listeners bound, so the documents name the real ports (offset, port 0).
                    new org.postern.autoconfig.AutoconfigHandler(new org.postern.autoconfig.ClientSettings(host, port("imaps"),
                            port("imap"), port("pop3s"), port("pop3"), port("submissions"), port("submission")),
                            org.postern.autoconfig.MtaStsPolicy.forHost(host, settings.selfSignedTls()),
                            store.directory()::isLocalDomain, auth, clock)
                            .withBrowserSessions(jmap::browserAccount)
                            .withAcmeChallenges(settings.dataDir().resolve("acme").resolve("challenges"))
                            .withPortStatus(portStatus(clock)).register(router);
                    new org.postern.server.admin.AdminHandler(jmap, settings.admins(), this::doctorOptions, store,
                            certificateWatch, clock).register(router);
                });
        if (settings.certificates().acme()) {
            try {
                acmeRenewal = AcmeService.start(settings, tls, store.directory()::domains);
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException("ACME: " + e.getMessage(), e);
            }
        }
        // The relay starts once every port is bound, so a start that fails sends nothing.
        queueRunner = OutboundRelay.start(settings.outbound(), host, store, settings.dataDir());
    }

    /**
     * SPF/DKIM/DMARC of inbound mail ask DNS, so they run when outbound relaying (which needs DNS too)
     * is on, through the same resolver; in-process test servers without it accept mail unchecked.
     */
    private static org.postern.mailauth.MailAuthCheck mailAuth(org.postern.server.config.OutboundConfig c, String host)
            throws java.net.UnknownHostException {
        if (!c.relay()) return null;
        java.net.InetSocketAddress dns = c.dnsServer().isEmpty() ? org.postern.dns.DnsjavaResolver.systemServer()
                : OutboundRelay.dnsServer(c.dnsServer());
        return new org.postern.mailauth.MailAuthCheck(
                new org.postern.dns.DnsjavaResolver(dns, org.postern.dns.DnsjavaResolver.DEFAULT_TIMEOUT),
                new org.postern.mailauth.spf.DnsjavaPtrLookup(dns, org.postern.dns.DnsjavaResolver.DEFAULT_TIMEOUT), host, Clock.systemUTC());
    }

    /** The bound mail ports, implicit TLS first as clients should prefer them (RFC 8314 §5.1), the MX port last. */
    private org.postern.autoconfig.PortStatus portStatus(Clock clock) {
        List<org.postern.autoconfig.PortStatus.Port> ports = new ArrayList<>();
        for (Service s : List.of(Service.IMAPS, Service.POP3S, Service.SUBMISSIONS, Service.IMAP, Service.POP3,
                Service.SUBMISSION, Service.SMTP)) {
            Listener l = listeners.get(s);
            if (l == null) continue;
            ports.add(new org.postern.autoconfig.PortStatus.Port(s.key(), l.port(), s.implicitTls()
                    ? org.postern.autoconfig.PortStatus.Security.IMPLICIT_TLS : org.postern.autoconfig.PortStatus.Security.STARTTLS));
        }
        return new org.postern.autoconfig.PortStatus(settings.listenAddress(), ports, clock);
    }

    /** How the admin page's doctor reaches this server: the bound ports, outbound and DNS only when relaying is on. */
    private org.postern.server.cli.Doctor.Options doctorOptions() {
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service s : Service.values()) ports.put(s, port(s.key()));
        java.net.InetAddress listen = settings.listenAddress();
        String address = !listen.isAnyLocalAddress() ? listen.getHostAddress()
                : listen instanceof java.net.Inet6Address ? "::1" : "127.0.0.1";
        var out = settings.outbound();
        java.util.Optional<java.net.InetSocketAddress> dns = java.util.Optional.empty();
        if (out.relay()) {
            try {
                dns = java.util.Optional.of(out.dnsServer().isEmpty() ? org.postern.dns.DnsjavaResolver.systemServer()
                        : OutboundRelay.dnsServer(out.dnsServer()));
            } catch (java.io.IOException | RuntimeException e) {
                log.warn("admin page: no DNS server to check records with: {}", e.toString());
            }
        }
        return new org.postern.server.cli.Doctor.Options(address, settings.hostname(), ports, java.time.Duration.ofSeconds(5),
                settings.allowPlaintextAuth(),
                out.relay() ? java.util.Optional.of(org.postern.server.cli.DoctorCommand.DEFAULT_OUTBOUND_PROBE) : java.util.Optional.empty(),
                dns, settings.selfSignedTls(), settings.certificates().acme()
                        ? java.util.Optional.of(new org.postern.server.cli.Doctor.Acme(settings.certificates().challenge(),
                                settings.certificates().names(),
                                acmeRenewal == null ? java.util.Optional.empty() : acmeRenewal.lastError()))
                        : java.util.Optional.empty());
    }

    /** The served certificate and its expiry warning (the admin page, tests). */
    public CertificateWatch certificateWatch() {
        return certificateWatch;
    }

    /** The ACME renewal task, when acme = on. */
    public java.util.Optional<org.postern.autoconfig.acme.AcmeRenewal> acmeRenewal() {
        return java.util.Optional.ofNullable(acmeRenewal);
    }

    private SmtpServer smtp(SmtpConfig.Mode mode, LocalDelivery delivery, SaslMechanisms sasl) {
        SmtpConfig config = SmtpConfig.defaults(settings.hostname(), mode)
                .withAllowPlaintextAuth(settings.allowPlaintextAuth())
                .withMaxMessageSize(settings.maxMessageSize())
                .withPreGreetingDelay(settings.smtpPregreetDelay());
        SmtpServer smtp = new SmtpServer(config, delivery, sasl, tls);
        shutdowns.add(smtp::shutdown);
        return smtp;
    }

    /** The port actually bound for a service key ("smtp", "submission", ..., "pop3s"; see {@link Service#key}). */
    public int port(String name) {
        Service service = Service.byKey(name);
        if (service.web() && http != null) return service == Service.HTTPS ? http.httpsPort() : http.httpPort();
        Listener l = listeners.get(service);
        if (l == null) throw new IllegalStateException(name + " is not listening");
        return l.port();
    }

    public TlsContext tls() {
        return tls;
    }

    public MailStore store() {
        return store;
    }

    public ServerSettings settings() {
        return settings;
    }

    /**
     * Says goodbye to open sessions (SMTP 421, IMAP BYE, POP3 -ERR), closes the listeners and their
     * connections, then the store, so nothing writes to the store after it is closed.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (Runnable r : shutdowns) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("shutdown of a protocol handler failed", e);
            }
        }
        if (acmeRenewal != null) acmeRenewal.close();
        if (certificateWatch != null) certificateWatch.close();
        for (Listener l : listeners.values()) l.close();
        if (http != null) http.close();
        if (queueRunner != null) queueRunner.close(); // records what attempts in flight learned, before the store closes
        if (searchIndex != null) searchIndex.close(); // commits its mark; it reads the store until then
        try {
            store.close();
        } catch (RuntimeException e) {
            log.warn("closing the store failed", e);
        }
        if (started && announce) log.info("Postern stopped");
    }
}
