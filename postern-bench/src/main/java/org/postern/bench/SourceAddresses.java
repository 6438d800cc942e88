// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Client source addresses spread over 127.0.0.0/8 (Linux routes the whole block to loopback), a few
 * dozen connections each: real clients come from many addresses, and a server's per-address limit
 * (Postern allows 50, like Postfix) must not be what a load test measures.
 */
final class SourceAddresses {
    static final int PER_ADDRESS = 40;

    private SourceAddresses() {}

    /** 127.1.x.y for connection {@code i}; never 127.0.0.1, which the servers themselves use. */
    static InetAddress forConnection(int i) {
        int a = i / PER_ADDRESS;
        byte[] ip = {127, 1, (byte) (a / 250), (byte) (a % 250 + 1)};
        try {
            return InetAddress.getByAddress(ip);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
