// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.IntPredicate;

/**
 * Which ports to listen on: the configured ones shifted by an offset (DESIGN.md §1). The offset comes
 * from --port-offset, else from postern.conf, else "auto": 0 when this process may bind the privileged
 * ports, 10000 when it may not, so a first start as a normal user works instead of failing on port 25.
 */
public final class PortPlan {
    public static final int UNPRIVILEGED_OFFSET = 10_000;
    /** Ports below this need root (or CAP_NET_BIND_SERVICE) on Unix. */
    static final int FIRST_UNPRIVILEGED_PORT = 1024;

    private PortPlan() {}

    /**
     * @param mayBind answers whether this process may bind the given privileged port
     */
    public static int offset(OptionalInt fromCommandLine, OptionalInt fromConfig, Map<Service, Integer> ports,
            IntPredicate mayBind) {
        if (fromCommandLine.isPresent()) return fromCommandLine.getAsInt();
        if (fromConfig.isPresent()) return fromConfig.getAsInt();
        int lowest = ports.values().stream().filter(p -> p > 0 && p < FIRST_UNPRIVILEGED_PORT).mapToInt(Integer::intValue)
                .min().orElse(-1);
        if (lowest < 0) return 0;
        return mayBind.test(lowest) ? 0 : UNPRIVILEGED_OFFSET;
    }

    /**
     * Shifts every port by the offset; port 0 (any free port) stays 0.
     *
     * @throws IllegalArgumentException naming the port that would pass 65535
     */
    public static Map<Service, Integer> apply(Map<Service, Integer> ports, int offset) {
        if (offset < 0) throw new IllegalArgumentException("the port offset must not be negative");
        EnumMap<Service, Integer> out = new EnumMap<>(Service.class);
        for (var e : ports.entrySet()) {
            int p = e.getValue();
            if (p == 0) {
                out.put(e.getKey(), 0);
                continue;
            }
            if (p + offset > 65535) {
                throw new IllegalArgumentException("port " + p + " (" + e.getKey().key() + ") plus offset " + offset
                        + " is above 65535");
            }
            out.put(e.getKey(), p + offset);
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * Tries to bind the port on the address. Linux checks the permission before whether the port is
     * free (EACCES before EADDRINUSE), so "in use" still means "permitted"; any other failure is left to
     * the real bind, which names it.
     */
    public static boolean mayBind(InetAddress address, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(address, port));
            return true;
        } catch (BindException e) {
            String m = e.getMessage();
            return m == null || !(m.contains("ermission") || m.contains("EACCES"));
        } catch (IOException | SecurityException e) {
            return true;
        }
    }
}
