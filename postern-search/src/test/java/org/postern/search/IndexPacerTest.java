// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IndexPacerTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** A machine of two cores whose CPU use, the indexer's and the clock the test moves by hand. */
    private long now = 1_000 * MS;
    private long machine;
    private long own;
    private boolean machineKnown = true;
    private final List<Long> sleeps = new ArrayList<>();

    private IndexPacer pacer() {
        return new IndexPacer(() -> machineKnown ? machine : -1, () -> own, () -> now, 2, sleeps::add);
    }

    /** One window of {@code ms} in which the others used {@code othersCores} and the indexer {@code ownCores}. */
    private void window(long ms, double othersCores, double ownCores) {
        now += ms * MS;
        own += (long) (ms * MS * ownCores);
        machine += (long) (ms * MS * (othersCores + ownCores));
    }

    @Test
    void idleMachineNeverPauses() {
        IndexPacer p = pacer();
        p.afterDocument(MS);
        window(300, 0.4, 1.0);
        p.afterDocument(2 * MS);
        window(300, 0.6, 0.9);
        p.afterDocument(2 * MS);
        assertThat(p.busy()).isFalse();
        assertThat(sleeps).isEmpty();
    }

    @Test
    void busyMachinePausesNineTimesTheWork() {
        IndexPacer p = pacer();
        p.afterDocument(MS);
        // The others take 1.6 of 2 cores while the indexer takes 0.4: less than half a core to spare.
        window(300, 1.6, 0.4);
        p.afterDocument(2 * MS);
        assertThat(p.busy()).isTrue();
        assertThat(sleeps).containsExactly(18 * MS);
        p.afterDocument(100 * MS);
        assertThat(sleeps).last().isEqualTo(IndexPacer.MAX_PAUSE_NANOS);
    }

    @Test
    void theIndexerAloneDoesNotMakeTheMachineBusy() {
        IndexPacer p = new IndexPacer(() -> machine, () -> own, () -> now, 1, sleeps::add);
        p.afterDocument(MS);
        // One core, the indexer takes all of it and nothing else runs.
        window(300, 0.1, 0.9);
        p.afterDocument(2 * MS);
        assertThat(p.busy()).isFalse();
        assertThat(sleeps).isEmpty();
    }

    @Test
    void anIndexerAtFullSpeedDoesNotHideTheOthersDemand() {
        IndexPacer p = pacer();
        p.afterDocument(MS);
        // The indexer takes 0.7 core: the others get 1.25 and the machine has no idle CPU left.
        window(300, 1.25, 0.7);
        p.afterDocument(2 * MS);
        assertThat(p.busy()).isTrue();
        assertThat(sleeps).containsExactly(18 * MS);
        // Paused, the indexer leaves 0.6 core the others do not take: full speed again.
        window(300, 1.3, 0.1);
        p.afterDocument(2 * MS);
        assertThat(p.busy()).isFalse();
        assertThat(sleeps).hasSize(1);
    }

    @Test
    void waitersAndOldWorkGetFullSpeed() {
        IndexPacer p = pacer();
        p.afterDocument(MS);
        window(300, 1.9, 0.1);
        p.hurry(true);
        p.afterDocument(MS);
        assertThat(p.busy()).isTrue();
        assertThat(sleeps).isEmpty();
        p.hurry(false);
        p.afterDocument(MS);
        assertThat(sleeps).hasSize(1);

        // Pending since the last catch-up for longer than the bound: no more pauses until caught up.
        window(IndexPacer.MAX_DEFER_NANOS / MS, 1.9, 0.1);
        p.afterDocument(MS);
        assertThat(p.busy()).isTrue();
        assertThat(sleeps).hasSize(1);
        p.caughtUp();
        p.afterDocument(MS);
        assertThat(sleeps).hasSize(2);
    }

    @Test
    void unknownMachineCpuNeverPauses() {
        machineKnown = false;
        IndexPacer p = pacer();
        p.afterDocument(MS);
        window(300, 2.0, 0.0);
        p.afterDocument(MS);
        assertThat(p.busy()).isFalse();
        assertThat(sleeps).isEmpty();
    }

    @Test
    void procStatCountsEverythingButIdleAndIowait() {
        // proc(5): user nice system idle iowait irq softirq steal guest guest_nice, in ticks of 10 ms.
        assertThat(IndexPacer.ProcStat.parse("cpu  100 2 30 5000 70 4 5 6 50 1"))
                .isEqualTo((100 + 2 + 30 + 4 + 5 + 6) * 10 * MS);
        assertThat(IndexPacer.ProcStat.parse("cpu0 1 2 3 4 5")).isEqualTo(-1);
        assertThat(IndexPacer.ProcStat.parse("intr 1 2")).isEqualTo(-1);
    }
}
