// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import java.io.IOException;
import java.net.BindException;
import java.util.concurrent.Executors;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.postern.net.PortInUseException;
import org.postern.net.TlsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS server: one TLS connector speaking HTTP/2 and HTTP/1.1 (chosen by ALPN), and an optional
 * plain connector whose every request is redirected to HTTPS. Handlers run on virtual threads, so
 * they may block like the mail protocol sessions do.
 *
 * <pre>{@code
 * HttpServer http = HttpServer.start(config, tls, hostname, router -> router.add("/jmap/", api));
 * }</pre>
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

    /** Octets per second; a 56k modem still uploads. */
    static final long MIN_BODY_RATE = 512;
    static final java.time.Duration BODY_GRACE = java.time.Duration.ofSeconds(5);

    private final Server server;
    private final ServerConnector https;
    private final ServerConnector http;
    private final Router router;
    private final ConnectionGuard guard;

    private HttpServer(Server server, ServerConnector https, ServerConnector http, Router router, ConnectionGuard guard) {
        this.server = server;
        this.https = https;
        this.http = http;
        this.router = router;
        this.guard = guard;
    }

    /**
     * Binds and starts. @throws PortInUseException naming the port when one cannot be bound
     */
    public static HttpServer start(HttpConfig config, TlsContext tls, String hostname,
            java.util.function.Consumer<Router> routes) throws IOException {
        QueuedThreadPool pool = new QueuedThreadPool(64, 4);
        pool.setName("http");
        pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        Server server = new Server(pool);
        server.setStopTimeout(2000);

        HttpConfiguration hc = new HttpConfiguration();
        hc.setSendServerVersion(false);
        hc.setSendDateHeader(true);
        hc.setRequestHeaderSize(config.maxHeaderBytes());
        hc.setResponseHeaderSize(32 * 1024);
        hc.setSecureScheme("https");
        // Any name may reach us (autoconfig.<domain>, IP literals); the certificate is checked by clients.
        SecureRequestCustomizer src = new SecureRequestCustomizer(false, false, -1, false);
        hc.addCustomizer(src);

        HttpConnectionFactory h1 = new HttpConnectionFactory(hc);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(hc);
        h2.setMaxConcurrentStreams(128);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol(h1.getProtocol());
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        // The context's key manager re-reads renewed PEM files at handshake time, as for the mail ports.
        ssl.setSslContext(tls.sslContext());
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2"); // RFC 8996
        ssl.setCipherComparator(HTTP2Cipher.COMPARATOR); // RFC 9113 §9.2.2 cipher order
        ssl.setSniRequired(false);
        ServerConnector https = new ServerConnector(server, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn, h2, h1,
                // Last: browsers never offer it, and only an ACME validation server offers nothing else.
                new AcmeTlsConnectionFactory());
        https.setHost(config.address().getHostAddress());
        https.setPort(config.httpsPort());
        https.setIdleTimeout(config.idleTimeout().toMillis());
        server.addConnector(https);

        ServerConnector http = null;
        if (config.httpPort() >= 0) {
            HttpConfiguration plain = new HttpConfiguration();
            plain.setSendServerVersion(false);
            plain.setRequestHeaderSize(config.maxHeaderBytes());
            http = new ServerConnector(server, new HttpConnectionFactory(plain));
            http.setHost(config.address().getHostAddress());
            http.setPort(config.httpPort());
            http.setIdleTimeout(30_000);
            server.addConnector(http);
        }

        ConnectionGuard guard = new ConnectionGuard(config.maxConnectionsPerAddress(), config.headerTimeout(),
                config.handshakeTimeout());
        https.addBean(guard);
        if (http != null) http.addBean(guard);
        // Past this many sockets the server stops accepting; the kernel backlog holds the rest.
        server.addBean(new NetworkConnectionLimit(config.maxConnections(), server));

        Router router = new Router();
        routes.accept(router);
        HttpServer result = new HttpServer(server, https, http, router, guard);
        SizeLimitHandler limit = new SizeLimitHandler(config.maxBodyBytes(), -1);
        limit.setHandler(router);
        // A body that trickles in slower than this is cut off: the slowloris of request bodies. Writes
        // are not rated (an EventSource stream is slow on purpose); the idle timeout covers stalled readers.
        BodyRateLimit rate = new BodyRateLimit(limit, MIN_BODY_RATE, BODY_GRACE);
        SecurityHeaders headers = new SecurityHeaders(new HttpsRedirect(rate, result::httpsPort, hostname), config.hstsMaxAge());
        server.setHandler(headers);
        server.setErrorHandler(new PlainErrorHandler(headers));
        try {
            server.start();
        } catch (Exception e) {
            stopQuietly(server);
            guard.close();
            BindException bind = cause(e, BindException.class);
            if (bind != null) {
                boolean httpsBound = https.isOpen();
                int port = httpsBound ? config.httpPort() : config.httpsPort();
                String why = bind.getMessage() != null && bind.getMessage().contains("ermission")
                        ? "permission denied (ports below 1024 need root; try --port-offset)"
                        : "already in use by another program";
                throw new PortInUseException(port, "cannot listen on port " + port + " (" + (httpsBound ? "http" : "https")
                        + "): " + why, bind);
            }
            throw new IOException("cannot start the HTTP server: " + e.getMessage(), e);
        }
        log.info("HTTPS on port {}{}", https.getLocalPort(), http == null ? "" : ", HTTP redirect on " + http.getLocalPort());
        return result;
    }

    public int httpsPort() {
        return https.getLocalPort();
    }

    /** The plain redirect port, or -1 when disabled. */
    public int httpPort() {
        return http == null ? -1 : http.getLocalPort();
    }

    public Router router() {
        return router;
    }

    @Override
    public void close() {
        stopQuietly(server);
        guard.close();
    }

    /** Open connections from one client address (tests). */
    int openConnections(java.net.InetAddress client) {
        return guard.open(client);
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("stopping the HTTP server failed", e);
        }
    }

    private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) return type.cast(c);
        }
        return null;
    }
}
