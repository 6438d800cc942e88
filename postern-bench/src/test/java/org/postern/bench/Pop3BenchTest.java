// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Pop3BenchTest {
    @Test
    void clientsShareOutTheUsersWithoutOverlapAndUseThemAll() {
        for (int[] cu : new int[][] {{10, 100}, {100, 100}, {7, 100}, {3, 4}, {1, 5}}) {
            int clients = cu[0];
            int users = cu[1];
            Map<Integer, Integer> owner = new HashMap<>();
            for (int id = 0; id < clients; id++) {
                for (int round = 0; round < 3 * users; round++) {
                    int u = Pop3Bench.userFor(id, round, clients, users);
                    assertThat(u).isBetween(0, users - 1);
                    assertThat(owner.putIfAbsent(u, id)).as("user %d of %d clients/%d users", u, clients, users)
                            .isIn(null, id);
                }
            }
            assertThat(owner).hasSize(users);
        }
    }

    @Test
    void moreClientsThanUsersStillStayInRange() {
        Set<Integer> seen = new HashSet<>();
        for (int id = 0; id < 10; id++) seen.add(Pop3Bench.userFor(id, 5, 10, 4));
        assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(Pop3Bench.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(Pop3Bench.median(new double[] {4, 1, 2, 3})).isEqualTo(2.5);
    }
}
