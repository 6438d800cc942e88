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

    // The kinds that are not about messages (JMAP push and IMAP NOTIFY hear every object through the feed).

    private static List<ChangeEvent> ofKind(List<ChangeEvent> events, ChangeEvent.Kind kind) {
        return events.stream().filter(e -> e.kind() == kind).toList();
    }

    @Test
    void identityWritesAnnounceTheirNewState() {
        long acc = account("alice@example.org").id();
        List<ChangeEvent> events = new CopyOnWriteArrayList<>();
        store.changes().subscribe(acc, events::add);
        long highest = inbox(acc).highestModSeq();
        IdentityStore.Identity created = store.identities().create(
                new IdentityStore.Identity(0, acc, "Alice", "alice@example.org", null, null, "", "", true));
        long afterCreate = store.identities().state(acc);
        store.identities().update(new IdentityStore.Identity(created.id(), acc, "Alice B", "alice@example.org", null, null,
                "", "", true));
        store.identities().delete(acc, created.id());
        long afterDelete = store.identities().state(acc);
        assertThat(waitFor(WAIT, () -> ofKind(events, ChangeEvent.Kind.IDENTITIES).size() >= 3)).isTrue();
        List<ChangeEvent> got = ofKind(events, ChangeEvent.Kind.IDENTITIES);
        assertThat(got).allMatch(e -> e.accountId() == acc && e.mailboxId() == 0 && e.entry() == null);
        assertThat(got.getFirst().modSeq()).isEqualTo(afterCreate);
        assertThat(got.getLast().modSeq()).isEqualTo(afterDelete);
        // No message changed: mailboxes keep their MODSEQ (RFC 7162 clients would otherwise resync for nothing).
        assertThat(inbox(acc).highestModSeq()).isEqualTo(highest);
    }

    @Test
    void submissionVacationAndSettingWritesAreAnnounced() {
        long acc = account("alice@example.org").id();
        List<ChangeEvent> events = new CopyOnWriteArrayList<>();
        store.changes().subscribe(acc, events::add);
        SubmissionStore.Submission s = store.submissions().create(new SubmissionStore.Submission(0, acc, 1, "M1", "T1",
                "alice@example.org", List.of("bob@example.net"), List.of(), -1, java.time.Instant.now(), "pending"));
        store.submissions().setUndoStatus(acc, s.id(), "final");
        long submissionState = store.submissions().state(acc);
        store.vacation().put(acc, new VacationStore.Vacation(true, null, null, "Away", "Back soon", null));
        store.directory().setSetting("alice@example.org", "pop3", "delete");
        assertThat(waitFor(WAIT, () -> !ofKind(events, ChangeEvent.Kind.SETTINGS).isEmpty()
                && !ofKind(events, ChangeEvent.Kind.VACATION).isEmpty()
                && ofKind(events, ChangeEvent.Kind.SUBMISSIONS).size() >= 2)).isTrue();
        assertThat(ofKind(events, ChangeEvent.Kind.SUBMISSIONS).getLast().modSeq()).isEqualTo(submissionState);
        assertThat(ofKind(events, ChangeEvent.Kind.VACATION).getLast().modSeq()).isEqualTo(store.vacation().state(acc));
        assertThat(events).filteredOn(e -> !e.kind().aboutMail() && e.kind() != ChangeEvent.Kind.ACCOUNT)
                .allMatch(e -> e.accountId() == acc && e.mailboxId() == 0);
    }

    @Test
    void metadataEventsNameTheEntryAndGoToWhoMaySeeIt() {
        long alice = account("alice@example.org").id();
        long bob = account("bob@example.org").id();
        long inboxId = inbox(alice).id();
        List<ChangeEvent> forAlice = new CopyOnWriteArrayList<>();
        List<ChangeEvent> forBob = new CopyOnWriteArrayList<>();
        List<ChangeEvent> forAll = new CopyOnWriteArrayList<>();
        store.changes().subscribe(alice, e -> {
            if (e.kind() == ChangeEvent.Kind.METADATA) forAlice.add(e);
        });
        store.changes().subscribe(bob, e -> {
            if (e.kind() == ChangeEvent.Kind.METADATA) forBob.add(e);
        });
        store.changes().subscribe(0, e -> {
            if (e.kind() == ChangeEvent.Kind.METADATA) forAll.add(e);
        });
        MetadataStore.Scope mailboxShared = MetadataStore.Scope.mailboxShared(alice, inboxId);
        MetadataStore.Scope bobsPrivate = MetadataStore.Scope.mailboxPrivate(alice, inboxId, bob);
        java.util.Map<MetadataStore.Scope, java.util.Map<String, byte[]>> changes = new java.util.LinkedHashMap<>();
        changes.put(mailboxShared, java.util.Map.of("/shared/comment", "hello".getBytes()));
        changes.put(bobsPrivate, java.util.Map.of("/private/comment", "mine".getBytes()));
        changes.put(MetadataStore.Scope.serverShared(), java.util.Map.of("/shared/admin", "mailto:a@example.org".getBytes()));
        store.metadata().apply(changes);
        java.util.Map<String, byte[]> removal = new java.util.HashMap<>();
        removal.put("/shared/comment", null);
        store.metadata().apply(java.util.Map.of(mailboxShared, removal));
        assertThat(waitFor(WAIT, () -> forAll.size() >= 4)).isTrue();
        assertThat(forAll).extracting(ChangeEvent::entry).containsExactly(
                new ChangeEvent.Entry(mailboxShared, "/shared/comment"), new ChangeEvent.Entry(bobsPrivate, "/private/comment"),
                new ChangeEvent.Entry(MetadataStore.Scope.serverShared(), "/shared/admin"),
                new ChangeEvent.Entry(mailboxShared, "/shared/comment"));
        // Shared mailbox entries go to the owner, private ones to their user, server-wide ones to nobody in particular.
        assertThat(waitFor(WAIT, () -> forAlice.size() >= 2 && forBob.size() >= 1)).isTrue();
        assertThat(forAlice).allMatch(e -> e.accountId() == alice && e.mailboxId() == inboxId
                && e.entry().scope().equals(mailboxShared));
        assertThat(forBob).singleElement().satisfies(e -> {
            assertThat(e.accountId()).isEqualTo(bob);
            assertThat(e.entry()).isEqualTo(new ChangeEvent.Entry(bobsPrivate, "/private/comment"));
        });
    }

    @Test
    void objectChangesFromAnotherInstanceArriveWithinOneSecond() {
        long acc = account("alice@example.org").id();
        MailStore cli = openSecond();
        List<ChangeEvent> events = new CopyOnWriteArrayList<>();
        store.changes().subscribe(acc, events::add);
        long t0 = System.nanoTime();
        cli.identities().create(new IdentityStore.Identity(0, acc, "CLI", "alice@example.org", null, null, "", "", true));
        cli.metadata().apply(java.util.Map.of(MetadataStore.Scope.serverPrivate(acc),
                java.util.Map.of("/private/vendor/postern/webmail", "{}".getBytes())));
        assertThat(waitFor(Duration.ofSeconds(1), () -> !ofKind(events, ChangeEvent.Kind.IDENTITIES).isEmpty()
                && !ofKind(events, ChangeEvent.Kind.METADATA).isEmpty())).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1500));
        assertThat(ofKind(events, ChangeEvent.Kind.IDENTITIES).getFirst().modSeq()).isEqualTo(store.identities().state(acc));
        assertThat(ofKind(events, ChangeEvent.Kind.METADATA).getFirst().entry())
                .isEqualTo(new ChangeEvent.Entry(MetadataStore.Scope.serverPrivate(acc), "/private/vendor/postern/webmail"));
    }
}
