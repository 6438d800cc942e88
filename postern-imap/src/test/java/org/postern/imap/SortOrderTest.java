// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * SORT's ordering by ranks (RFC 5256 §3: equal keys keep sequence order, also under REVERSE) against
 * the JDK's stable List.sort, with one and two criteria, many ties, and rank ranges that share a pass
 * and that do not.
 */
class SortOrderTest {
    @Test
    void sameOrderAsAStableSortWithTiesInSequenceOrder() {
        SplittableRandom rnd = new SplittableRandom(5256);
        for (int n : new int[] {0, 1, 2, 31, 33, 100, 1000, 4097}) {
            for (int distinct : new int[] {1, 3, 50, 100_000}) {
                long[] key = new long[n];
                long[] second = new long[n];
                for (int i = 0; i < n; i++) {
                    key[i] = rnd.nextInt(distinct) - distinct / 2;
                    second[i] = rnd.nextLong(3) * (Long.MAX_VALUE / 2);
                }
                for (boolean reverse : new boolean[] {false, true}) {
                    int[] positions = SortRanks.order(n, List.of(SortRanks.of(key, reverse)));
                    Comparator<Integer> byKey = Comparator.comparingLong(i -> key[i]);
                    assertThat(positions).as("n=%d distinct=%d reverse=%s", n, distinct, reverse)
                            .containsExactly(stable(n, reverse ? byKey.reversed() : byKey));
                    int[] two = SortRanks.order(n, List.of(SortRanks.of(key, reverse), SortRanks.of(second, !reverse)));
                    Comparator<Integer> bySecond = Comparator.comparingLong(i -> second[i]);
                    assertThat(two).as("two keys n=%d distinct=%d reverse=%s", n, distinct, reverse)
                            .containsExactly(stable(n, (reverse ? byKey.reversed() : byKey)
                                    .thenComparing(reverse ? bySecond : bySecond.reversed())));
                }
            }
        }
    }

    /** Rank ranges too large to share one int (100,000 x 100,000) take a pass each. */
    @Test
    void largeRangesTakeSeparatePasses() {
        int n = 100_000;
        long[] a = new long[n];
        long[] b = new long[n];
        for (int i = 0; i < n; i++) {
            a[i] = (i * 7919L) % n;
            b[i] = n - i;
        }
        a[5] = a[6];
        int[] p = SortRanks.order(n, List.of(SortRanks.of(a, false), SortRanks.of(b, false)));
        Comparator<Integer> c = Comparator.<Integer>comparingLong(i -> a[i]).thenComparingLong(i -> b[i]);
        assertThat(p).containsExactly(stable(n, c));
    }

    @Test
    void stringRanksFollowStringOrder() {
        assertThat(SortRanks.ofDistinct(List.of("B", "A", "", "AB"))).containsExactly(3, 1, 0, 2);
    }

    private static int[] stable(int n, Comparator<Integer> c) {
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) expected.add(i);
        expected.sort(c);
        return expected.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void headerBlockEndsAtTheFirstEmptyLine() throws Exception {
        String[][] rows = {
            {"Subject: a\r\nDate: x\r\n\r\nbody\r\n\r\nmore", "Subject: a\r\nDate: x\r\n\r\n"},
            {"Subject: a\n\nbody", "Subject: a\n\n"},
            {"\r\nbody: not a header\r\n\r\n", "\r\n"},
            {"\nbody", "\n"},
            {"Subject: no body at all", "Subject: no body at all"},
            {"", ""},
        };
        for (String[] r : rows) {
            byte[] got = SortHandler.untilBlankLine(new java.io.ByteArrayInputStream(r[0].getBytes()));
            assertThat(new String(got)).as(r[0]).isEqualTo(r[1]);
        }
        // A header block past the cap is left to the whole-message parse.
        byte[] huge = ("X: " + "y".repeat(300 * 1024) + "\r\n\r\n").getBytes();
        assertThat(SortHandler.untilBlankLine(new java.io.ByteArrayInputStream(huge))).isNull();
    }
}
