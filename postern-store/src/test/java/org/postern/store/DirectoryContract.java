// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Domains, accounts and aliases: the rules of {@link Directory}. */
public abstract class DirectoryContract extends StoreContract {

    @Test
    void domainsAreCaseInsensitiveAndUnique() {
        store.directory().addDomain("Example.ORG");
        assertThat(store.directory().domains()).containsExactly("example.org");
        assertThat(store.directory().isLocalDomain("EXAMPLE.org")).isTrue();
        assertThat(store.directory().isLocalDomain("other.org")).isFalse();
        assertThatThrownBy(() -> store.directory().addDomain("example.org")).isInstanceOf(StoreException.Conflict.class);
    }

    @Test
    void createAccountMakesTheStandardMailboxesSubscribed() {
        Account a = account("Alice@Example.org");
        assertThat(a.address()).isEqualTo("Alice@example.org");
        List<Mailbox> boxes = store.mailboxes().list(a.id());
        assertThat(boxes).extracting(Mailbox::name)
                .containsExactlyInAnyOrder("INBOX", "Drafts", "Sent", "Trash", "Junk", "Archive");
        assertThat(boxes).allMatch(Mailbox::subscribed);
        assertThat(mailbox(a.id(), "Sent").specialUse()).isEqualTo(SpecialUse.SENT);
        assertThat(mailbox(a.id(), "Drafts").specialUse()).isEqualTo(SpecialUse.DRAFTS);
        assertThat(mailbox(a.id(), "Trash").specialUse()).isEqualTo(SpecialUse.TRASH);
        assertThat(mailbox(a.id(), "Junk").specialUse()).isEqualTo(SpecialUse.JUNK);
        assertThat(mailbox(a.id(), "Archive").specialUse()).isEqualTo(SpecialUse.ARCHIVE);
        assertThat(inbox(a.id()).specialUse()).isEqualTo(SpecialUse.NONE);
    }

    @Test
    void accountLookupIsCaseInsensitive() {
        Account a = account("alice@example.org");
        assertThat(store.directory().account("ALICE@EXAMPLE.ORG")).map(Account::id).contains(a.id());
        assertThat(store.directory().account(a.id())).map(Account::address).contains("alice@example.org");
        assertThat(store.directory().account("bob@example.org")).isEmpty();
        assertThat(store.directory().account("not an address")).isEmpty();
    }

    @Test
    void createAccountRules() {
        store.directory().addDomain("example.org");
        assertThatThrownBy(() -> store.directory().createAccount("a@elsewhere.org", PasswordRecord.NONE, false))
                .isInstanceOf(StoreException.NotFound.class);
        store.directory().createAccount("a@example.org", PasswordRecord.NONE, false);
        assertThatThrownBy(() -> store.directory().createAccount("A@example.ORG", PasswordRecord.NONE, false))
                .isInstanceOf(StoreException.Conflict.class);
        store.directory().addAlias("postmaster@example.org", List.of("a@example.org"));
        assertThatThrownBy(() -> store.directory().createAccount("Postmaster@example.org", PasswordRecord.NONE, false))
                .isInstanceOf(StoreException.Conflict.class);
        assertThatThrownBy(() -> store.directory().createAccount("bad address@example.org", PasswordRecord.NONE, false))
                .isInstanceOf(StoreException.class);
    }

    @Test
    void accountsAreListedWithPasswordsAndSettings() {
        store.directory().addDomain("example.org");
        store.directory().createAccount("bob@example.org", new PasswordRecord("$argon2id$x", "scram"), true);
        account("alice@example.org");
        store.directory().setSetting("bob@example.org", "pop3", "keep");
        assertThat(store.directory().accounts()).extracting(Account::address)
                .containsExactly("alice@example.org", "bob@example.org");
        Account bob = store.directory().account("bob@example.org").orElseThrow();
        assertThat(bob.admin()).isTrue();
        assertThat(bob.password()).isEqualTo(new PasswordRecord("$argon2id$x", "scram"));
        assertThat(bob.setting("pop3", "delete")).isEqualTo("keep");
        store.directory().setPassword("BOB@example.org", new PasswordRecord("h2", "s2"));
        assertThat(store.directory().account("bob@example.org").orElseThrow().password())
                .isEqualTo(new PasswordRecord("h2", "s2"));
        assertThatThrownBy(() -> store.directory().setPassword("nobody@example.org", PasswordRecord.NONE))
                .isInstanceOf(StoreException.NotFound.class);
    }

    @Test
    void deleteAccountRemovesMailboxesAndPublishesAccountEvent() {
        Account a = account("alice@example.org");
        Mailbox inbox = inbox(a.id());
        append(a.id(), inbox.id(), "hello");
        List<ChangeEvent> events = new CopyOnWriteArrayList<>();
        store.changes().subscribe(a.id(), events::add);
        store.directory().deleteAccount("alice@example.org");
        assertThat(store.directory().account("alice@example.org")).isEmpty();
        assertThat(store.mailboxes().list(a.id())).isEmpty();
        assertThat(waitFor(Duration.ofSeconds(2), () -> events.stream()
                .anyMatch(e -> e.kind() == ChangeEvent.Kind.ACCOUNT && e.accountId() == a.id()))).isTrue();
        assertThatThrownBy(() -> store.directory().deleteAccount("alice@example.org"))
                .isInstanceOf(StoreException.NotFound.class);
        // the address is free again and the new account starts from scratch
        Account again = account("alice@example.org");
        assertThat(again.id()).isNotEqualTo(a.id());
        assertThat(inbox(again.id()).messages()).isZero();
    }

    @Test
    void aliasesAreReplacedListedAndDeleted() {
        store.directory().addDomain("example.org");
        account("alice@example.org");
        store.directory().addAlias("Sales@example.org", List.of("alice@example.org", "x@remote.net"));
        store.directory().addAlias("info@example.org", List.of("alice@example.org"));
        assertThat(store.directory().aliasTargets("SALES@example.org"))
                .containsExactly("alice@example.org", "x@remote.net");
        store.directory().addAlias("sales@example.org", List.of("bob@remote.net"));
        assertThat(store.directory().aliasTargets("sales@example.org")).containsExactly("bob@remote.net");
        assertThat(store.directory().aliases().keySet()).containsExactly("info@example.org", "sales@example.org");
        assertThat(store.directory().aliasTargets("alice@example.org")).isEmpty();
        store.directory().deleteAlias("info@example.org");
        assertThat(store.directory().aliases()).containsOnlyKeys("sales@example.org");
    }

    @Test
    void aliasRules() {
        store.directory().addDomain("example.org");
        account("alice@example.org");
        assertThatThrownBy(() -> store.directory().addAlias("ALICE@example.org", List.of("x@remote.net")))
                .isInstanceOf(StoreException.Conflict.class);
        assertThatThrownBy(() -> store.directory().addAlias("a@unknown.org", List.of("x@remote.net")))
                .isInstanceOf(StoreException.NotFound.class);
        assertThatThrownBy(() -> store.directory().addAlias("a@example.org", List.of("not an address")))
                .isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.directory().addAlias("a@example.org", List.of()))
                .isInstanceOf(StoreException.class);
        assertThat(store.directory().aliases()).isEmpty();
    }

    @Test
    void deleteDomainIsRefusedWhileUsedUnlessForced() {
        store.directory().addDomain("example.org");
        store.directory().addDomain("other.org");
        Account a = account("alice@example.org");
        store.directory().addAlias("info@other.org", List.of("alice@example.org"));
        assertThatThrownBy(() -> store.directory().deleteDomain("example.org", false))
                .isInstanceOf(StoreException.Refused.class);
        assertThatThrownBy(() -> store.directory().deleteDomain("other.org", false))
                .isInstanceOf(StoreException.Refused.class);
        assertThatThrownBy(() -> store.directory().deleteDomain("missing.org", false))
                .isInstanceOf(StoreException.NotFound.class);
        store.directory().deleteDomain("EXAMPLE.org", true);
        store.directory().deleteDomain("other.org", true);
        assertThat(store.directory().domains()).isEmpty();
        assertThat(store.directory().account("alice@example.org")).isEmpty();
        assertThat(store.mailboxes().list(a.id())).isEmpty();
        assertThat(store.directory().aliases()).isEmpty();
        store.directory().addDomain("empty.org");
        store.directory().deleteDomain("empty.org", false);
        assertThat(store.directory().domains()).isEmpty();
    }

    @Test
    void directorySurvivesReopen() {
        account("alice@example.org");
        store.directory().setSetting("alice@example.org", "k", "v");
        reopen();
        assertThat(store.directory().account("alice@example.org").orElseThrow().setting("k", "")).isEqualTo("v");
        assertThat(store.directory().domains()).containsExactly("example.org");
    }
}
