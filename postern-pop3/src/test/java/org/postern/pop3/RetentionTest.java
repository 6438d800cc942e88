// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.store.Mailbox;
import org.postern.store.SpecialUse;

class RetentionTest {
    static Stream<Arguments> settings() {
        return Stream.of(
                Arguments.of("keep", Optional.of(new Retention.Keep()), "NEVER"),
                Arguments.of(" KEEP ", Optional.of(new Retention.Keep()), "NEVER"),
                Arguments.of("delete", Optional.of(new Retention.DeleteAfterDownload()), "0"),
                Arguments.of("delete-after-days:30", Optional.of(new Retention.DeleteAfterDays(30)), "30"),
                Arguments.of("delete-after-days:0", Optional.of(new Retention.DeleteAfterDays(0)), "0"),
                Arguments.of("delete-after-days:", Optional.empty(), "NEVER"),
                Arguments.of("delete-after-days:-1", Optional.empty(), "NEVER"),
                Arguments.of("delete-after-days:999999999999", Optional.empty(), "NEVER"),
                Arguments.of("remove", Optional.empty(), "NEVER"),
                Arguments.of("", Optional.empty(), "NEVER"));
    }

    @ParameterizedTest
    @MethodSource
    void settings(String text, Optional<Retention> parsed, String expire) {
        assertThat(Retention.parse(text)).isEqualTo(parsed);
        assertThat(Retention.ofSetting(text).expire()).isEqualTo(expire);
        parsed.ifPresent(r -> assertThat(Retention.parse(r.setting())).contains(r));
    }

    @Test
    void whatUpdateExpunges() throws Exception {
        Instant now = Instant.parse("2026-06-01T00:00:00Z");
        Instant old = now.minus(Duration.ofDays(40));
        Mailbox inbox = new Mailbox(1, 1, "INBOX", SpecialUse.NONE, 7, 10, 1, true, 4, 0);
        Maildrop m = new Maildrop(inbox, List.of(
                new Maildrop.Entry(1, 10, "a", old, true),   // read earlier (IMAP or an older POP3 session)
                new Maildrop.Entry(2, 10, "b", old, false),  // retrieved now
                new Maildrop.Entry(3, 10, "c", old, false),  // untouched
                new Maildrop.Entry(4, 10, "d", now, false)), // retrieved now, but young
                null, new WireSizes(), true);
        m.markRetrieved(2);
        m.markRetrieved(4);
        m.delete(3);
        assertThat(m.toExpunge(new Retention.Keep(), now)).containsExactly(3L);
        assertThat(m.toExpunge(new Retention.DeleteAfterDownload(), now)).containsExactly(2L, 3L, 4L);
        assertThat(m.toExpunge(new Retention.DeleteAfterDays(30), now)).containsExactly(1L, 2L, 3L);
        m.undeleteAll();
        assertThat(m.toExpunge(new Retention.Keep(), now)).isEmpty();
        assertThat(m.uniqueId(2)).isEqualTo("7.2");
    }
}
