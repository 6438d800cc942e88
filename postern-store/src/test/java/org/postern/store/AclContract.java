// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ACL entries and per-user \Seen (RFC 4314): scoped per mailbox, MODSEQ bumped, cleaned up. */
public abstract class AclContract extends StoreContract {
    @Test
    void entriesPerMailboxAndGrantsPerIdentifier() {
        long alice = account("alice@example.org").id();
        long inbox = inbox(alice).id();
        long work = store.mailboxes().create(alice, "Work", SpecialUse.NONE).id();
        store.acl().setRights(alice, inbox, "bob@example.org", "lrs");
        store.acl().setRights(alice, work, AclStore.ANYONE, "lr");
        store.acl().setRights(alice, work, "bob@example.org", "lrswite");
        assertThat(store.acl().acl(alice, inbox)).isEqualTo(Map.of("bob@example.org", "lrs"));
        assertThat(store.acl().acl(alice, work)).containsExactly(Map.entry("anyone", "lr"), Map.entry("bob@example.org", "lrswite"));
        assertThat(store.acl().grantsFor(List.of("bob@example.org")))
                .containsExactlyInAnyOrder(new AclStore.Grant(alice, inbox, "bob@example.org", "lrs"),
                        new AclStore.Grant(alice, work, "bob@example.org", "lrswite"));
        store.acl().setRights(alice, inbox, "bob@example.org", "");
        assertThat(store.acl().acl(alice, inbox)).isEmpty();
        store.mailboxes().delete(alice, "Work");
        assertThat(store.acl().grantsFor(List.of("bob@example.org", AclStore.ANYONE))).isEmpty();
    }

    @Test
    void aListingIsTheMailboxListWithTheGrantsReadTogether() {
        long alice = account("alice@example.org").id();
        Account bob = account("bob@example.org");
        long work = store.mailboxes().create(alice, "Work", SpecialUse.NONE).id();
        store.mailboxes().create(bob.id(), "Projects", SpecialUse.NONE);
        store.acl().setRights(alice, work, "bob@example.org", "lr");
        store.acl().setRights(alice, inbox(alice).id(), AclStore.ANYONE, "l");
        List<String> ids = List.of("bob@example.org", AclStore.ANYONE);
        for (int round = 0; round < 2; round++) { // the second from what a backend keeps
            MailStore.Listing l = store.listing(bob.id(), ids);
            assertThat(l.mailboxes()).isEqualTo(store.mailboxes().list(bob.id()));
            assertThat(l.mailboxes()).extracting(Mailbox::name).contains("INBOX", "Projects");
            assertThat(l.grants()).containsExactlyInAnyOrderElementsOf(store.acl().grantsFor(ids));
            assertThat(l.grants()).hasSize(2);
        }
        // A write in between is seen by the next listing.
        append(bob.id(), inbox(bob.id()).id(), "new");
        store.acl().setRights(alice, work, "bob@example.org", "");
        MailStore.Listing after = store.listing(bob.id(), ids);
        assertThat(after.mailboxes()).isEqualTo(store.mailboxes().list(bob.id()));
        assertThat(after.mailboxes().stream().filter(m -> m.name().equals("INBOX")).findFirst().orElseThrow().messages()).isEqualTo(1);
        assertThat(after.grants()).containsExactly(new AclStore.Grant(alice, inbox(alice).id(), AclStore.ANYONE, "l"));
        // More identifiers than one statement takes, and none.
        List<String> many = List.of("a@example.org", "b@example.org", "c@example.org", "d@example.org", "e@example.org", "bob@example.org");
        assertThat(store.listing(bob.id(), many).grants()).containsExactlyInAnyOrderElementsOf(store.acl().grantsFor(many));
        assertThat(store.listing(bob.id(), List.of()).grants()).isEmpty();
        // No such account: no mailboxes.
        assertThat(store.listing(999_999, ids).mailboxes()).isEmpty();
    }

    @Test
    void seenIsPerUserAndBumpsModSeq() {
        long alice = account("alice@example.org").id();
        Account bob = account("bob@example.org");
        long inbox = inbox(alice).id();
        MessageRecord m1 = append(alice, inbox, "one");
        MessageRecord m2 = append(alice, inbox, "two", "\\Seen");
        long before = mailbox(alice, "INBOX").highestModSeq();
        assertThat(store.acl().setSeen(alice, inbox, bob.id(), List.of(m1.uid(), 99L), true)).containsExactly(m1.uid());
        assertThat(store.acl().setSeen(alice, inbox, bob.id(), List.of(m1.uid()), true)).isEmpty();
        assertThat(store.acl().seenUids(alice, inbox, bob.id())).containsExactly(m1.uid());
        assertThat(store.acl().seenCount(alice, inbox, bob.id())).isEqualTo(1);
        // The owner's flags are untouched; the message's MODSEQ moved so sessions notice.
        MessageRecord after = store.mailboxes().message(alice, inbox, m1.uid()).orElseThrow();
        assertThat(after.flags()).isEmpty();
        assertThat(after.modSeq()).isGreaterThan(before);
        assertThat(store.mailboxes().changesSince(alice, inbox, before).changed()).extracting(MessageRecord::uid)
                .containsExactly(m1.uid());
        assertThat(store.mailboxes().message(alice, inbox, m2.uid()).orElseThrow().flags()).containsExactly("\\Seen");
        assertThat(store.acl().setSeen(alice, inbox, bob.id(), List.of(m1.uid()), false)).containsExactly(m1.uid());
        assertThat(store.acl().seenUids(alice, inbox, bob.id())).isEmpty();
        store.acl().setSeen(alice, inbox, bob.id(), List.of(m2.uid()), true);
        // Expunged messages no longer count.
        assertThat(store.acl().seenCount(alice, inbox, bob.id())).isEqualTo(1);
        store.mailboxes().expunge(alice, inbox, List.of(m2.uid()));
        assertThat(store.acl().seenCount(alice, inbox, bob.id())).isZero();
        store.acl().setRights(alice, inbox, bob.address(), "lrs");
        store.directory().deleteAccount(bob.address());
        assertThat(store.acl().seenUids(alice, inbox, bob.id())).isEmpty();
        assertThat(store.acl().acl(alice, inbox)).isEmpty();
    }
}
