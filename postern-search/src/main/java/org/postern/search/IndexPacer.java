// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Paces the indexer so that, while the machine's CPUs are busy with other work, indexing takes only a
 * small share of them. Indexing is background work whose delay costs nothing but a longer scan for
 * searches (callers scan what lies above the indexed mark), while a protocol command waiting for a
 * CPU costs its client latency; yet Linux ignores Java thread priorities (the indexer's
 * {@code MIN_PRIORITY} is a no-op there), so on a saturated machine the indexer would take a full share.
 *
 * <p>Every {@link #WINDOW_NANOS} the pacer compares the CPU time the whole machine used with the
 * indexer thread's own: when less than {@link #SPARE_CORES} of a core was idle and the other threads
 * and processes used more than that, the indexer works {@link #BUSY_DUTY} of the time (it sleeps after each document for the document's time
 * multiplied accordingly). The delay is bounded: work pending for longer than {@link #MAX_DEFER_NANOS}
 * is done at full speed until the queue is empty, so an overloaded machine never stops indexing.
 * Where the machine's CPU time cannot be read (no {@code /proc/stat}), the pacer never sleeps.
 */
final class IndexPacer {
    static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** Idle CPU below which the machine counts as busy, in cores; the others must use more than this. */
    static final double SPARE_CORES = 0.5;
    /** The share of wall time the indexer works while the machine is busy. */
    static final double BUSY_DUTY = 0.1;
    static final long MAX_DEFER_NANOS = TimeUnit.SECONDS.toNanos(20);
    /** One pause never exceeds this, so closing and hurrying take effect quickly. */
    static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** CPU time the whole machine spent busy, in nanoseconds summed over all CPUs; -1 when unknown. */
    interface MachineCpu {
        long busyNanos();
    }

    private final MachineCpu machine;
    private final LongSupplier ownCpu;
    private final LongSupplier clock;
    private final int cores;
    private final Sleeper sleeper;

    /** Indexer thread only; the window starts at the first document (the baseline must be the indexer's CPU). */
    private long windowStart = -1;
    private long machineAtStart;
    private long ownAtStart;
    private boolean busy;
    /** When the indexer last had nothing left to do. */
    private long caughtUpAt;
    /** Waiters that need the index current now (tests, tools): no pauses while there are any. */
    private final AtomicInteger hurrying = new AtomicInteger();

    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    IndexPacer(MachineCpu machine, LongSupplier ownCpu, LongSupplier clock, int cores, Sleeper sleeper) {
        this.machine = machine;
        this.ownCpu = ownCpu;
        this.clock = clock;
        this.cores = cores;
        this.sleeper = sleeper;
        this.caughtUpAt = clock.getAsLong();
    }

    /** A pacer for the thread that will call {@link #afterDocument}, reading Linux's {@code /proc/stat}. */
    static IndexPacer forIndexerThread() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        LongSupplier own = threads.isCurrentThreadCpuTimeSupported() ? threads::getCurrentThreadCpuTime : () -> -1;
        return new IndexPacer(ProcStat.openOrNull(), own, System::nanoTime, Runtime.getRuntime().availableProcessors(),
                TimeUnit.NANOSECONDS::sleep);
    }

    /** The indexer found its queue empty. */
    void caughtUp() {
        caughtUpAt = clock.getAsLong();
    }

    /** From any thread: {@code true} while a caller waits for the index, then {@code false} once. */
    void hurry(boolean on) {
        if (on) hurrying.incrementAndGet();
        else hurrying.decrementAndGet();
    }

    /** Whether the last window found the machine busy (for tests and logs). */
    boolean busy() {
        return busy;
    }

    /**
     * Called by the indexer thread after each document with the wall time it took; sleeps when the
     * machine is busy and the pending work is young enough to wait. An interrupt ends the pause and
     * stays set.
     */
    void afterDocument(long workNanos) {
        long now = clock.getAsLong();
        if (windowStart < 0) {
            startWindow(now);
            return;
        }
        if (now - windowStart >= WINDOW_NANOS) measure(now);
        if (!busy || hurrying.get() > 0 || now - caughtUpAt > MAX_DEFER_NANOS) return;
        long pause = (long) (workNanos * (1 - BUSY_DUTY) / BUSY_DUTY);
        if (pause <= 0) return;
        try {
            sleeper.sleep(Math.min(pause, MAX_PAUSE_NANOS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void startWindow(long now) {
        windowStart = now;
        machineAtStart = machine.busyNanos();
        ownAtStart = ownCpu.getAsLong();
    }

    private void measure(long now) {
        long m = machine.busyNanos();
        long own = ownCpu.getAsLong();
        long wall = now - windowStart;
        if (m >= 0 && machineAtStart >= 0 && own >= 0 && ownAtStart >= 0 && wall > 0) {
            double mine = (own - ownAtStart) / (double) wall;
            double others = (m - machineAtStart) / (double) wall - mine;
            // Busy: little idle CPU left, and others use a real part of it. Not "others alone leave little
            // idle": an indexer at full speed takes the CPU the others would use, so they would look modest.
            // When the others did not need what a pause freed, the next window finds idle CPU again.
            busy = others + mine > cores - SPARE_CORES && others > SPARE_CORES;
        } else {
            busy = false;
        }
        windowStart = now;
        machineAtStart = m;
        ownAtStart = own;
    }

    /** The machine's busy CPU time from the first line of Linux's {@code /proc/stat} (proc(5)). */
    static final class ProcStat implements MachineCpu {
        private static final Path STAT = Path.of("/proc/stat");
        /** proc(5): the fields count USER_HZ ticks, 100 per second on every Linux architecture Java runs on. */
        private static final long NANOS_PER_TICK = TimeUnit.SECONDS.toNanos(1) / 100;

        static MachineCpu openOrNull() {
            ProcStat p = new ProcStat();
            return p.busyNanos() >= 0 ? p : () -> -1;
        }

        @Override
        public long busyNanos() {
            // Only the first line: the file goes on with a line per CPU and interrupt counters.
            try (BufferedReader r = Files.newBufferedReader(STAT)) {
                String first = r.readLine();
                return first == null ? -1 : parse(first);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        /** user nice system idle iowait irq softirq steal ...: everything but idle and iowait is busy. */
        static long parse(String firstLine) {
            String[] f = firstLine.trim().split("\\s+");
            if (f.length < 5 || !f[0].equals("cpu")) return -1;
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i == 4 || i == 5) continue;
                busy += Long.parseLong(f[i]);
            }
            return busy * NANOS_PER_TICK;
        }
    }
}
