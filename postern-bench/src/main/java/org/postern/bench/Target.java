// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The server under load. Only loopback addresses are accepted: these generators open thousands of
 * connections and must never be pointed at somebody else's machine.
 */
record Target(InetAddress address, int port) {
    Target {
        if (!address.isLoopbackAddress()) throw new IllegalArgumentException("refusing non-loopback target " + address);
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    }

    /** Parses an IP literal (no DNS look-up: a name could resolve elsewhere) and checks it is loopback. */
    static Target of(String host, int port) {
        if (host.equals("localhost")) host = "127.0.0.1";
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
            throw new IllegalArgumentException("--host must be a loopback IP address such as 127.0.0.1, not '" + host + "'");
        }
        try {
            return new Target(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address " + host, e);
        }
    }

    @Override
    public String toString() {
        return address.getHostAddress() + ":" + port;
    }
}
