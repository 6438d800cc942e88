// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Change events: after commit, in commit order, filtered by account, also across instances. */
public abstract class ChangeFeedContract extends StoreContract {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void eventsArriveAfterCommitAndInCommitOrder() {
        long acc = account("alice@example.org").id();
        long inboxId = inbox(acc).id();
        List<ChangeEvent> events = new CopyOnWriteArrayList<>();
        List<Boolean> visible = new CopyOnWriteArrayList<>();
        store.changes().subscribe(acc, e -> {
            if (e.kind() != ChangeEvent.Kind.MESSAGES) return; // account creation may still be in flight
            events.add(e);
            // After commit: what the event announces is already readable.
            visible.add(store.mailboxes().byId(acc, inboxId).map(m -> m.highestModSeq() >= e.modSeq()).orElse(false));
        });
        for (int i = 0; i < 5; i++) append(acc, inboxId, "m" + i);
        assertThat(waitFor(WAIT, () -> events.size() >= 5)).isTrue();
        assertThat(events).allMatch(e -> e.kind() == ChangeEvent.Kind.MESSAGES && e.mailboxId() == inboxId);
        assertThat(events.stream().map(ChangeEvent::modSeq).toList()).isSorted().doesNotHaveDuplicates();
        assertThat(visible).containsOnly(true);
    }

    @Test
    void subscriptionIsPerAccountAndZeroMeansAll() throws Exception {
        long alice = account("alice@example.org").id();
        long bob = account("bob@example.org").id();
        List<ChangeEvent> forAlice = new CopyOnWriteArrayList<>();
        List<ChangeEvent> forAll = new CopyOnWriteArrayList<>();
        store.changes().subscribe(alice, e -> {
            if (e.kind() == ChangeEvent.Kind.MESSAGES) forAlice.add(e);
        });
        AutoCloseable all = store.changes().subscribe(0, e -> {
            if (e.kind() == ChangeEvent.Kind.MESSAGES) forAll.add(e);
        });
        append(bob, inbox(bob).id(), "to bob");
        append(alice, inbox(alice).id(), "to alice");
        assertThat(waitFor(WAIT, () -> forAlice.size() >= 1 && forAll.size() >= 2)).isTrue();
        assertThat(forAlice).allMatch(e -> e.accountId() == alice);
        assertThat(forAll).extracting(ChangeEvent::accountId).containsExactly(bob, alice);
        all.close();
        append(alice, inbox(alice).id(), "again");
        assertThat(waitFor(WAIT, () -> forAlice.size() >= 2)).isTrue();
        assertThat(forAll).hasSize(2);
    }

    @Test
    void mailboxChangesPublishMailboxesEvents() {
        long acc = account("alice@example.org").id();
        List<ChangeEvent> events = new CopyOnWriteArrayList<>();
        store.changes().subscribe(acc, events::add);
        Mailbox m = store.mailboxes().create(acc, "New", SpecialUse.NONE);
        store.mailboxes().rename(acc, "New", "Renamed");
        store.mailboxes().delete(acc, "Renamed");
        // Events committed just before subscribing (account creation) may still arrive: at-least-once.
        assertThat(waitFor(WAIT, () -> events.stream().filter(e -> e.mailboxId() == m.id()).count() >= 3)).isTrue();
        assertThat(events.stream().filter(e -> e.mailboxId() == m.id()))
                .allMatch(e -> e.kind() == ChangeEvent.Kind.MAILBOXES);
    }

    @Test
    void eventFromAnotherInstanceArrivesWithinOneSecond() {
        long acc = account("alice@example.org").id();
        long inboxId = inbox(acc).id();
        MailStore cli = openSecond();
        List<ChangeEvent> events = new CopyOnWriteArrayList<>();
        store.changes().subscribe(acc, events::add);
        String content = message("from the cli");
        long t0 = System.nanoTime();
        String blobId = blob(cli, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        cli.mailboxes().append(acc, inboxId, blobId, content.length(), java.util.Set.of(), java.time.Instant.now());
        assertThat(waitFor(Duration.ofSeconds(1), () -> events.stream()
                .anyMatch(e -> e.kind() == ChangeEvent.Kind.MESSAGES && e.mailboxId() == inboxId))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1500));
        // The first instance reads what the second wrote.
        assertThat(inbox(acc).messages()).isEqualTo(1);
    }

    @Test
    void accountDeletedByAnotherInstanceIsAnnounced() {
        long acc = account("alice@example.org").id();
        MailStore cli = openSecond();
        List<ChangeEvent> events = new CopyOnWriteArrayList<>();
        store.changes().subscribe(0, events::add);
        cli.directory().deleteAccount("alice@example.org");
        assertThat(waitFor(Duration.ofSeconds(1), () -> events.stream()
                .anyMatch(e -> e.kind() == ChangeEvent.Kind.ACCOUNT && e.accountId() == acc))).isTrue();
    }

    @Test
    void ownEventsAreNotRepeatedByThePoller() throws Exception {
        long acc = account("alice@example.org").id();
        List<ChangeEvent> events = new CopyOnWriteArrayList<>();
        store.changes().subscribe(acc, e -> {
            if (e.kind() == ChangeEvent.Kind.MESSAGES) events.add(e);
        });
        append(acc, inbox(acc).id(), "once");
        assertThat(waitFor(WAIT, () -> !events.isEmpty())).isTrue();
        // Give a cross-process poller (if any) several rounds to wrongly republish, then count.
        MailStore other = openSecond();
        List<ChangeEvent> seenByOther = new CopyOnWriteArrayList<>();
        other.changes().subscribe(acc, e -> {
            if (e.kind() == ChangeEvent.Kind.MESSAGES) seenByOther.add(e);
        });
        append(acc, inbox(acc).id(), "twice?");
        assertThat(waitFor(Duration.ofSeconds(2), () -> !seenByOther.isEmpty() && events.size() >= 2)).isTrue();
        waitFor(Duration.ofMillis(600), () -> events.size() > 2);
        assertThat(events).hasSize(2);
    }
}
