// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postern.store.ChangeEvent;

/** NOTIFY payloads: round trip, and anything else (a newer release, garbage) is ignored, not thrown. */
class PostgresChangeFeedPayloadTest {
    @Test
    void roundTrip() {
        for (ChangeEvent.Kind k : ChangeEvent.Kind.values()) {
            ChangeEvent e = new ChangeEvent(42, 7, 1_000_000_000_000L, k);
            assertThat(PostgresChangeFeed.decode(PostgresChangeFeed.encode(e))).isEqualTo(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1 2 3", "1 2 3 QUOTA", "a b c MESSAGES", "1 2 3 MESSAGES extra", "1  2 3 MESSAGES",
            "99999999999999999999 0 0 ACCOUNT", "1 2 3 messages"})
    void unknownPayloadsAreIgnored(String payload) {
        assertThat(PostgresChangeFeed.decode(payload)).isNull();
    }
}
