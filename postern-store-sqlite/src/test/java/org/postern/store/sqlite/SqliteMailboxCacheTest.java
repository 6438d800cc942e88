// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.BlobStore;
import org.postern.store.FlagOp;
import org.postern.store.Mailbox;
import org.postern.store.MailStore;
import org.postern.store.PasswordRecord;
import org.postern.store.SpecialUse;
import org.postern.store.StoreException;

/**
 * The per-account mailbox cache never serves rows older than a write that returned: not on another
 * thread, not in another instance on the same file (the CLI), and a failed write leaves it exact.
 */
class SqliteMailboxCacheTest {
    @TempDir
    Path dir;
    private SqliteMailStore store;
    private long acc;
    private long inbox;
    private final List<MailStore> others = new ArrayList<>();
    private ExecutorService pool;

    @BeforeEach
    void open() {
        store = SqliteMailStore.open(dir);
        store.directory().addDomain("example.org");
        acc = store.directory().createAccount("alice@example.org", PasswordRecord.NONE, false).id();
        inbox = store.mailboxes().find(acc, Mailbox.INBOX).orElseThrow().id();
        pool = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        for (MailStore s : others) s.close();
        store.close();
    }

    private SqliteMailboxStore mailboxes() {
        return (SqliteMailboxStore) store.mailboxes();
    }

    private String blob(MailStore s, String subject) {
        try (BlobStore.BlobWriter w = s.blobs().create()) {
            try (var out = w.stream()) {
                out.write(("From: a@example.org\r\nSubject: " + subject + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8));
            }
            return w.commit();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private long append(MailStore s, String subject) {
        return s.mailboxes().append(acc, inbox, blob(s, subject), 40, Set.of(), Instant.now()).uid();
    }

    private static Mailbox inboxIn(List<Mailbox> list) {
        return list.stream().filter(m -> m.name().equals(Mailbox.INBOX)).findFirst().orElseThrow();
    }

    /** Reads on a thread other than the writer's. */
    private <T> T elsewhere(java.util.function.Supplier<T> read) throws Exception {
        return CompletableFuture.supplyAsync(read, pool).get(20, TimeUnit.SECONDS);
    }

    @Test
    void repeatedReadsHitTheCacheAndAMailboxWriteReloadsOnce() {
        store.mailboxes().list(acc);
        long loads = mailboxes().mailboxLoads();
        for (int i = 0; i < 20; i++) {
            assertThat(store.mailboxes().list(acc)).extracting(Mailbox::name).contains(Mailbox.INBOX);
            assertThat(store.mailboxes().find(acc, "inbox")).isPresent();
            assertThat(store.mailboxes().byId(acc, inbox)).isPresent();
            store.mailboxes().changesSince(acc, inbox, 0);
        }
        assertThat(mailboxes().mailboxLoads()).isEqualTo(loads);
        store.mailboxes().create(acc, "Work", SpecialUse.NONE);
        assertThat(store.mailboxes().find(acc, "Work")).isPresent();
        assertThat(store.mailboxes().list(acc)).extracting(Mailbox::name).contains("Work");
        assertThat(mailboxes().mailboxLoads()).isEqualTo(loads + 1);
    }

    /**
     * A listing (IMAP LIST) is not read again while the change feed announced nothing for the account and
     * nothing about any account's mailboxes: a change made behind the store's back (no announcement)
     * stays unseen until the next announced write, which any write of the account is, and a grant by
     * another account is seen at once; another instance's writes once the feed's poll finds them.
     */
    @Test
    void aListingIsKeptUntilTheFeedAnnouncesAChange() throws Exception {
        long bob = store.directory().createAccount("bob@example.org", PasswordRecord.NONE, false).id();
        List<String> ids = List.of("alice@example.org", org.postern.store.AclStore.ANYONE);
        MailStore.Listing first = store.listing(acc, ids);
        try (SqliteConnection raw = SqliteConnection.open(dir.resolve(SqliteMailStore.DATABASE_FILE), false)) {
            raw.update("UPDATE mailboxes SET subscribed = 1 - subscribed WHERE account_id = ? AND id = ?", acc, inbox);
            raw.update("UPDATE accounts SET modseq = modseq + 1 WHERE id = ?", acc); // past the mailbox cache too
        }
        assertThat(store.listing(acc, ids)).isEqualTo(first);
        append(store, "announced");
        MailStore.Listing after = store.listing(acc, ids);
        assertThat(after.mailboxes()).isEqualTo(fresh());
        assertThat(inboxIn(after.mailboxes()).subscribed()).isNotEqualTo(inboxIn(first.mailboxes()).subscribed());
        // A grant is announced to its owner only, yet every account's listing sees it.
        long bobInbox = store.mailboxes().find(bob, Mailbox.INBOX).orElseThrow().id();
        store.acl().setRights(bob, bobInbox, "alice@example.org", "lr");
        assertThat(store.listing(acc, ids).grants())
                .containsExactly(new org.postern.store.AclStore.Grant(bob, bobInbox, "alice@example.org", "lr"));
        store.acl().setRights(bob, bobInbox, "alice@example.org", "");
        assertThat(store.listing(acc, ids).grants()).isEmpty();
        // Another process (the CLI): seen once the poll found it.
        SqliteMailStore cli = SqliteMailStore.open(dir);
        others.add(cli);
        cli.mailboxes().create(acc, "FromCli", SpecialUse.NONE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.listing(acc, ids).mailboxes().stream().noneMatch(m -> m.name().equals("FromCli"))) {
            assertThat(System.nanoTime()).as("the listing shows the CLI's mailbox within 10 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** What a fresh instance, with nothing cached, reads for the account. */
    private List<Mailbox> fresh() {
        try (SqliteMailStore other = SqliteMailStore.open(dir)) {
            return other.mailboxes().list(acc);
        }
    }

    @Test
    void messageWritesUpdateTheKeptRowsWithoutReadingThemBack() throws Exception {
        Mailbox work = store.mailboxes().create(acc, "Work", SpecialUse.NONE);
        store.mailboxes().list(acc);
        long loads = mailboxes().mailboxLoads();
        long uid = append(store, "one");
        append(store, "two");
        assertThat(store.mailboxes().list(acc)).isEqualTo(fresh());
        store.mailboxes().storeFlags(acc, inbox, List.of(uid), FlagOp.ADD, Set.of("\\Seen"), -1);
        assertThat(store.mailboxes().list(acc)).isEqualTo(fresh());
        store.mailboxes().move(acc, inbox, List.of(uid), work.id());
        assertThat(store.mailboxes().list(acc)).isEqualTo(fresh());
        store.mailboxes().copy(acc, work.id(), List.of(1L), inbox);
        assertThat(store.mailboxes().list(acc)).isEqualTo(fresh());
        store.mailboxes().expunge(acc, work.id(), List.of(1L));
        assertThat(store.mailboxes().list(acc)).isEqualTo(fresh());
        // Concurrent writers share batches (savepoints): each write moves the entry on from the one before.
        List<CompletableFuture<Long>> writes = new ArrayList<>();
        for (int i = 0; i < 40; i++) writes.add(CompletableFuture.supplyAsync(() -> append(store, "many"), pool));
        for (var w : writes) w.get(20, TimeUnit.SECONDS);
        assertThat(elsewhere(() -> store.mailboxes().list(acc))).isEqualTo(fresh());
        assertThat(inboxIn(store.mailboxes().list(acc)).messages()).isEqualTo(42);
        assertThat(mailboxes().mailboxLoads()).isEqualTo(loads);
        // Another instance's write in between: the kept entry no longer leads to this one's, so it is read again.
        SqliteMailStore cli = SqliteMailStore.open(dir);
        others.add(cli);
        append(cli, "from the cli");
        append(store, "after it");
        assertThat(store.mailboxes().list(acc)).isEqualTo(fresh());
        assertThat(inboxIn(store.mailboxes().list(acc)).messages()).isEqualTo(44);
        assertThat(mailboxes().mailboxLoads()).isEqualTo(loads + 1);
    }

    @Test
    void everyKindOfWriteIsSeenByTheNextReadOnAnotherThread() throws Exception {
        store.mailboxes().list(acc);
        Mailbox work = store.mailboxes().create(acc, "Work", SpecialUse.NONE);
        assertThat(elsewhere(() -> store.mailboxes().find(acc, "Work"))).contains(work);
        assertThat(elsewhere(() -> store.mailboxes().list(acc))).extracting(Mailbox::name).contains("Work");

        long uid = append(store, "one");
        Mailbox after = elsewhere(() -> store.mailboxes().byId(acc, inbox)).orElseThrow();
        assertThat(after.messages()).isEqualTo(1);
        assertThat(after.unseen()).isEqualTo(1);
        assertThat(after.uidNext()).isEqualTo(uid + 1);

        store.mailboxes().storeFlags(acc, inbox, List.of(uid), FlagOp.ADD, Set.of("\\Seen"), -1);
        Mailbox seen = elsewhere(() -> store.mailboxes().find(acc, Mailbox.INBOX)).orElseThrow();
        assertThat(seen.unseen()).isZero();
        assertThat(seen.highestModSeq()).isGreaterThan(after.highestModSeq());
        assertThat(elsewhere(() -> store.mailboxes().changesSince(acc, inbox, after.highestModSeq())).changed())
                .hasSize(1);

        store.mailboxes().setSubscribed(acc, "Work", true);
        assertThat(elsewhere(() -> store.mailboxes().find(acc, "Work")).orElseThrow().subscribed()).isTrue();

        store.mailboxes().rename(acc, "Work", "Job");
        assertThat(elsewhere(() -> store.mailboxes().find(acc, "Work"))).isEmpty();
        assertThat(elsewhere(() -> store.mailboxes().byId(acc, work.id())).orElseThrow().name()).isEqualTo("Job");

        store.mailboxes().expunge(acc, inbox, List.of(uid));
        assertThat(elsewhere(() -> store.mailboxes().snapshot(acc, inbox)).mailbox().messages()).isZero();
        assertThat(elsewhere(() -> store.mailboxes().index(acc, inbox)).mailbox().messages()).isZero();

        store.mailboxes().delete(acc, "Job");
        assertThat(elsewhere(() -> store.mailboxes().byId(acc, work.id()))).isEmpty();
        assertThat(elsewhere(() -> store.mailboxes().list(acc))).extracting(Mailbox::name).doesNotContain("Job", "Work");
    }

    @Test
    void writesOfAnotherInstanceOnTheSameFileAreSeenAtOnce() {
        SqliteMailStore cli = SqliteMailStore.open(dir);
        others.add(cli);
        int before = store.mailboxes().list(acc).size();
        cli.mailboxes().create(acc, "FromCli", SpecialUse.NONE);
        // No waiting for the change feed's poller: the next read already sees it.
        assertThat(store.mailboxes().find(acc, "FromCli")).isPresent();
        assertThat(store.mailboxes().list(acc)).hasSize(before + 1);
        append(cli, "from the cli");
        assertThat(store.mailboxes().byId(acc, inbox).orElseThrow().messages()).isEqualTo(1);
        cli.directory().deleteAccount("alice@example.org");
        assertThat(store.mailboxes().list(acc)).isEmpty();
        assertThat(store.mailboxes().byId(acc, inbox)).isEmpty();
    }

    @Test
    void aFailedWriteLeavesTheCacheExact() {
        store.mailboxes().create(acc, "A", SpecialUse.NONE);
        List<Mailbox> before = store.mailboxes().list(acc);
        org.junit.jupiter.api.Assertions.assertThrows(StoreException.Conflict.class,
                () -> store.mailboxes().create(acc, "A", SpecialUse.NONE));
        org.junit.jupiter.api.Assertions.assertThrows(StoreException.class,
                () -> store.mailboxes().rename(acc, "A", Mailbox.INBOX));
        assertThat(store.mailboxes().list(acc)).isEqualTo(before);
    }

    @Test
    void listReturnsACopyTheCallerMayChange() {
        List<Mailbox> l = store.mailboxes().list(acc);
        int n = l.size();
        l.clear();
        assertThat(store.mailboxes().list(acc)).hasSize(n).isNotEmpty();
    }

    @Test
    void concurrentReadersNeverSeeFewerMessagesThanAnAppendThatReturned() throws Exception {
        AtomicLong returned = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<CompletableFuture<Long>> readers = new ArrayList<>();
        // The appends must overlap the reads: they start once every reader has checked once.
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(4);
        for (int r = 0; r < 4; r++) {
            readers.add(CompletableFuture.supplyAsync(() -> {
                long checks = 0;
                while (!stop.get() || checks == 0) {
                    long floor = returned.get();
                    int seen = switch ((int) (checks % 3)) {
                        case 0 -> inboxIn(store.mailboxes().list(acc)).messages();
                        case 1 -> store.mailboxes().find(acc, Mailbox.INBOX).orElseThrow().messages();
                        default -> store.mailboxes().byId(acc, inbox).orElseThrow().messages();
                    };
                    if (seen < floor) throw new AssertionError("read " + seen + " messages after " + floor + " were appended");
                    if (checks++ == 0) reading.countDown();
                }
                return checks;
            }, pool));
        }
        try {
            assertThat(reading.await(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i <= 60; i++) {
                append(store, "m" + i);
                returned.set(i);
            }
        } finally {
            stop.set(true);
        }
        for (CompletableFuture<Long> r : readers) assertThat(r.get(30, TimeUnit.SECONDS)).isPositive();
        assertThat(inboxIn(store.mailboxes().list(acc)).messages()).isEqualTo(60);
    }
}
