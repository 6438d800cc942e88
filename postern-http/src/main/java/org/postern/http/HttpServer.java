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

    private final Server server;
    private final ServerConnector https;
    private final ServerConnector http;
    private final Router router;

    private HttpServer(Server server, ServerConnector https, ServerConnector http, Router router) {
        this.server = server;
        this.https = https;
        this.http = http;
        this.router = router;
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
        ssl.setSslContext(TlsContexts.serverContext(tls));
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2"); // RFC 8996
        ssl.setCipherComparator(HTTP2Cipher.COMPARATOR); // RFC 9113 §9.2.2 cipher order
        ssl.setSniRequired(false);
        ServerConnector https = new ServerConnector(server, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn, h2, h1);
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

        Router router = new Router();
        routes.accept(router);
        HttpServer result = new HttpServer(server, https, http, router);
        SizeLimitHandler limit = new SizeLimitHandler(config.maxBodyBytes(), -1);
        limit.setHandler(router);
        SecurityHeaders headers = new SecurityHeaders(new HttpsRedirect(limit, result::httpsPort, hostname), config.hstsMaxAge());
        server.setHandler(headers);
        server.setErrorHandler(new PlainErrorHandler(headers));
        try {
            server.start();
        } catch (Exception e) {
            stopQuietly(server);
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
