// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.util.Arrays;

/**
 * Latency samples of one operation kind, in nanoseconds, collected by one thread at a time (each
 * client owns its own and they are merged at the end). Bounded: past the cap a sample replaces a
 * random earlier one (reservoir sampling), so percentiles stay unbiased on long runs.
 */
final class Latencies {
    static final int CAP = 200_000;

    private long[] samples = new long[256];
    private int size;
    private long count;
    private long seed = 0x9E3779B97F4A7C15L;

    void add(long nanos) {
        count++;
        if (size < CAP) {
            if (size == samples.length) samples = Arrays.copyOf(samples, Math.min(CAP, size * 2));
            samples[size++] = nanos;
        } else {
            seed ^= seed << 13;
            seed ^= seed >>> 7;
            seed ^= seed << 17;
            long j = Math.floorMod(seed, count);
            if (j < CAP) samples[(int) j] = nanos;
        }
    }

    long count() {
        return count;
    }

    void addAll(Latencies other) {
        for (int i = 0; i < other.size; i++) add(other.samples[i]);
        count += other.count - other.size;
    }

    /** The p-th percentile (0..100) in milliseconds, or NaN without samples. */
    double percentileMillis(double p) {
        if (size == 0) return Double.NaN;
        long[] s = Arrays.copyOf(samples, size);
        Arrays.sort(s);
        int idx = (int) Math.min(size - 1, Math.max(0, Math.ceil(p / 100.0 * size) - 1));
        return s[idx] / 1e6;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        if (n == 0) return Double.NaN;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
