// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postern.store.MetadataStore.Scope;

/** Annotations (RFC 5464): scopes kept apart, all-or-nothing writes, entries follow their mailbox. */
public abstract class MetadataContract extends StoreContract {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, byte[]> values(String... kv) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1] == null ? null : b(kv[i + 1]));
        return m;
    }

    @Test
    void scopesAreSeparate() {
        long alice = account("alice@example.org").id();
        long bob = account("bob@example.org").id();
        long inbox = inbox(alice).id();
        Map<Scope, Map<String, byte[]>> changes = new LinkedHashMap<>();
        changes.put(Scope.serverShared(), values("/shared/comment", "server"));
        changes.put(Scope.serverPrivate(alice), values("/private/comment", "alice's"));
        changes.put(Scope.mailboxShared(alice, inbox), values("/shared/comment", "inbox", "/shared/vendor/x/y", "1"));
        changes.put(Scope.mailboxPrivate(alice, inbox, bob), values("/private/comment", "bob's note"));
        store.metadata().apply(changes);
        assertThat(store.metadata().entries(Scope.serverShared())).containsOnlyKeys("/shared/comment");
        assertThat(new String(store.metadata().entries(Scope.serverPrivate(alice)).get("/private/comment"), StandardCharsets.UTF_8))
                .isEqualTo("alice's");
        assertThat(store.metadata().entries(Scope.serverPrivate(bob))).isEmpty();
        assertThat(store.metadata().entries(Scope.mailboxShared(alice, inbox)).keySet())
                .containsExactly("/shared/comment", "/shared/vendor/x/y");
        assertThat(store.metadata().entries(Scope.mailboxPrivate(alice, inbox, alice))).isEmpty();
        assertThat(store.metadata().entries(Scope.mailboxPrivate(alice, inbox, bob))).containsOnlyKeys("/private/comment");
        // null removes
        store.metadata().apply(Map.of(Scope.mailboxShared(alice, inbox), values("/shared/comment", null)));
        assertThat(store.metadata().entries(Scope.mailboxShared(alice, inbox))).containsOnlyKeys("/shared/vendor/x/y");
    }

    @Test
    void entriesFollowRenameAndGoWithDelete() {
        long alice = account("alice@example.org").id();
        Mailbox m = store.mailboxes().create(alice, "Work", SpecialUse.NONE);
        store.metadata().apply(Map.of(Scope.mailboxShared(alice, m.id()), values("/shared/comment", "w")));
        store.mailboxes().rename(alice, "Work", "Job");
        assertThat(store.metadata().entries(Scope.mailboxShared(alice, mailbox(alice, "Job").id()))).containsOnlyKeys("/shared/comment");
        store.mailboxes().delete(alice, "Job");
        Mailbox again = store.mailboxes().create(alice, "Job", SpecialUse.NONE);
        assertThat(store.metadata().entries(Scope.mailboxShared(alice, again.id()))).isEmpty();
        assertThat(store.metadata().entries(Scope.mailboxShared(alice, m.id()))).isEmpty();
    }

    @Test
    void accountDeletionRemovesItsEntries() {
        Account alice = account("alice@example.org");
        long inbox = inbox(alice.id()).id();
        store.metadata().apply(Map.of(Scope.serverPrivate(alice.id()), values("/private/comment", "x"),
                Scope.mailboxShared(alice.id(), inbox), values("/shared/comment", "y")));
        store.directory().deleteAccount(alice.address());
        assertThat(store.metadata().entries(Scope.serverPrivate(alice.id()))).isEmpty();
        assertThat(store.metadata().entries(Scope.mailboxShared(alice.id(), inbox))).isEmpty();
    }
}
