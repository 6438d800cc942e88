// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection-level defences Jetty's idle timeout does not give (HOSTILE.md A44-A46): an idle timeout
 * is reset by every byte, so a client sending one byte every few seconds would hold a connection for
 * hours. This guard
 * <ul>
 *   <li>closes a connection whose client address already has {@code perAddress} open ones;</li>
 *   <li>closes a connection whose TLS handshake has not finished within the handshake deadline;</li>
 *   <li>closes an HTTP/1.1 connection that has spent longer than the header deadline inside the
 *       request line and headers of one request (slowloris). HTTP/2 streams are bounded by
 *       the stream idle timeout and the concurrent-stream cap instead.</li>
 * </ul>
 * A sweep once a second checks the deadlines, so they hold to within a second.
 */
final class ConnectionGuard implements Connection.Listener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);

    private final int perAddress;
    private final long headerNanos;
    private final long handshakeNanos;
    private final Map<InetAddress, AtomicInteger> byAddress = new ConcurrentHashMap<>();
    private final Map<Connection, InetAddress> counted = new ConcurrentHashMap<>();
    private final Map<SslConnection, Long> handshaking = new ConcurrentHashMap<>();
    private final Map<HttpConnection, Boolean> http1 = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    ConnectionGuard(int perAddress, Duration headerTimeout, Duration handshakeTimeout) {
        this.perAddress = perAddress;
        this.headerNanos = headerTimeout.toNanos();
        this.handshakeNanos = handshakeTimeout.toNanos();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("http-guard").factory());
        sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void onOpened(Connection c) {
        EndPoint ep = c.getEndPoint();
        // The connection on the socket itself (TLS, or plain HTTP) is counted; connections layered
        // on a decrypted endpoint belong to one already counted.
        if (ep instanceof SocketChannelEndPoint && ep.getRemoteSocketAddress() instanceof InetSocketAddress isa) {
            InetAddress a = isa.getAddress();
            counted.put(c, a);
            int n = byAddress.computeIfAbsent(a, k -> new AtomicInteger()).incrementAndGet();
            if (n > perAddress) {
                log.info("refusing HTTP connection from {}: {} already open", a.getHostAddress(), n - 1);
                ep.close();
                return;
            }
        }
        if (c instanceof SslConnection ssl) {
            handshaking.put(ssl, System.nanoTime());
            ssl.addHandshakeListener(new SslHandshakeListener() {
                @Override
                public void handshakeSucceeded(Event event) {
                    handshaking.remove(ssl);
                }
            });
        } else if (c instanceof HttpConnection h) {
            http1.put(h, Boolean.TRUE);
        }
    }

    @Override
    public void onClosed(Connection c) {
        InetAddress a = counted.remove(c);
        if (a != null) {
            byAddress.computeIfPresent(a, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
        if (c instanceof SslConnection ssl) handshaking.remove(ssl);
        if (c instanceof HttpConnection h) http1.remove(h);
    }

    /** Open connections from an address (tests). */
    int open(InetAddress a) {
        AtomicInteger n = byAddress.get(a);
        return n == null ? 0 : n.get();
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            handshaking.forEach((ssl, since) -> {
                if (now - since > handshakeNanos) {
                    log.debug("closing {}: TLS handshake too slow", ssl.getEndPoint().getRemoteSocketAddress());
                    handshaking.remove(ssl);
                    ssl.getEndPoint().close();
                }
            });
            for (HttpConnection h : http1.keySet()) {
                var parser = h.getParser();
                // beginNanoTime is when the parser left START for the current request.
                if (parser.inHeaderState() && !parser.isStart() && now - parser.getBeginNanoTime() > headerNanos) {
                    log.debug("closing {}: request headers too slow", h.getEndPoint().getRemoteSocketAddress());
                    http1.remove(h);
                    h.getEndPoint().close();
                }
            }
        } catch (RuntimeException e) {
            log.warn("HTTP connection sweep failed", e);
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
