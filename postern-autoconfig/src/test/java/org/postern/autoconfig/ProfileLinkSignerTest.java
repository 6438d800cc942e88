// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ProfileLinkSignerTest {
    static final Instant T0 = Instant.parse("2026-11-27T09:00:00Z");
    final AtomicReference<Instant> now = new AtomicReference<>(T0);
    final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };

    @Test
    void aLinkIsValidForItsAddressUntilItExpires() {
        ProfileLinkSigner s = new ProfileLinkSigner(clock);
        ProfileLinkSigner.Link l = s.sign("alice@example.test");
        String e = Long.toString(l.expires());
        assertThat(l.expires()).isEqualTo(T0.plus(ProfileLinkSigner.LIFETIME).getEpochSecond());
        assertThat(s.valid("alice@example.test", e, l.signature())).isTrue();
        assertThat(s.valid("Alice@Example.TEST", e, l.signature())).as("addresses compare without case").isTrue();
        now.set(T0.plus(Duration.ofMinutes(14)));
        assertThat(s.valid("alice@example.test", e, l.signature())).isTrue();
        now.set(T0.plus(ProfileLinkSigner.LIFETIME));
        assertThat(s.valid("alice@example.test", e, l.signature())).as("expired").isFalse();
    }

    @Test
    void forgedOrForeignLinksFail() {
        ProfileLinkSigner s = new ProfileLinkSigner(clock);
        ProfileLinkSigner.Link l = s.sign("alice@example.test");
        String e = Long.toString(l.expires());
        // Bound to the address, to the expiry and to this process's key.
        assertThat(s.valid("bob@example.test", e, l.signature())).isFalse();
        assertThat(s.valid("alice@example.test", Long.toString(l.expires() - 1), l.signature())).isFalse();
        assertThat(new ProfileLinkSigner(clock).valid("alice@example.test", e, l.signature())).isFalse();
        // A link from the same key but far in the future (as if the key leaked once) is refused too.
        ProfileLinkSigner early = new ProfileLinkSigner(new byte[32], clock);
        now.set(T0.plus(Duration.ofDays(1)));
        ProfileLinkSigner.Link future = early.sign("alice@example.test");
        now.set(T0);
        assertThat(early.valid("alice@example.test", Long.toString(future.expires()), future.signature())).isFalse();
    }

    @Test
    void hostileFieldsAreRefusedWithoutAnException() {
        ProfileLinkSigner s = new ProfileLinkSigner(clock);
        String sig = s.sign("alice@example.test").signature();
        for (String[] row : new String[][] {
            {null, "1", sig}, {"alice@example.test", null, sig}, {"alice@example.test", "1", null},
            {"alice@example.test", "", sig}, {"alice@example.test", "-5", sig}, {"alice@example.test", "1e9", sig},
            {"alice@example.test", "99999999999999999999", sig}, {"alice@example.test", "9".repeat(5000), sig},
            {"alice@example.test", Long.toString(T0.getEpochSecond() + 60), "x".repeat(100_000)},
            {"alice@example.test", Long.toString(T0.getEpochSecond() + 60), ""},
            {"alice@example.test", "٣٣٣", sig},
        }) {
            assertThat(s.valid(row[0], row[1], row[2])).as(String.join(" | ", String.valueOf(row[0]), String.valueOf(row[1]))).isFalse();
        }
    }
}
