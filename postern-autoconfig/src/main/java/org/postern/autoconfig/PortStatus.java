// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The server's own view of its mail ports: for each port it bound, whether a TCP connection to it
 * succeeds right now. The answer is cached for {@link #TTL}, and only one probe runs at a time, so
 * asking often (the endpoint needs no login) costs the server at most a handful of loopback connects
 * every half minute.
 */
public final class PortStatus {
    public static final Duration TTL = Duration.ofSeconds(30);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    /** How a port protects its session: TLS from the first byte (RFC 8314 §3), or STARTTLS/STLS. */
    public enum Security {
        IMPLICIT_TLS("implicit-tls"), STARTTLS("starttls");

        final String json;

        Security(String json) {
            this.json = json;
        }
    }

    public record Port(String name, int port, Security security) {}

    public record Result(Port port, boolean open) {}

    private final InetAddress address;
    private final List<Port> ports;
    private final Clock clock;
    private List<Result> cached;
    private Instant probedAt = Instant.MIN;

    /**
     * @param address where to connect: the listen address, or loopback when the server listens on
     *     the wildcard address
     */
    public PortStatus(InetAddress address, List<Port> ports, Clock clock) {
        this.address = address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : address;
        this.ports = List.copyOf(ports);
        this.clock = clock;
    }

    public List<Port> ports() {
        return ports;
    }

    /** The cached results, probing again when they are older than {@link #TTL}. */
    public synchronized List<Result> results() {
        Instant now = clock.instant();
        if (cached == null || !now.isBefore(probedAt.plus(TTL))) {
            cached = probeAll();
            probedAt = now;
        }
        return cached;
    }

    /** [{"name":"imaps","port":993,"security":"implicit-tls","open":true}, ...] */
    public String json() {
        StringBuilder b = new StringBuilder("[");
        for (Result r : results()) {
            if (b.length() > 1) b.append(',');
            b.append("{\"name\":\"").append(r.port().name()).append("\",\"port\":").append(r.port().port())
                    .append(",\"security\":\"").append(r.port().security().json).append("\",\"open\":").append(r.open()).append('}');
        }
        return b.append("]").toString();
    }

    private List<Result> probeAll() {
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (Port p : ports) futures.add(ex.submit(() -> open(p.port())));
            List<Result> out = new ArrayList<>();
            for (int i = 0; i < ports.size(); i++) {
                boolean open;
                try {
                    open = futures.get(i).get();
                } catch (Exception e) {
                    open = false;
                }
                out.add(new Result(ports.get(i), open));
            }
            return List.copyOf(out);
        }
    }

    private boolean open(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), (int) CONNECT_TIMEOUT.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
