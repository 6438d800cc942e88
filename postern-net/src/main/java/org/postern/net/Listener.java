// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts connections on one port and serves each on its own virtual thread. With implicit TLS the
 * handshake runs on that thread too (RFC 8314), under the handshake deadline, so a slow handshake
 * never blocks accepting. The listener's name says which ALPN protocol its TLS accepts
 * ({@link TlsContext#alpnProtocol}).
 */
public final class Listener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Listener.class);

    private final String name;
    private final ServerSocket server;
    private final boolean implicitTls;
    private final TlsContext tls;
    private final NetLimits limits;
    private final ConnectionHandler handler;
    /** RFC 7301 ALPN ID this port speaks (HOSTILE A41), or null when the name is no mail protocol's. */
    private final String alpn;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private Thread acceptor;

    private Listener(String name, ServerSocket server, boolean implicitTls, TlsContext tls, NetLimits limits,
            ConnectionHandler handler) {
        this.name = name;
        this.server = server;
        this.implicitTls = implicitTls;
        this.tls = tls;
        this.limits = limits;
        this.handler = handler;
        this.alpn = TlsContext.alpnProtocol(name);
    }

    /**
     * Binds the port (0 picks a free one) and starts accepting.
     *
     * @throws PortInUseException with a message naming the port when it cannot be bound
     */
    public static Listener start(String name, InetAddress address, int port, boolean implicitTls, TlsContext tls,
            NetLimits limits, ConnectionHandler handler) throws PortInUseException {
        if (implicitTls && tls == null) throw new IllegalArgumentException("implicit TLS needs a TLS context");
        ServerSocket s = null;
        try {
            s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(address, port), 512);
        } catch (BindException e) {
            closeQuietly(s);
            String why = e.getMessage() != null && e.getMessage().contains("ermission")
                    ? "permission denied (ports below 1024 need root; try --port-offset 10000)"
                    : "already in use by another program";
            throw new PortInUseException(port, "cannot listen on port " + port + " (" + name + "): " + why, e);
        } catch (IOException e) {
            closeQuietly(s);
            throw new PortInUseException(port, "cannot listen on port " + port + " (" + name + "): " + e.getMessage(), e);
        }
        Listener l = new Listener(name, s, implicitTls, tls, limits, handler);
        l.acceptor = Thread.ofPlatform().name("accept-" + name + "-" + s.getLocalPort()).daemon().start(l::acceptLoop);
        return l;
    }

    public int port() {
        return server.getLocalPort();
    }

    public String name() {
        return name;
    }

    public int openConnections() {
        return open.size();
    }

    private void acceptLoop() {
        while (!closing) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (closing) return;
                log.warn("{}: accept failed: {}", name, e.toString());
                continue;
            }
            Thread.ofVirtual().name(name + "-conn").start(() -> serve(s));
        }
    }

    private void serve(Socket socket) {
        InetAddress addr = socket.getInetAddress();
        int n = perAddress.merge(addr, 1, Integer::sum);
        Connection c = null;
        try {
            c = new Connection(socket);
            c.setWriteTimeout(limits.writeTimeout());
            c.setAlpnProtocol(alpn);
            open.add(c);
            if (closing) return;
            if (open.size() > limits.maxConnections()) {
                handler.refuse(c, "too many connections");
                return;
            }
            if (n > limits.maxPerAddress()) {
                handler.refuse(c, "too many connections from your address");
                return;
            }
            if (implicitTls) {
                c.setReadTimeout(limits.handshakeTimeout());
                c.startTls(tls);
            }
            c.setReadTimeout(limits.idleTimeout());
            handler.handle(c);
        } catch (SSLException | SocketException e) {
            log.debug("{}: connection from {} ended: {}", name, addr, e.toString());
        } catch (IOException e) {
            log.debug("{}: connection from {} failed: {}", name, addr, e.toString());
        } catch (RuntimeException e) {
            // A bug must not take the listener down; the session is lost, the server goes on.
            log.error("{}: session from {} failed", name, addr, e);
        } finally {
            if (c != null) {
                c.closeGracefully();
                open.remove(c);
            } else {
                closeQuietly(socket);
            }
            perAddress.computeIfPresent(addr, (a, v) -> v == 1 ? null : v - 1);
        }
    }

    /** Stops accepting and closes every open connection of this listener. */
    @Override
    public void close() {
        closing = true;
        closeQuietly(server);
        for (Connection c : open) c.close();
        if (acceptor != null) {
            try {
                acceptor.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing to do
        }
    }
}
