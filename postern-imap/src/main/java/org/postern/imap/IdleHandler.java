// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.postern.store.StoreException;

/**
 * IDLE (RFC 2177). While the session's thread waits for DONE, a notifier thread reports changes as
 * the change feed announces them (and every few seconds regardless, for changes another process
 * made). Only the notifier writes during IDLE; it is stopped and joined before the session goes on,
 * so the view is never touched by two threads at once. EXPUNGE may be sent during IDLE.
 */
final class IdleHandler {
    /** Fallback poll interval, should a change notification be missed. */
    private static final long POLL_SECONDS = 10;

    String idle(ImapSession s, String tag) throws IOException, ImapException {
        s.out().raw("+ idling").crlf();
        s.out().flush();
        if (s.notify != null) return idleWithNotify(s);
        Notifier n = new Notifier(s);
        Thread t = Thread.ofVirtual().name("imap-idle").start(n);
        byte[] line;
        try {
            line = s.in().readLine(s.config.maxLine());
        } finally {
            n.stop = true;
            s.wake.release();
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (n.failure != null) throw n.failure;
        if (line == null) {
            s.state = CommandTable.State.LOGOUT;
            return null;
        }
        if (!new String(line, StandardCharsets.US_ASCII).equalsIgnoreCase("DONE")) {
            throw ImapException.bad("Expected DONE");
        }
        return "IDLE terminated";
    }

    /**
     * RFC 5465 §4: with NOTIFY on, IDLE sends exactly the events NOTIFY asked for, so NOTIFY's own
     * notifier reports them; this thread only gives up the output lock and waits for DONE.
     */
    private static String idleWithNotify(ImapSession s) throws IOException, ImapException {
        byte[] line;
        s.idling = true;
        s.outLock.unlock();
        try {
            s.wake.release();
            line = s.in().readLine(s.config.maxLine());
        } finally {
            s.outLock.lock();
            s.idling = false;
        }
        if (line == null) {
            s.state = CommandTable.State.LOGOUT;
            return null;
        }
        if (!new String(line, StandardCharsets.US_ASCII).equalsIgnoreCase("DONE")) throw ImapException.bad("Expected DONE");
        return "IDLE terminated";
    }

    private static final class Notifier implements Runnable {
        private final ImapSession s;
        volatile boolean stop;
        IOException failure;

        Notifier(ImapSession s) {
            this.s = s;
        }

        @Override
        public void run() {
            try {
                boolean first = true;
                while (!stop) {
                    if (!first) s.wake.tryAcquire(POLL_SECONDS, TimeUnit.SECONDS);
                    first = false;
                    s.wake.drainPermits();
                    if (stop) break;
                    if (s.accountGone || s.shutdownRequested) {
                        s.bye(s.accountGone ? "Account no longer available" : "Server shutting down");
                        s.conn.close();
                        return;
                    }
                    try {
                        s.syncSelected(true);
                    } catch (StoreException | ImapException e) {
                        // Reported at the next command; IDLE goes on, unless the session just said BYE.
                    }
                    if (s.state == CommandTable.State.LOGOUT) {
                        s.out().flush();
                        s.conn.close();
                        return;
                    }
                    s.out().flush();
                }
            } catch (IOException e) {
                failure = e;
                s.conn.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
