// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.util.Map;
import org.postern.server.config.Service;

/** The table of DESIGN.md §1 for the ports actually bound, printed at every start. */
final class PortTable {
    private PortTable() {}

    static String render(String listenAddress, Map<Service, Integer> bound) {
        StringBuilder b = new StringBuilder();
        b.append("Listening on ").append(listenAddress).append(":\n");
        String format = "  %-6s %-16s %-32s %s%n";
        b.append(String.format(format, "port", "protocol", "TLS", "who uses it"));
        for (Service s : Service.values()) {
            Integer port = bound.get(s);
            if (port == null) continue;
            b.append(String.format(format, port, s.protocol(), s.tlsMode(), s.users()));
        }
        return b.toString();
    }
}
