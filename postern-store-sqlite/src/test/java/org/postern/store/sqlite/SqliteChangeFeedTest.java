// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.postern.store.ChangeFeed;
import org.postern.store.ChangeFeedContract;
import org.postern.store.MailStore;
import org.postern.store.StoreException;

class SqliteChangeFeedTest extends ChangeFeedContract {
    @Override
    protected MailStore open(Path dataDir) {
        return SqliteMailStore.open(dataDir);
    }

    @Test
    void aWriteTellsItsOwnThreadHowItMovedTheVersion() throws Exception {
        long alice = account("alice@example.org").id();
        long bob = account("bob@example.org").id();
        long inbox = inbox(alice).id();
        ChangeFeed feed = store.changes();
        long before = feed.version(alice);
        append(alice, inbox, "one");
        ChangeFeed.Span first = feed.lastWrite(alice);
        assertThat(first.before()).isEqualTo(before);
        assertThat(first.after()).isGreaterThan(before).isEqualTo(feed.version(alice));
        // Nothing published for an account the write did not change.
        assertThat(feed.lastWrite(bob)).isNull();
        // The next write starts where this one ended: the chain an IMAP session checks.
        append(alice, inbox, "two");
        assertThat(feed.lastWrite(alice).before()).isEqualTo(first.after());
        // Another thread's write is its own: this thread's answer stays, and no longer chains to the version.
        Thread other = Thread.ofVirtual().start(() -> append(alice, inbox, "three"));
        other.join();
        ChangeFeed.Span mine = feed.lastWrite(alice);
        assertThat(mine.after()).isLessThan(feed.version(alice));
        AtomicReference<ChangeFeed.Span> seen = new AtomicReference<>(mine);
        Thread.ofVirtual().start(() -> seen.set(feed.lastWrite(alice))).join();
        assertThat(seen.get()).isNull();
        // A failed write leaves nothing to chain from.
        assertThatThrownBy(() -> store.mailboxes().append(alice, 999_999, blob("x"), 1, java.util.Set.of(),
                java.time.Instant.now())).isInstanceOf(StoreException.class);
        assertThat(feed.lastWrite(alice)).isNull();
    }
}
