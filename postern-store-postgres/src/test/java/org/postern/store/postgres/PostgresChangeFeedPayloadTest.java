// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postern.store.ChangeEvent;
import org.postern.store.MetadataStore;

/** NOTIFY payloads: round trip, and anything else (a newer release, garbage) is ignored, not thrown. */
class PostgresChangeFeedPayloadTest {
    @Test
    void roundTrip() {
        for (ChangeEvent.Kind k : ChangeEvent.Kind.values()) {
            if (k == ChangeEvent.Kind.METADATA) continue;
            ChangeEvent e = new ChangeEvent(42, 7, 1_000_000_000_000L, k);
            assertThat(PostgresChangeFeed.decode(PostgresChangeFeed.encode(e))).isEqualTo(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/shared/comment", "/private/with space and \u00e9", "/private/vendor/postern/webmail"})
    void metadataEntriesRoundTrip(String name) {
        for (MetadataStore.Scope scope : new MetadataStore.Scope[] {MetadataStore.Scope.serverShared(),
                MetadataStore.Scope.serverPrivate(5), MetadataStore.Scope.mailboxShared(3, 9),
                MetadataStore.Scope.mailboxPrivate(3, 9, 5)}) {
            ChangeEvent e = ChangeEvent.metadata(scope, name);
            String payload = PostgresChangeFeed.encode(e);
            assertThat(PostgresChangeFeed.decode(payload)).as(payload).isEqualTo(e);
        }
    }

    @Test
    void tooLongAnEntryGoesAsAHint() {
        ChangeEvent e = ChangeEvent.metadata(MetadataStore.Scope.mailboxShared(3, 9), "/shared/" + "x".repeat(7_000));
        assertThat(PostgresChangeFeed.decode(PostgresChangeFeed.encode(e)))
                .isEqualTo(new ChangeEvent(3, 9, 0, ChangeEvent.Kind.MAILBOXES));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1 2 3", "1 2 3 QUOTA", "a b c MESSAGES", "1 2 3 MESSAGES extra", "1  2 3 MESSAGES",
            "99999999999999999999 0 0 ACCOUNT", "1 2 3 messages",
            "1 2 3 METADATA", "1 2 3 METADATA x", "1 2 3 METADATA 1 x", "1 2 3 IDENTITIES /shared/x"})
    void unknownPayloadsAreIgnored(String payload) {
        assertThat(PostgresChangeFeed.decode(payload)).isNull();
    }
}
