// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatenciesTest {
    @Test
    void percentilesInMillis() {
        Latencies l = new Latencies();
        for (int i = 1; i <= 100; i++) l.add(i * 1_000_000L);
        assertThat(l.percentileMillis(50)).isEqualTo(50.0);
        assertThat(l.percentileMillis(99)).isEqualTo(99.0);
        assertThat(l.percentileMillis(100)).isEqualTo(100.0);
        assertThat(new Latencies().percentileMillis(50)).isNaN();
    }

    @Test
    void boundedButCountsEverything() {
        Latencies l = new Latencies();
        int n = Latencies.CAP * 3;
        for (int i = 0; i < n; i++) l.add(i % 1000 * 1_000_000L);
        assertThat(l.count()).isEqualTo(n);
        assertThat(l.percentileMillis(50)).isCloseTo(500, within(25.0));
        Latencies merged = new Latencies();
        merged.addAll(l);
        assertThat(merged.count()).isEqualTo(n);
    }

    @Test
    void median() {
        assertThat(Latencies.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(Latencies.median(new double[] {4, 1, 2, 3})).isEqualTo(2.5);
    }
}
