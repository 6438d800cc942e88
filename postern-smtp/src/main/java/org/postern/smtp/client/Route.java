// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import java.net.InetAddress;
import java.util.List;

/** Where mail for a domain goes, as RFC 5321 §5.1 and RFC 7505 decide. */
public sealed interface Route {
    /** Hosts to try in order, each with its addresses in the order to try them. */
    record Hosts(List<Host> hosts) implements Route {
        public Hosts {
            hosts = List.copyOf(hosts);
        }
    }

    record Host(String name, List<InetAddress> addresses) {
        public Host {
            addresses = List.copyOf(addresses);
        }
    }

    /** A permanent answer: null MX, no such domain, no address at all (RFC 5321 §5.1: bounce). */
    record Unroutable(String status, String reason) implements Route {}

    /** DNS could not be asked or every MX host failed to resolve; try again later. */
    record TryLater(String reason) implements Route {}
}
