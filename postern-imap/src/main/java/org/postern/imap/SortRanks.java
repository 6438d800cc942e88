// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.util.Arrays;
import java.util.List;

/**
 * SORT's ordering over dense ranks (RFC 5256 §3): every criterion becomes an int rank per position,
 * and positions are ordered by a few passes of {@code Arrays.sort(long[])} over (rank, current place)
 * pairs, least significant criterion first. Packing the current place into the low bits makes each
 * pass stable, so equal keys keep sequence order, also under REVERSE. Primitive sorts need no
 * comparator calls: right after a restart, before the JIT has compiled SORT's code, a comparator
 * chain over 100,000 positions spent most of the first SORT's time.
 */
final class SortRanks {
    private SortRanks() {}

    /** One criterion: ranks 0..distinct-1 per position, larger sorting later unless reversed. */
    record Key(int[] ranks, int distinct, boolean reverse) {}

    /** Dense ranks of {@code v} in ascending order. */
    static Key of(long[] v, boolean reverse) {
        long[] sorted = v.clone();
        Arrays.sort(sorted);
        int d = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i == 0 || sorted[i] != sorted[d - 1]) sorted[d++] = sorted[i];
        }
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) r[i] = Arrays.binarySearch(sorted, 0, d, v[i]);
        return new Key(r, d, reverse);
    }

    /**
     * The rank of each of {@code values} (distinct strings) in String order: keys are casemapped
     * already, so String order is i;ascii-casemap order (RFC 4790 §9.2).
     */
    static int[] ofDistinct(List<String> values) {
        int n = values.size();
        String[] v = values.toArray(String[]::new);
        Integer[] byValue = new Integer[n];
        for (int i = 0; i < n; i++) byValue[i] = i;
        Arrays.sort(byValue, (a, b) -> v[a].compareTo(v[b]));
        int[] rank = new int[n];
        for (int r = 0; r < n; r++) rank[byValue[r]] = r;
        return rank;
    }

    /** Positions 0..n-1 in the order of {@code keys} (first most significant), ties in position order. */
    static int[] order(int n, List<Key> keys) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        // Adjacent criteria whose rank ranges multiply to less than 2^31 share one pass.
        int[][] groups = new int[keys.size()][];
        int g = 0;
        int[] acc = null;
        long range = 1;
        for (Key k : keys) {
            int d = Math.max(1, k.distinct());
            if (acc != null && range * d < Integer.MAX_VALUE) {
                for (int i = 0; i < n; i++) acc[i] = acc[i] * d + directed(k, i);
                range *= d;
            } else {
                if (acc != null) groups[g++] = acc;
                acc = new int[n];
                for (int i = 0; i < n; i++) acc[i] = directed(k, i);
                range = d;
            }
        }
        if (acc != null) groups[g++] = acc;
        long[] packed = new long[n];
        int[] next = new int[n];
        for (int x = g - 1; x >= 0; x--) {
            int[] r = groups[x];
            for (int j = 0; j < n; j++) packed[j] = ((long) r[p[j]] << 32) | j;
            Arrays.sort(packed);
            for (int j = 0; j < n; j++) next[j] = p[(int) packed[j]];
            int[] t = p;
            p = next;
            next = t;
        }
        return p;
    }

    private static int directed(Key k, int i) {
        return k.reverse() ? k.distinct() - 1 - k.ranks()[i] : k.ranks()[i];
    }
}
