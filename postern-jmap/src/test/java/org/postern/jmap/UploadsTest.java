// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** RFC 8620 §6.1 pending-upload rules. */
class UploadsTest {
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    final TestClock clock = new TestClock();
    final Uploads uploads = new Uploads(clock, new Uploads.Quota(1000, 3, Duration.ofHours(1)));

    @Test
    void anUploadBelongsToItsUploaderOnly() {
        uploads.record(1, "b1", 10);
        assertThat(uploads.owns(1, "b1")).isTrue();
        assertThat(uploads.owns(2, "b1")).isFalse();
        assertThat(uploads.owns(1, "b2")).isFalse();
    }

    @Test
    void unreferencedUploadsExpireAfterKeepAndReuploadResetsTheClock() {
        uploads.record(1, "b1", 10);
        uploads.record(1, "b2", 10);
        clock.now = clock.now.plus(Duration.ofMinutes(59));
        assertThat(uploads.owns(1, "b1")).isTrue();
        uploads.record(1, "b2", 10); // re-uploaded
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        assertThat(uploads.owns(1, "b1")).isFalse();
        assertThat(uploads.owns(1, "b2")).isTrue();
        assertThat(uploads.pendingBytes(1)).isEqualTo(10);
    }

    @Test
    void overQuotaTheOldestGoFirstUntilTheNewOneFits() {
        uploads.record(1, "a", 400);
        clock.now = clock.now.plusSeconds(1);
        uploads.record(1, "b", 400);
        clock.now = clock.now.plusSeconds(1);
        uploads.record(1, "c", 400);
        assertThat(uploads.owns(1, "a")).isFalse();
        assertThat(uploads.owns(1, "b")).isTrue();
        assertThat(uploads.owns(1, "c")).isTrue();
        assertThat(uploads.pendingBytes(1)).isEqualTo(800);
        // Another account's quota is its own.
        uploads.record(2, "x", 900);
        assertThat(uploads.owns(1, "b")).isTrue();
    }

    @Test
    void theCountIsCappedToo() {
        for (int i = 0; i < 5; i++) uploads.record(1, "u" + i, 1);
        assertThat(uploads.owns(1, "u0")).isFalse();
        assertThat(uploads.owns(1, "u1")).isFalse();
        assertThat(uploads.owns(1, "u2")).isTrue();
        assertThat(uploads.owns(1, "u4")).isTrue();
    }

    @Test
    void concurrentUploadSlotsAreCountedPerAccount() {
        assertThat(uploads.begin(1, 2)).isTrue();
        assertThat(uploads.begin(1, 2)).isTrue();
        assertThat(uploads.begin(1, 2)).isFalse();
        assertThat(uploads.begin(2, 2)).isTrue();
        uploads.end(1);
        assertThat(uploads.begin(1, 2)).isTrue();
    }
    @Test
    void expiredAndPushedOutUploadsAreDeletedFromTheBlobStore() {
        java.util.List<String> deleted = new java.util.ArrayList<>();
        uploads.deletingWith(deleted::add);
        uploads.record(1, "old", 10);
        clock.now = clock.now.plus(Duration.ofMinutes(61));
        uploads.sweep();
        assertThat(deleted).containsExactly("old");
        // Over the count quota (3) the oldest is pushed out and deleted.
        uploads.record(1, "a", 10);
        uploads.record(1, "b", 10);
        uploads.record(1, "c", 10);
        uploads.record(1, "d", 10);
        assertThat(deleted).containsExactly("old", "a");
        assertThat(uploads.pendingBytes(1)).isEqualTo(30);
    }

    @Test
    void aBlobAnotherAccountHoldsPendingIsNotDeleted() {
        java.util.List<String> deleted = new java.util.ArrayList<>();
        uploads.deletingWith(deleted::add);
        uploads.record(1, "same", 10);
        clock.now = clock.now.plus(Duration.ofMinutes(30));
        uploads.record(2, "same", 10);
        clock.now = clock.now.plus(Duration.ofMinutes(31));
        uploads.sweep();
        assertThat(uploads.owns(1, "same")).isFalse();
        assertThat(uploads.owns(2, "same")).isTrue();
        assertThat(deleted).isEmpty();
        clock.now = clock.now.plus(Duration.ofMinutes(30));
        uploads.sweep();
        assertThat(deleted).containsExactly("same");
    }

    @Test
    void aRefusedDeleteKeepsTheBlobAndDropAllEmptiesEveryAccount() {
        java.util.List<String> tried = new java.util.ArrayList<>();
        uploads.deletingWith(id -> {
            tried.add(id);
            throw new java.io.IOException("referenced by a message");
        });
        uploads.record(1, "x", 10);
        uploads.record(2, "y", 10);
        uploads.dropAll();
        assertThat(tried).containsExactlyInAnyOrder("x", "y");
        assertThat(uploads.pendingBytes(1)).isZero();
        assertThat(uploads.owns(2, "y")).isFalse();
    }
}
