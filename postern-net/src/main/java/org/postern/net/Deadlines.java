// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Java sockets have read timeouts but no write timeout: a write to a peer that stopped reading blocks
 * once the socket buffers are full, and so does a TLS close_notify. One daemon thread watches every
 * live connection's write and close deadlines and resets the connections that overran them, which
 * makes the blocked writer fail (HOSTILE A45, slow reader; A47, output amplification).
 *
 * <p>It keeps read timeouts too, once a connection has spoken: a read blocked past its timeout gets
 * its input shut down and fails with a SocketTimeoutException ({@link TimedInput}). SO_TIMEOUT would
 * do the same with a timer armed and cancelled in the virtual-thread scheduler for every read that
 * waits; this costs one tick of precision instead, which timeouts of seconds and minutes do not mind.
 *
 * <p>A connection costs nothing here beyond a few volatile reads per tick: its write and close
 * deadlines, and when its read started.
 */
final class Deadlines {
    static final long TICK_MILLIS = 100;

    private static final Set<Connection> LIVE = ConcurrentHashMap.newKeySet();
    private static volatile Thread watcher;

    private Deadlines() {}

    static void watch(Connection c) {
        LIVE.add(c);
        if (watcher == null) startWatcher();
    }

    static void forget(Connection c) {
        LIVE.remove(c);
    }

    static int watched() {
        return LIVE.size();
    }

    private static synchronized void startWatcher() {
        if (watcher != null) return;
        watcher = Thread.ofPlatform().daemon().name("net-deadlines").start(Deadlines::loop);
    }

    private static void loop() {
        while (true) {
            try {
                TimeUnit.MILLISECONDS.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                // Nobody interrupts this thread on purpose; keep watching.
            }
            long now = System.nanoTime();
            for (Connection c : LIVE) {
                if (c.overran(now)) c.abort();
                else c.expireRead(now);
            }
        }
    }
}
