// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.store.IdentityStore.Identity;

/** Identities: a default created once, writes durable and counted, changes since a state. */
public abstract class IdentityContract extends StoreContract {
    @Test
    void theDefaultIdentityIsCreatedOnce() {
        long alice = account("alice@example.org").id();
        List<Identity> first = store.identities().list(alice, "alice@example.org");
        assertThat(first).singleElement().satisfies(i -> {
            assertThat(i.email()).isEqualTo("alice@example.org");
            assertThat(i.mayDelete()).isFalse();
        });
        assertThat(store.identities().list(alice, "alice@example.org")).isEqualTo(first);
        long bob = account("bob@example.org").id();
        assertThat(store.identities().list(bob, "bob@example.org")).singleElement()
                .satisfies(i -> assertThat(i.id()).isNotEqualTo(first.get(0).id()));
    }

    @Test
    void createUpdateDeleteAreDurableAndTracked() {
        long alice = account("alice@example.org").id();
        store.identities().list(alice, "alice@example.org");
        long s0 = store.identities().state(alice);
        Identity made = store.identities().create(new Identity(0, alice, "Al", "al@example.org", "[{\"email\":\"r@x\"}]", null,
                "-- al", "", true));
        assertThat(made.id()).isPositive();
        long s1 = store.identities().state(alice);
        assertThat(s1).isGreaterThan(s0);
        assertThat(store.identities().changes(alice, s0, 100).orElseThrow().created()).containsExactly(made.id());
        assertThat(store.identities().update(new Identity(made.id(), alice, "Alfred", "al@example.org", null, null, "", "", false)))
                .isTrue();
        reopen();
        Identity read = store.identities().get(alice, made.id()).orElseThrow();
        assertThat(read.name()).isEqualTo("Alfred");
        assertThat(read.replyTo()).isNull();
        assertThat(read.mayDelete()).as("update keeps mayDelete").isTrue();
        ObjectChanges c = store.identities().changes(alice, s1, 100).orElseThrow();
        assertThat(c.updated()).containsExactly(made.id());
        assertThat(c.created()).isEmpty();
        assertThat(store.identities().delete(alice, made.id())).isTrue();
        assertThat(store.identities().delete(alice, made.id())).isFalse();
        ObjectChanges d = store.identities().changes(alice, s1, 100).orElseThrow();
        assertThat(d.destroyed()).containsExactly(made.id());
        assertThat(d.updated()).isEmpty();
        assertThat(store.identities().changes(alice, s0, 100).orElseThrow().created()).as("created and destroyed since s0").isEmpty();
        assertThat(store.identities().changes(alice, store.identities().state(alice) + 1, 100)).isEmpty();
    }

    @Test
    void changesStopAtTheLimitAndContinue() {
        long alice = account("alice@example.org").id();
        long s0 = store.identities().state(alice);
        java.util.List<Long> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(store.identities().create(new Identity(0, alice, "n" + i, "alice@example.org", null, null, "", "", true)).id());
        }
        ObjectChanges first = store.identities().changes(alice, s0, 2).orElseThrow();
        assertThat(first.hasMore()).isTrue();
        assertThat(first.created()).containsExactly(ids.get(0), ids.get(1));
        ObjectChanges rest = store.identities().changes(alice, first.newState(), 10).orElseThrow();
        assertThat(rest.hasMore()).isFalse();
        assertThat(rest.created()).containsExactly(ids.get(2), ids.get(3), ids.get(4));
        assertThat(rest.newState()).isEqualTo(store.identities().state(alice));
    }

    @Test
    void accountsAreSeparate() {
        long alice = account("alice@example.org").id();
        long bob = account("bob@example.org").id();
        Identity made = store.identities().create(new Identity(0, alice, "", "alice@example.org", null, null, "", "", true));
        assertThat(store.identities().get(bob, made.id())).isEmpty();
        assertThat(store.identities().update(new Identity(made.id(), bob, "x", "bob@example.org", null, null, "", "", true))).isFalse();
        assertThat(store.identities().delete(bob, made.id())).isFalse();
        assertThat(store.identities().state(bob)).isZero();
    }
}
