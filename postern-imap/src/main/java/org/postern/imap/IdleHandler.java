// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.postern.store.StoreException;

/**
 * IDLE (RFC 2177) without a thread of its own per connection: while the session's thread waits for
 * DONE (holding no lock), each wake-up of the session (change feed, shutdown, and a shared poll every
 * few seconds for changes another process made) starts one short-lived task that reports changes
 * under the session's output lock. An idle connection thus keeps one parked thread, not two. At
 * most one task runs at a time (the output lock), and none after DONE: the session thread marks the
 * IDLE over before it takes the lock back, and a task checks that mark once it holds the lock, so the
 * view is never touched by two threads at once. EXPUNGE may be sent during IDLE.
 */
final class IdleHandler {
    /** Fallback poll interval, should a change notification be missed. */
    private static final long POLL_SECONDS = 10;
    /** One timer for every idling session of the process: a poll is a wake-up, the work runs elsewhere. */
    private static final ScheduledThreadPoolExecutor POLL = poller();

    private static ScheduledThreadPoolExecutor poller() {
        ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("imap-idle-poll").factory());
        // Each DONE cancels its poll: do not keep cancelled ones queued until they would have fired.
        p.setRemoveOnCancelPolicy(true);
        return p;
    }

    /**
     * The session's wake-up source: released by the change feed and by shutdown; while IDLE runs,
     * each release also starts the IDLE reporting task.
     */
    static final class Wake extends Semaphore {
        private volatile Runnable listener;

        Wake() {
            super(0);
        }

        /** Called on every release from now on (IDLE's reporter, or NOTIFY's), replacing any other. */
        void listener(Runnable l) {
            listener = l;
        }

        /** Stops calling {@code l}, unless another listener replaced it already. */
        void clearListener(Runnable l) {
            if (listener == l) listener = null;
        }

        @Override
        public void release() {
            super.release();
            Runnable l = listener;
            if (l != null) l.run();
        }
    }

    /** Releases on a shared timer every {@code seconds}, until cancelled. */
    static ScheduledFuture<?> poll(Runnable release, long seconds) {
        return POLL.scheduleWithFixedDelay(release, seconds, seconds, TimeUnit.SECONDS);
    }

    String idle(ImapSession s, String tag) throws IOException, ImapException {
        s.out().raw("+ idling").crlf();
        s.out().flush();
        // An idling connection should cost little (many clients IDLE for hours): let go of what the view
        // can load again.
        SelectedMailbox m = s.selected;
        if (m != null) m.release();
        if (s.notify != null) return idleWithNotify(s);
        Reporter r = new Reporter(s);
        byte[] line;
        s.outLock.unlock();
        ScheduledFuture<?> poll = null;
        try {
            s.wake.listener(r::wake);
            poll = poll(() -> {
                s.changeSuspected();
                s.wake.release();
            }, POLL_SECONDS);
            // The first report at once: changes may have come in while the last command ran.
            s.wake.release();
            line = s.in().readLine(s.config.maxLine());
        } finally {
            r.over = true;
            s.wake.listener(null);
            if (poll != null) poll.cancel(false);
            s.outLock.lock();
        }
        if (r.failure != null) throw r.failure;
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

    /** Reports changes during one IDLE, on a short-lived virtual thread per wake-up. */
    private static final class Reporter {
        private final ImapSession s;
        private final AtomicBoolean queued = new AtomicBoolean();
        /** Set by the session thread when DONE (or EOF) arrived; read under the output lock. */
        volatile boolean over;
        volatile IOException failure;

        Reporter(ImapSession s) {
            this.s = s;
        }

        /** From whichever thread released the session's wake-up: never blocks. */
        void wake() {
            if (!over && queued.compareAndSet(false, true)) Thread.ofVirtual().name("imap-idle").start(this::report);
        }

        private void report() {
            // A wake-up from here on starts another run, which waits for this one at the lock.
            queued.set(false);
            s.outLock.lock();
            try {
                if (over) return;
                // Before looking at the store: a change after this point wakes us again.
                s.wake.drainPermits();
                if (s.accountGone || s.shutdownRequested) {
                    s.bye(s.accountGone ? "Account no longer available" : "Server shutting down");
                    over = true;
                    s.conn.close();
                    return;
                }
                try {
                    s.syncSelected(true, true);
                } catch (StoreException | ImapException e) {
                    // Reported at the next command; IDLE goes on, unless the session just said BYE.
                }
                s.out().flush();
                if (s.state == CommandTable.State.LOGOUT) {
                    over = true;
                    s.conn.close();
                }
            } catch (IOException e) {
                failure = e;
                over = true;
                s.conn.close();
            } finally {
                s.outLock.unlock();
            }
        }
    }
}
