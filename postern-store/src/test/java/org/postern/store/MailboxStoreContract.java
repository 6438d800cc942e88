// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Mailboxes and messages: RFC 9051 UID/UIDVALIDITY rules, RFC 7162 MODSEQ, copy/move/expunge. */
public abstract class MailboxStoreContract extends StoreContract {
    protected long acc;
    protected long inboxId;

    @BeforeEach
    void createAccount() {
        acc = account("alice@example.org").id();
        inboxId = inbox(acc).id();
    }

    @Test
    void createMakesMissingParentsAndRefusesExisting() {
        Mailbox m = store.mailboxes().create(acc, "Projects/2025/Q1", SpecialUse.NONE);
        assertThat(m.name()).isEqualTo("Projects/2025/Q1");
        assertThat(m.uidNext()).isEqualTo(1);
        assertThat(m.highestModSeq()).isPositive();
        assertThat(store.mailboxes().find(acc, "Projects")).isPresent();
        assertThat(store.mailboxes().find(acc, "Projects/2025")).isPresent();
        assertThatThrownBy(() -> store.mailboxes().create(acc, "Projects/2025/Q1", SpecialUse.NONE))
                .isInstanceOf(StoreException.Conflict.class);
        assertThatThrownBy(() -> store.mailboxes().create(acc, "inbox", SpecialUse.NONE))
                .isInstanceOf(StoreException.Conflict.class);
        assertThat(store.mailboxes().byId(acc, m.id())).map(Mailbox::name).contains("Projects/2025/Q1");
    }

    @Test
    void inboxIsCaseInsensitiveOtherNamesAreNot() {
        assertThat(store.mailboxes().find(acc, "iNbOx")).map(Mailbox::id).contains(inboxId);
        store.mailboxes().create(acc, "Work", SpecialUse.NONE);
        assertThat(store.mailboxes().find(acc, "work")).isEmpty();
        store.mailboxes().create(acc, "inbox/Sub", SpecialUse.NONE);
        assertThat(store.mailboxes().find(acc, "INBOX/Sub")).isPresent();
    }

    @Test
    void mailboxesAreScopedByAccount() {
        long bob = account("bob@example.org").id();
        store.mailboxes().byId(bob, inboxId).ifPresent(m -> assertThat(m.accountId()).isEqualTo(bob));
        append(acc, inboxId, "for alice");
        assertThat(store.mailboxes().message(bob, inbox(bob).id(), 1)).isEmpty();
        assertThat(store.mailboxes().snapshot(bob, inbox(bob).id()).messages()).isEmpty();
        assertThat(store.mailboxes().usedBytes(bob)).isZero();
    }

    @Test
    void renameMovesChildrenAndKeepsUidValidity() {
        Mailbox a = store.mailboxes().create(acc, "A/B", SpecialUse.NONE);
        Mailbox parent = mailbox(acc, "A");
        append(acc, a.id(), "one");
        store.mailboxes().rename(acc, "A", "X/Y");
        assertThat(store.mailboxes().find(acc, "A")).isEmpty();
        assertThat(store.mailboxes().find(acc, "A/B")).isEmpty();
        Mailbox moved = mailbox(acc, "X/Y/B");
        assertThat(moved.id()).isEqualTo(a.id());
        assertThat(moved.uidValidity()).isEqualTo(a.uidValidity());
        assertThat(moved.messages()).isEqualTo(1);
        assertThat(mailbox(acc, "X/Y").uidValidity()).isEqualTo(parent.uidValidity());
        assertThat(store.mailboxes().find(acc, "X")).isPresent();
    }

    @Test
    void renameRules() {
        store.mailboxes().create(acc, "A", SpecialUse.NONE);
        store.mailboxes().create(acc, "B", SpecialUse.NONE);
        assertThatThrownBy(() -> store.mailboxes().rename(acc, "A", "B")).isInstanceOf(StoreException.Conflict.class);
        assertThatThrownBy(() -> store.mailboxes().rename(acc, "Missing", "C")).isInstanceOf(StoreException.NotFound.class);
        assertThatThrownBy(() -> store.mailboxes().rename(acc, "A", "A/Inner")).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.mailboxes().rename(acc, "A", "INBOX")).isInstanceOf(StoreException.Conflict.class);
    }

    @Test
    void renameInboxMovesItsMessagesAndLeavesItEmpty() {
        append(acc, inboxId, "one", "\\Seen");
        append(acc, inboxId, "two");
        store.mailboxes().create(acc, "INBOX/Child", SpecialUse.NONE);
        long uidValidity = inbox(acc).uidValidity();
        store.mailboxes().rename(acc, "inbox", "Old");
        Mailbox inbox = inbox(acc);
        assertThat(inbox.id()).isEqualTo(inboxId);
        assertThat(inbox.messages()).isZero();
        assertThat(inbox.uidValidity()).isEqualTo(uidValidity);
        assertThat(inbox.uidNext()).isEqualTo(3);
        Mailbox old = mailbox(acc, "Old");
        assertThat(old.messages()).isEqualTo(2);
        assertThat(old.unseen()).isEqualTo(1);
        assertThat(store.mailboxes().find(acc, "INBOX/Child")).isPresent();
        assertThat(store.mailboxes().changesSince(acc, inboxId, 0).expunged()).containsExactly(1L, 2L);
    }

    @Test
    void deleteRules() {
        assertThatThrownBy(() -> store.mailboxes().delete(acc, "inbox")).isInstanceOf(StoreException.Refused.class);
        assertThatThrownBy(() -> store.mailboxes().delete(acc, "Missing")).isInstanceOf(StoreException.NotFound.class);
        Mailbox m = store.mailboxes().create(acc, "Gone", SpecialUse.NONE);
        append(acc, m.id(), "x");
        store.mailboxes().delete(acc, "Gone");
        assertThat(store.mailboxes().find(acc, "Gone")).isEmpty();
        assertThat(store.mailboxes().byId(acc, m.id())).isEmpty();
    }

    @Test
    void recreatedMailboxGetsALargerUidValidity() {
        Mailbox first = store.mailboxes().create(acc, "Again", SpecialUse.NONE);
        store.mailboxes().delete(acc, "Again");
        Mailbox second = store.mailboxes().create(acc, "Again", SpecialUse.NONE);
        assertThat(second.uidValidity()).isGreaterThan(first.uidValidity());
        assertThat(second.uidValidity()).isLessThanOrEqualTo(0xFFFF_FFFFL);
        assertThat(second.uidNext()).isEqualTo(1);
    }

    @Test
    void uidsStrictlyIncreaseAndAreNeverReusedAfterExpunge() {
        MessageRecord m1 = append(acc, inboxId, "1");
        MessageRecord m2 = append(acc, inboxId, "2");
        assertThat(m2.uid()).isGreaterThan(m1.uid());
        assertThat(store.mailboxes().expunge(acc, inboxId, List.of(m2.uid()))).containsExactly(m2.uid());
        MessageRecord m3 = append(acc, inboxId, "3");
        assertThat(m3.uid()).isGreaterThan(m2.uid());
        assertThat(inbox(acc).uidNext()).isEqualTo(m3.uid() + 1);
    }

    @Test
    void uidsAndUidValiditySurviveReopen() {
        MessageRecord m1 = append(acc, inboxId, "1");
        store.mailboxes().expunge(acc, inboxId, List.of(m1.uid()));
        Mailbox before = inbox(acc);
        reopen();
        Mailbox after = inbox(acc);
        assertThat(after.uidValidity()).isEqualTo(before.uidValidity());
        assertThat(after.uidNext()).isEqualTo(before.uidNext());
        assertThat(after.highestModSeq()).isEqualTo(before.highestModSeq());
        assertThat(append(acc, inboxId, "2").uid()).isGreaterThan(m1.uid());
    }

    @Test
    void modSeqStrictlyIncreasesWithEveryChange() {
        long start = inbox(acc).highestModSeq();
        MessageRecord m1 = append(acc, inboxId, "1");
        assertThat(m1.modSeq()).isGreaterThan(start);
        assertThat(inbox(acc).highestModSeq()).isEqualTo(m1.modSeq());
        Mailbox other = store.mailboxes().create(acc, "Other", SpecialUse.NONE);
        MessageRecord m2 = append(acc, other.id(), "2");
        assertThat(m2.modSeq()).isGreaterThan(m1.modSeq()); // one counter per account
        List<MessageRecord> changed = store.mailboxes().storeFlags(acc, inboxId, List.of(m1.uid()), FlagOp.ADD,
                Set.of("\\Seen"), -1);
        assertThat(changed).singleElement().satisfies(r -> assertThat(r.modSeq()).isGreaterThan(m2.modSeq()));
        assertThat(inbox(acc).highestModSeq()).isEqualTo(changed.get(0).modSeq());
    }

    @Test
    void flagsRoundTripCanonicalAndWithoutRecent() {
        MessageRecord m = append(acc, inboxId, "f", "\\SEEN", "\\flagged", "\\Recent", "$Forwarded", "MyKeyword");
        assertThat(m.flags()).containsExactlyInAnyOrder("\\Seen", "\\Flagged", "$Forwarded", "MyKeyword");
        assertThat(store.mailboxes().message(acc, inboxId, m.uid()).orElseThrow().flags())
                .containsExactlyInAnyOrder("\\Seen", "\\Flagged", "$Forwarded", "MyKeyword");
        reopen();
        assertThat(store.mailboxes().message(acc, inboxId, m.uid()).orElseThrow().flags())
                .containsExactlyInAnyOrder("\\Seen", "\\Flagged", "$Forwarded", "MyKeyword");
    }

    @Test
    void storeFlagsReturnsOnlyActualChanges() {
        MessageRecord a = append(acc, inboxId, "a", "\\Seen");
        MessageRecord b = append(acc, inboxId, "b");
        List<MessageRecord> changed = store.mailboxes().storeFlags(acc, inboxId, List.of(a.uid(), b.uid(), 99L),
                FlagOp.ADD, Set.of("\\seen"), -1);
        assertThat(uids(changed)).containsExactly(b.uid());
        assertThat(changed.get(0).flags()).containsExactly("\\Seen");
        changed = store.mailboxes().storeFlags(acc, inboxId, List.of(a.uid(), b.uid()), FlagOp.REMOVE,
                Set.of("\\Seen"), -1);
        assertThat(uids(changed)).containsExactly(a.uid(), b.uid());
        changed = store.mailboxes().storeFlags(acc, inboxId, List.of(a.uid()), FlagOp.REPLACE,
                Set.of("\\Answered", "Todo"), -1);
        assertThat(changed.get(0).flags()).containsExactlyInAnyOrder("\\Answered", "Todo");
        // keywords compare case-insensitively and keep their first spelling
        changed = store.mailboxes().storeFlags(acc, inboxId, List.of(a.uid()), FlagOp.ADD, Set.of("TODO"), -1);
        assertThat(changed).isEmpty();
        assertThat(store.mailboxes().message(acc, inboxId, a.uid()).orElseThrow().flags()).contains("Todo");
        changed = store.mailboxes().storeFlags(acc, inboxId, List.of(a.uid()), FlagOp.REMOVE, Set.of("todo"), -1);
        assertThat(changed.get(0).flags()).containsExactly("\\Answered");
    }

    @Test
    void storeFlagsHonoursUnchangedSince() {
        MessageRecord a = append(acc, inboxId, "a");
        MessageRecord b = append(acc, inboxId, "b");
        // RFC 7162 §3.1.3: b was modified after a's MODSEQ, so it is left alone
        List<MessageRecord> changed = store.mailboxes().storeFlags(acc, inboxId, List.of(a.uid(), b.uid()), FlagOp.ADD,
                Set.of("\\Flagged"), a.modSeq());
        assertThat(uids(changed)).containsExactly(a.uid());
        assertThat(store.mailboxes().message(acc, inboxId, b.uid()).orElseThrow().flags()).isEmpty();
    }

    @Test
    void countsFollowMessagesAndSeenFlag() {
        MessageRecord a = append(acc, inboxId, "a");
        append(acc, inboxId, "b", "\\Seen");
        assertThat(inbox(acc).messages()).isEqualTo(2);
        assertThat(inbox(acc).unseen()).isEqualTo(1);
        store.mailboxes().storeFlags(acc, inboxId, List.of(a.uid()), FlagOp.ADD, Set.of("\\Seen"), -1);
        assertThat(inbox(acc).unseen()).isZero();
        store.mailboxes().storeFlags(acc, inboxId, List.of(a.uid()), FlagOp.REPLACE, Set.of(), -1);
        assertThat(inbox(acc).unseen()).isEqualTo(1);
        store.mailboxes().expunge(acc, inboxId, List.of(a.uid()));
        assertThat(inbox(acc).messages()).isEqualTo(1);
        assertThat(inbox(acc).unseen()).isZero();
    }

    @Test
    void changesSinceReportsFlagChangesAndExpunges() {
        MessageRecord a = append(acc, inboxId, "a");
        MessageRecord b = append(acc, inboxId, "b");
        MessageRecord c = append(acc, inboxId, "c");
        long since = inbox(acc).highestModSeq();
        assertThat(store.mailboxes().changesSince(acc, inboxId, since).isEmpty()).isTrue();
        store.mailboxes().storeFlags(acc, inboxId, List.of(c.uid()), FlagOp.ADD, Set.of("\\Seen"), -1);
        store.mailboxes().expunge(acc, inboxId, List.of(a.uid(), b.uid()));
        MessageRecord d = append(acc, inboxId, "d");
        MailboxChanges ch = store.mailboxes().changesSince(acc, inboxId, since);
        assertThat(uids(ch.changed())).containsExactly(c.uid(), d.uid());
        assertThat(ch.expunged()).containsExactly(a.uid(), b.uid());
        assertThat(ch.highestModSeq()).isEqualTo(inbox(acc).highestModSeq());
        assertThat(ch.uidNext()).isEqualTo(d.uid() + 1);
        assertThat(store.mailboxes().changesSince(acc, inboxId, ch.highestModSeq()).isEmpty()).isTrue();
        // from 0: everything present, plus every expunge ever logged
        MailboxChanges all = store.mailboxes().changesSince(acc, inboxId, 0);
        assertThat(uids(all.changed())).containsExactly(c.uid(), d.uid());
        assertThat(all.expunged()).containsExactly(a.uid(), b.uid());
    }

    @Test
    void expungeReturnsOnlyUidsActuallyRemoved() {
        MessageRecord a = append(acc, inboxId, "a");
        MessageRecord b = append(acc, inboxId, "b");
        long before = inbox(acc).highestModSeq();
        assertThat(store.mailboxes().expunge(acc, inboxId, List.of(b.uid(), 77L, a.uid()))).containsExactly(a.uid(), b.uid());
        assertThat(store.mailboxes().expunge(acc, inboxId, List.of(a.uid()))).isEmpty();
        assertThat(inbox(acc).highestModSeq()).isGreaterThan(before);
        assertThat(store.mailboxes().snapshot(acc, inboxId).messages()).isEmpty();
    }

    @Test
    void copySharesBodyAndReportsCopyUid() {
        MessageRecord a = append(acc, inboxId, "a", "\\Flagged");
        MessageRecord b = append(acc, inboxId, "b");
        Mailbox dest = store.mailboxes().create(acc, "Dest", SpecialUse.NONE);
        append(acc, dest.id(), "already there");
        CopyResult r = store.mailboxes().copy(acc, inboxId, List.of(b.uid(), a.uid(), 42L), dest.id());
        assertThat(r.destUidValidity()).isEqualTo(dest.uidValidity());
        assertThat(r.sourceUids()).containsExactly(a.uid(), b.uid());
        assertThat(r.destUids()).containsExactly(2L, 3L);
        MessageRecord copy = store.mailboxes().message(acc, dest.id(), 2).orElseThrow();
        assertThat(copy.flags()).containsExactly("\\Flagged");
        assertThat(copy.internalDate()).isEqualTo(a.internalDate());
        assertThat(read(copy.blobId())).isEqualTo(read(a.blobId()));
        assertThat(inbox(acc).messages()).isEqualTo(2);
        assertThatThrownBy(() -> store.mailboxes().copy(acc, inboxId, List.of(a.uid()), 9999))
                .isInstanceOf(StoreException.NotFound.class);
    }

    @Test
    void moveCopiesAndExpungesTheSource() {
        MessageRecord a = append(acc, inboxId, "a");
        MessageRecord b = append(acc, inboxId, "b");
        Mailbox dest = store.mailboxes().create(acc, "Dest", SpecialUse.NONE);
        long since = inbox(acc).highestModSeq();
        CopyResult r = store.mailboxes().move(acc, inboxId, List.of(a.uid()), dest.id());
        assertThat(r.destUids()).containsExactly(1L);
        assertThat(uids(store.mailboxes().snapshot(acc, inboxId).messages())).containsExactly(b.uid());
        assertThat(store.mailboxes().changesSince(acc, inboxId, since).expunged()).containsExactly(a.uid());
        assertThat(mailbox(acc, "Dest").messages()).isEqualTo(1);
        assertThat(read(store.mailboxes().message(acc, dest.id(), 1).orElseThrow().blobId()))
                .isEqualTo(message("a").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void snapshotListsMessagesInUidOrder() {
        for (int i = 0; i < 5; i++) append(acc, inboxId, "m" + i);
        store.mailboxes().expunge(acc, inboxId, List.of(2L));
        MailboxSnapshot s = store.mailboxes().snapshot(acc, inboxId);
        assertThat(uids(s.messages())).containsExactly(1L, 3L, 4L, 5L);
        assertThat(s.mailbox().messages()).isEqualTo(4);
        assertThat(s.mailbox().highestModSeq()).isGreaterThan(
                s.messages().stream().mapToLong(MessageRecord::modSeq).max().orElseThrow());
    }

    @Test
    void usedBytesCountsEveryMessage() {
        MessageRecord a = append(acc, inboxId, "a");
        MessageRecord b = append(acc, inboxId, "bb");
        assertThat(store.mailboxes().usedBytes(acc)).isEqualTo(a.size() + b.size());
        store.mailboxes().expunge(acc, inboxId, List.of(a.uid()));
        assertThat(store.mailboxes().usedBytes(acc)).isEqualTo(b.size());
    }

    @Test
    void subscriptionsPersist() {
        store.mailboxes().create(acc, "News", SpecialUse.NONE);
        assertThat(mailbox(acc, "News").subscribed()).isFalse();
        store.mailboxes().setSubscribed(acc, "News", true);
        reopen();
        assertThat(mailbox(acc, "News").subscribed()).isTrue();
        store.mailboxes().setSubscribed(acc, "News", false);
        assertThat(mailbox(acc, "News").subscribed()).isFalse();
    }

    @Test
    void appendToMissingMailboxIsNotFound() {
        String content = message("x");
        assertThatThrownBy(() -> store.mailboxes().append(acc, 9999, blob(content), content.length(), Set.of(),
                java.time.Instant.now())).isInstanceOf(StoreException.NotFound.class);
    }

    /** The compact index says what the snapshot says, also when it is brought up to date incrementally. */
    @Test
    void indexMatchesSnapshotAcrossChanges() {
        assertIndexMatchesSnapshot();
        List<Long> uids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) uids.add(append(acc, inboxId, "m" + i, i % 2 == 0 ? "\\Seen" : "$Label").uid());
        assertIndexMatchesSnapshot();
        store.mailboxes().storeFlags(acc, inboxId, List.of(uids.get(1), uids.get(3)), FlagOp.ADD, Set.of("\\Flagged"), -1);
        store.mailboxes().expunge(acc, inboxId, List.of(uids.get(0), uids.get(3)));
        append(acc, inboxId, "late", "\\Answered");
        assertIndexMatchesSnapshot();
        Mailbox other = store.mailboxes().create(acc, "Other", SpecialUse.NONE);
        store.mailboxes().move(acc, inboxId, List.of(uids.get(2)), other.id());
        assertIndexMatchesSnapshot();
        assertThat(store.mailboxes().index(acc, other.id()).size()).isEqualTo(1);
        store.mailboxes().expunge(acc, inboxId, uids(store.mailboxes().snapshot(acc, inboxId).messages()));
        assertIndexMatchesSnapshot();
        assertThat(store.mailboxes().index(acc, inboxId).size()).isZero();
    }

    private void assertIndexMatchesSnapshot() {
        MailboxSnapshot snap = store.mailboxes().snapshot(acc, inboxId);
        MailboxIndex index = store.mailboxes().index(acc, inboxId);
        assertThat(index.mailbox().highestModSeq()).isEqualTo(snap.mailbox().highestModSeq());
        assertThat(index.mailbox().uidNext()).isEqualTo(snap.mailbox().uidNext());
        List<MessageRecord> fromIndex = new java.util.ArrayList<>();
        for (int i = 0; i < index.size(); i++) fromIndex.add(index.record(i));
        assertThat(fromIndex).isEqualTo(snap.messages());
    }

    /** Stored sort keys come back by UID, only in the asked version, and go with the message's body. */
    @Test
    void sortKeysAreKeptPerBodyAndDroppedWithIt() {
        MessageRecord a = append(acc, inboxId, "alpha");
        MessageRecord b = append(acc, inboxId, "beta");
        store.mailboxes().putSortKeys(acc, List.of(
                new MessageSortKeys(a.blobId(), 1, 1000, "ALPHA", "a", "", "", "A", ""),
                new MessageSortKeys(b.blobId(), 1, MessageSortKeys.NO_DATE, "BETA", "b", "", "", "B", "")));
        java.util.Map<Long, MessageSortKeys> keys = store.mailboxes().sortKeys(acc, inboxId, 1);
        if (keys.isEmpty()) return; // a backend that stores no keys
        assertThat(keys).containsOnlyKeys(a.uid(), b.uid());
        assertThat(keys.get(a.uid()).sentDate()).isEqualTo(1000);
        assertThat(keys.get(b.uid()).sentDate()).isEqualTo(MessageSortKeys.NO_DATE);
        assertThat(keys.get(b.uid()).subject()).isEqualTo("BETA");
        assertThat(store.mailboxes().sortKeys(acc, inboxId, 2)).isEmpty();
        Mailbox other = store.mailboxes().create(acc, "Other", SpecialUse.NONE);
        store.mailboxes().copy(acc, inboxId, List.of(a.uid()), other.id());
        assertThat(store.mailboxes().sortKeys(acc, other.id(), 1)).hasSize(1);
        store.mailboxes().expunge(acc, inboxId, List.of(a.uid(), b.uid()));
        assertThat(store.mailboxes().sortKeys(acc, other.id(), 1)).hasSize(1);
        store.mailboxes().expunge(acc, other.id(), uids(store.mailboxes().snapshot(acc, other.id()).messages()));
        // The body is gone: keys stored for it now are not kept.
        store.mailboxes().putSortKeys(acc, List.of(new MessageSortKeys(a.blobId(), 1, 5, "X", "", "", "", "", "")));
        MessageRecord c = append(acc, inboxId, "gamma");
        assertThat(store.mailboxes().sortKeys(acc, inboxId, 1)).containsOnlyKeys(c.uid());
    }

    /** The column form: ascending UIDs, only the asked fields, strings dictionary-encoded, no date as NO_DATE. */
    @Test
    void sortKeyColumnsHoldTheAskedFieldsInUidOrder() {
        MessageRecord a = append(acc, inboxId, "alpha");
        MessageRecord b = append(acc, inboxId, "beta");
        MessageRecord c = append(acc, inboxId, "gamma");
        store.mailboxes().putSortKeys(acc, List.of(
                new MessageSortKeys(c.blobId(), 1, 7, "SAME", "c", "", "", "C", ""),
                new MessageSortKeys(a.blobId(), 1, 1000, "SAME", "a", "", "", "A", ""),
                new MessageSortKeys(b.blobId(), 1, MessageSortKeys.NO_DATE, "OTHER", "b", "", "", "B", "")));
        SortKeyColumns cols = store.mailboxes().sortKeyColumns(acc, inboxId, 1,
                java.util.EnumSet.of(SortKeyColumns.Field.SENT_DATE, SortKeyColumns.Field.SUBJECT));
        if (store.mailboxes().sortKeys(acc, inboxId, 1).isEmpty()) return; // a backend that stores no keys
        assertThat(cols.uids()).containsExactly(a.uid(), b.uid(), c.uid());
        assertThat(cols.sentDates()).containsExactly(1000, MessageSortKeys.NO_DATE, 7);
        assertThat(cols.strings()).containsOnlyKeys(SortKeyColumns.Field.SUBJECT);
        SortKeyColumns.Strings subjects = cols.strings().get(SortKeyColumns.Field.SUBJECT);
        assertThat(subjects.values()).containsExactlyInAnyOrder("SAME", "OTHER");
        assertThat(subjects.ids()).hasSize(3);
        assertThat(subjects.values().get(subjects.ids()[0])).isEqualTo("SAME");
        assertThat(subjects.values().get(subjects.ids()[1])).isEqualTo("OTHER");
        assertThat(subjects.ids()[2]).isEqualTo(subjects.ids()[0]);
        SortKeyColumns none = store.mailboxes().sortKeyColumns(acc, inboxId, 2, java.util.EnumSet.of(SortKeyColumns.Field.FROM));
        assertThat(none.size()).isZero();
        SortKeyColumns from = store.mailboxes().sortKeyColumns(acc, inboxId, 1,
                java.util.EnumSet.of(SortKeyColumns.Field.FROM, SortKeyColumns.Field.DISPLAY_FROM));
        assertThat(from.sentDates()).isEmpty();
        SortKeyColumns.Strings display = from.strings().get(SortKeyColumns.Field.DISPLAY_FROM);
        assertThat(display.values().get(display.ids()[2])).isEqualTo("C");
        // Copies take their body's keys; expunged messages leave the columns; new keys replace old ones.
        Mailbox other = store.mailboxes().create(acc, "Other", SpecialUse.NONE);
        store.mailboxes().copy(acc, inboxId, List.of(c.uid(), a.uid()), other.id());
        var subject = java.util.EnumSet.of(SortKeyColumns.Field.SUBJECT);
        assertThat(store.mailboxes().sortKeyColumns(acc, other.id(), 1, subject).size()).isEqualTo(2);
        store.mailboxes().expunge(acc, inboxId, List.of(a.uid()));
        assertThat(store.mailboxes().sortKeyColumns(acc, inboxId, 1, subject).uids()).containsExactly(b.uid(), c.uid());
        store.mailboxes().putSortKeys(acc, List.of(new MessageSortKeys(c.blobId(), 1, 7, "NEW", "c", "", "", "C", "")));
        SortKeyColumns.Strings now = store.mailboxes().sortKeyColumns(acc, other.id(), 1, subject).strings()
                .get(SortKeyColumns.Field.SUBJECT);
        assertThat(java.util.Arrays.stream(now.ids()).mapToObj(now.values()::get)).containsExactlyInAnyOrder("NEW", "SAME");
    }

    /**
     * Delivery and APPEND store a message's keys in the transaction that stores it, derived from its
     * header section the way IMAP SORT derives them (RFC 5256 §2-3, RFC 5957 §3): no SORT has run.
     */
    @Test
    void deliveredAndAppendedMessagesHaveSortKeysAtOnce() {
        long bob = account("bob@example.org").id();
        String content = "Date: Tue, 3 Mar 2026 10:00:00 +0100\r\nFrom: \"Zed Sender\" <zed@example.org>\r\n"
                + "To: Bob <bob@example.org>, carol@example.org\r\nCc: dave@example.org\r\n"
                + "Subject: Re: [list] Fwd: Plans (fwd)\r\n\r\nbody\r\n";
        IntakeResult r = store.deliver(new Intake(blob(content), content.length(), java.time.Instant.now(), List.of(
                new Intake.Target(acc, inboxId, Set.of()), new Intake.Target(bob, inbox(bob).id(), Set.of())), null));
        MessageRecord appended = append(acc, inboxId, "Re: second");
        int v = org.postern.store.backend.SortKeyDerivation.VERSION;
        java.util.Map<Long, MessageSortKeys> keys = store.mailboxes().sortKeys(acc, inboxId, v);
        assertThat(keys).containsOnlyKeys(r.delivered().get(0).uid(), appended.uid());
        String blobId = r.delivered().get(0).blobId();
        assertThat(keys.get(r.delivered().get(0).uid())).isEqualTo(new MessageSortKeys(blobId, v,
                java.time.Instant.parse("2026-03-03T09:00:00Z").toEpochMilli(), "PLANS", "ZED", "BOB", "DAVE",
                "ZED SENDER", "BOB"));
        assertThat(keys.get(appended.uid())).isEqualTo(new MessageSortKeys(appended.blobId(), v,
                MessageSortKeys.NO_DATE, "SECOND", "A", "", "", "A@EXAMPLE.ORG", ""));
        // Each recipient account has the keys of its copy.
        assertThat(store.mailboxes().sortKeys(bob, inbox(bob).id(), v)).containsOnlyKeys(r.delivered().get(1).uid());
    }
}
