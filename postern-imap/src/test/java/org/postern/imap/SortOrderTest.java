// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * SORT's merge sort of positions (RFC 5256 §3: equal keys keep sequence order, also under REVERSE)
 * against the JDK's stable List.sort, on sizes that reach the insertion runs, the merges and the
 * already-ordered shortcut, with many ties.
 */
class SortOrderTest {
    @Test
    void sameOrderAsAStableSortWithTiesInSequenceOrder() {
        SplittableRandom rnd = new SplittableRandom(5256);
        for (int n : new int[] {0, 1, 2, 31, 32, 33, 64, 65, 100, 1000, 4097}) {
            for (int distinct : new int[] {1, 3, 50, 100_000}) {
                long[] key = new long[n];
                for (int i = 0; i < n; i++) key[i] = rnd.nextInt(distinct);
                for (boolean reverse : new boolean[] {false, true}) {
                    SortHandler.PositionOrder o = reverse ? (a, b) -> Long.compare(key[b], key[a])
                            : (a, b) -> Long.compare(key[a], key[b]);
                    int[] positions = new int[n];
                    for (int i = 0; i < n; i++) positions[i] = i;
                    SortHandler.sortStable(positions, o);
                    List<Integer> expected = new ArrayList<>();
                    for (int i = 0; i < n; i++) expected.add(i);
                    Comparator<Integer> byKey = Comparator.comparingLong(i -> key[i]);
                    expected.sort(reverse ? byKey.reversed() : byKey);
                    assertThat(positions).as("n=%d distinct=%d reverse=%s", n, distinct, reverse)
                            .containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
                }
            }
        }
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

    @Test
    void alreadyOrderedInputStaysAsItIs() {
        int n = 10_000;
        long[] key = new long[n];
        for (int i = 0; i < n; i++) key[i] = i / 7;
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) positions[i] = i;
        SortHandler.sortStable(positions, (a, b) -> Long.compare(key[a], key[b]));
        for (int i = 0; i < n; i++) assertThat(positions[i]).isEqualTo(i);
    }
}
