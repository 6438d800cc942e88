// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.postern.store.FlagOp;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import org.postern.store.MailboxIndex;
import org.postern.store.MailboxSnapshot;
import org.postern.store.MessageRecord;
import org.postern.store.SpecialUse;
import org.postern.store.StoreContract;

/** A cached index brought up to date from the change log equals a fresh snapshot, also after another process wrote. */
class SqliteIndexCacheTest extends StoreContract {
    private static final int N = SqliteIndexCache.MIN_CACHED + 100;

    @Override
    protected MailStore open(Path dataDir) {
        return SqliteMailStore.open(dataDir);
    }

    @Test
    void cachedIndexFollowsFlagsExpungesAppendsMovesAndOtherProcesses() throws Exception {
        long acc = account("carol@example.org").id();
        long inbox = inbox(acc).id();
        String blob = blob(message("many"));
        // Parallel appends share group commits, so this takes a few batches, not N fsyncs.
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<MessageRecord>> fs = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                int n = i;
                fs.add(pool.submit(() -> store.mailboxes().append(acc, inbox, blob, 100 + n,
                        n % 2 == 0 ? Set.of("\\Seen") : Set.of(), Instant.ofEpochSecond(1_000_000 + n))));
            }
            for (Future<MessageRecord> f : fs) f.get();
        }
        assertSame(acc, inbox);
        MailboxIndex cached = store.mailboxes().index(acc, inbox);
        assertThat(store.mailboxes().index(acc, inbox).uid(0)).isEqualTo(cached.uid(0));

        store.mailboxes().storeFlags(acc, inbox, List.of(3L, 4L, 500L), FlagOp.ADD, Set.of("$Urgent"), -1);
        store.mailboxes().expunge(acc, inbox, List.of(1L, 2L, 700L, (long) N));
        store.mailboxes().append(acc, inbox, blob, 7, Set.of("\\Draft"), Instant.ofEpochSecond(5));
        Mailbox other = store.mailboxes().create(acc, "Other", SpecialUse.NONE);
        store.mailboxes().move(acc, inbox, List.of(10L, 11L), other.id());
        assertSame(acc, inbox);

        try (MailStore second = openSecond()) {
            second.mailboxes().storeFlags(acc, inbox, List.of(20L), FlagOp.REPLACE, Set.of("\\Flagged"), -1);
            second.mailboxes().expunge(acc, inbox, List.of(21L));
        }
        assertSame(acc, inbox);
        assertThat(store.mailboxes().index(acc, inbox).indexOf(21)).isNegative();
        assertThat(store.mailboxes().index(acc, inbox).flags(store.mailboxes().index(acc, inbox).indexOf(20)))
                .containsExactly("\\Flagged");
    }

    private void assertSame(long acc, long mailboxId) {
        MailboxSnapshot snap = store.mailboxes().snapshot(acc, mailboxId);
        MailboxIndex index = store.mailboxes().index(acc, mailboxId);
        assertThat(index.mailbox()).isEqualTo(snap.mailbox());
        List<MessageRecord> fromIndex = new ArrayList<>(index.size());
        for (int i = 0; i < index.size(); i++) fromIndex.add(index.record(i));
        assertThat(fromIndex).isEqualTo(snap.messages());
    }
}
