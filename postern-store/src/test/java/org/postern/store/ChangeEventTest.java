// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Events name an annotation exactly when they are METADATA, and the entry's text form survives other processes. */
class ChangeEventTest {
    @Test
    void metadataEventsGoToTheUserOrTheOwner() {
        assertThat(ChangeEvent.metadata(MetadataStore.Scope.mailboxPrivate(3, 9, 5), "/private/x").accountId()).isEqualTo(5);
        assertThat(ChangeEvent.metadata(MetadataStore.Scope.mailboxShared(3, 9), "/shared/x").accountId()).isEqualTo(3);
        assertThat(ChangeEvent.metadata(MetadataStore.Scope.serverShared(), "/shared/admin").accountId()).isZero();
        assertThat(ChangeEvent.metadata(MetadataStore.Scope.mailboxShared(3, 9), "/shared/x").mailboxId()).isEqualTo(9);
    }

    @Test
    void anEntryGoesWithMetadataOnly() {
        ChangeEvent.Entry e = new ChangeEvent.Entry(MetadataStore.Scope.serverShared(), "/shared/x");
        assertThatThrownBy(() -> new ChangeEvent(1, 0, 0, ChangeEvent.Kind.IDENTITIES, e)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChangeEvent(1, 0, 0, ChangeEvent.Kind.METADATA)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ChangeEvent.Kind.MESSAGES.aboutMail()).isTrue();
        assertThat(ChangeEvent.Kind.METADATA.aboutMail()).isFalse();
        assertThat(ChangeEvent.Kind.ACCOUNT.aboutMail()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/shared/comment", "/private/with spaces  twice", "/private/vendor/postern/webmail"})
    void entryTextRoundTrips(String name) {
        ChangeEvent.Entry e = new ChangeEvent.Entry(MetadataStore.Scope.mailboxPrivate(3, 9, 5), name);
        assertThat(ChangeEvent.Entry.parse(9, e.text())).isEqualTo(e);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "1 2", "a 2 /x", "1 b /x", "99999999999999999999 0 /x"})
    void anythingElseIsNoEntry(String text) {
        assertThat(ChangeEvent.Entry.parse(9, text)).isNull();
    }
}
