// SPDX-License-Identifier: Apache-2.0
package org.postern.search.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.postern.core.mime.MessageParser;
import org.postern.core.mime.MimeMessage;
import org.postern.search.IndexQueue;
import org.postern.search.IndexQueue.Key;
import org.postern.search.SearchText;
import org.postern.search.SnippetText;
import org.postern.store.Account;
import org.postern.store.Mailbox;
import org.postern.store.MailStore;
import org.postern.store.MailboxChanges;
import org.postern.store.MessageRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's share of the indexing, on one thread, driven by the store's change feed (which carries
 * every node's commits to every node). Every node hears of every message; the first to lock the
 * mailbox's {@code search_mark} row ({@code FOR UPDATE SKIP LOCKED}) indexes it, the others skip. So a
 * message is written once per cluster, right after the transaction that stored it (a moment later, not
 * inside it: parsing and normalising the text must not lengthen the delivery transaction, which holds
 * the account's lock and decides the SMTP reply; and a failed indexing must never fail a delivery).
 *
 * <p>A claim lasts one transaction of at most {@link #CHUNK} messages, which writes their rows and
 * advances the mark with them; the mark's MODSEQ moves only when the whole change set is written, so a
 * node that dies mid-way leaves a mark from which any node resumes. A node that skipped a claimed
 * mailbox looks again {@link #RECHECK_NANOS} later, so a claimant that died between its last commit and
 * its re-check never strands a change. At start each node compares every mailbox with its mark, which
 * also drops the rows of mailboxes and accounts deleted meanwhile.
 */
final class PostgresSearchIndexer implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(PostgresSearchIndexer.class);
    /** Messages per claim transaction: bounds how long a row lock and a transaction are held. */
    static final int CHUNK = 200;
    static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** What to look at: a mailbox; every mailbox of an account (mailbox 0); every account (both 0). */
    private record Mark(long modSeq, long uid) {}

    /** A change set being written, kept across the claim transactions of one mailbox. */
    private static final class Pass {
        final long fromModSeq;
        final MailboxChanges changes;
        int next;
        boolean expungedDone;

        Pass(long fromModSeq, MailboxChanges changes) {
            this.fromModSeq = fromModSeq;
            this.changes = changes;
        }
    }

    private final PostgresSearchIndex index;
    private final MailStore store;
    private final IndexQueue queue = new IndexQueue();
    /** Mailboxes another node held when we looked, and when to look again (indexer thread only). */
    private final Map<Key, Long> deferred = new HashMap<>();
    private volatile int deferredCount;
    private volatile boolean closing;
    private Thread thread;

    PostgresSearchIndexer(PostgresSearchIndex index, MailStore store) {
        this.index = index;
        this.store = store;
    }

    void start() {
        // Subscribe before the full comparison, so nothing changed in between is missed.
        queue.listenTo(store.changes());
        queue.add(Key.EVERYTHING);
        thread = Thread.ofPlatform().daemon().name("search-indexer-pg").priority(Thread.MIN_PRIORITY).start(this);
    }

    @Override
    public void run() {
        while (!closing) {
            Key k;
            try {
                k = queue.poll(deferred.isEmpty() ? 200 : 50);
            } catch (InterruptedException e) {
                return;
            }
            if (k != null) {
                try {
                    process(k);
                } catch (SQLException | RuntimeException e) {
                    if (closing) return;
                    log.warn("search indexing of {} failed, retrying", k, e);
                    pause();
                    queue.add(k);
                } finally {
                    queue.done();
                }
            }
            long now = System.nanoTime();
            for (var it = deferred.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (now - e.getValue() >= 0) {
                    it.remove();
                    queue.add(e.getKey());
                }
            }
            deferredCount = deferred.size();
        }
    }

    private void process(Key k) throws SQLException {
        if (k.accountId() == 0) {
            Set<Long> accounts = new HashSet<>();
            for (Account a : store.directory().accounts()) {
                if (closing) return;
                accounts.add(a.id());
                checkAccount(a.id());
            }
            for (long gone : indexedAccounts()) {
                if (!accounts.contains(gone)) drop(gone, 0);
            }
        } else if (k.mailboxId() == 0) {
            checkAccount(k.accountId());
        } else {
            indexMailbox(k.accountId(), k.mailboxId());
        }
    }

    private void checkAccount(long accountId) throws SQLException {
        // Marks before mailboxes: a mark read first whose mailbox is then not listed was deleted.
        Map<Long, Long> marks = marks(accountId);
        if (store.directory().account(accountId).isEmpty()) {
            drop(accountId, 0);
            return;
        }
        Set<Long> live = new HashSet<>();
        for (Mailbox m : store.mailboxes().list(accountId)) {
            live.add(m.id());
            Long modSeq = marks.get(m.id());
            if (modSeq == null || m.highestModSeq() > modSeq) indexMailbox(accountId, m.id());
        }
        for (long mailbox : marks.keySet()) {
            if (!live.contains(mailbox)) drop(accountId, mailbox);
        }
    }

    private void indexMailbox(long accountId, long mailboxId) throws SQLException {
        Pass pass = null;
        long known = -1;
        while (!closing) {
            Optional<Mailbox> box = store.mailboxes().byId(accountId, mailboxId);
            if (box.isEmpty()) {
                drop(accountId, mailboxId);
                return;
            }
            // Also the re-check after our last commit: a node that skipped us meanwhile relies on it.
            if (box.get().highestModSeq() <= known) return;
            ensureMark(accountId, mailboxId);
            try (Connection c = index.connection()) {
                c.setAutoCommit(false);
                try {
                    Mark mark = claim(c, accountId, mailboxId);
                    if (mark == null) {
                        c.rollback();
                        deferred.putIfAbsent(new Key(accountId, mailboxId), System.nanoTime() + RECHECK_NANOS);
                        return;
                    }
                    if (pass == null && box.get().highestModSeq() <= mark.modSeq()) {
                        c.commit();
                        known = mark.modSeq(); // another node did it meanwhile
                        continue;
                    }
                    if (pass == null || pass.fromModSeq != mark.modSeq()) {
                        pass = new Pass(mark.modSeq(), store.mailboxes().changesSince(accountId, mailboxId, mark.modSeq()));
                    }
                    Mark next = write(c, accountId, mailboxId, mark, pass);
                    c.commit();
                    if (pass.next >= pass.changes.changed().size()) {
                        known = next.modSeq();
                        pass = null;
                    }
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
        }
    }

    /** Writes the next chunk of the change set under the claim; returns the new mark (also written). */
    private Mark write(Connection c, long accountId, long mailboxId, Mark mark, Pass pass) throws SQLException {
        if (!pass.expungedDone) {
            List<Long> gone = pass.changes.expunged();
            if (!gone.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM search_text WHERE account_id = ? AND mailbox_id = ? AND uid = ANY (?)")) {
                    ps.setLong(1, accountId);
                    ps.setLong(2, mailboxId);
                    ps.setArray(3, c.createArrayOf("bigint", gone.toArray()));
                    ps.executeUpdate();
                }
            }
            pass.expungedDone = true;
        }
        List<MessageRecord> changed = pass.changes.changed();
        long uid = mark.uid();
        int written = 0;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO search_text (account_id, mailbox_id, uid, replaced, head, body,"
                + " fields, subject, preview) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, mailbox_id, uid) DO NOTHING")) {
            while (pass.next < changed.size() && written < CHUNK && !closing) {
                MessageRecord r = changed.get(pass.next++);
                if (r.uid() <= uid) continue; // indexed already; only its flags changed
                uid = r.uid();
                written++;
                Document d = document(r);
                if (d == null) continue; // unreadable: matches no text key, as the scan says
                ps.setLong(1, accountId);
                ps.setLong(2, mailboxId);
                ps.setLong(3, r.uid());
                ps.setBoolean(4, d.row().replaced());
                ps.setString(5, d.row().head());
                ps.setString(6, d.row().body());
                ps.setString(7, d.row().fields());
                ps.setString(8, d.subject());
                ps.setString(9, d.preview());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        // The MODSEQ moves only with the last chunk: until then a resumption asks for the same change set.
        boolean done = pass.next >= changed.size();
        Mark next = new Mark(done ? Math.max(mark.modSeq(), pass.changes.highestModSeq()) : mark.modSeq(), uid);
        try (PreparedStatement ps = c.prepareStatement("UPDATE search_mark SET modseq = ?, uid = ? WHERE account_id = ? AND mailbox_id = ?")) {
            ps.setLong(1, next.modSeq());
            ps.setLong(2, next.uid());
            ps.setLong(3, accountId);
            ps.setLong(4, mailboxId);
            ps.executeUpdate();
        }
        return next;
    }

    /** The stored form of one message, or null when it cannot be read. */
    private record Document(PostgresText.Row row, String subject, String preview) {}

    private Document document(MessageRecord r) {
        if (r.size() > PostgresSearchIndex.MAX_MESSAGE) return null;
        byte[] bytes;
        try (InputStream in = store.blobs().open(r.blobId())) {
            bytes = in.readNBytes((int) PostgresSearchIndex.MAX_MESSAGE);
        } catch (IOException | RuntimeException e) {
            // Expunged meanwhile, or unreadable: like the brute-force scan, it matches no text key.
            log.debug("search indexing could not read blob {}: {}", r.blobId(), e.toString());
            return null;
        }
        try {
            MimeMessage m = MessageParser.parse(bytes);
            SearchText t = SearchText.of(m);
            if (!t.readable()) return null;
            SnippetText s = SnippetText.of(m);
            return new Document(PostgresText.Row.of(t), PostgresText.clean(s.subject()), PostgresText.clean(s.body()));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void ensureMark(long accountId, long mailboxId) throws SQLException {
        try (Connection c = index.connection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO search_mark (account_id, mailbox_id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            ps.setLong(1, accountId);
            ps.setLong(2, mailboxId);
            ps.executeUpdate();
        }
    }

    /** The mailbox's mark, locked for this transaction; null when another node holds it. */
    private static Mark claim(Connection c, long accountId, long mailboxId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT modseq, uid FROM search_mark WHERE account_id = ? AND mailbox_id = ?"
                + " FOR UPDATE SKIP LOCKED")) {
            ps.setLong(1, accountId);
            ps.setLong(2, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Mark(rs.getLong(1), rs.getLong(2)) : null;
            }
        }
    }

    private Map<Long, Long> marks(long accountId) throws SQLException {
        Map<Long, Long> out = new HashMap<>();
        try (Connection c = index.connection();
                PreparedStatement ps = c.prepareStatement("SELECT mailbox_id, modseq FROM search_mark WHERE account_id = ?")) {
            ps.setLong(1, accountId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return out;
    }

    private List<Long> indexedAccounts() throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Connection c = index.connection();
                PreparedStatement ps = c.prepareStatement("SELECT DISTINCT account_id FROM search_mark");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(rs.getLong(1));
        }
        return out;
    }

    /** Removes a mailbox's rows and mark (mailbox 0: the whole account's). */
    private void drop(long accountId, long mailboxId) throws SQLException {
        try (Connection c = index.connection()) {
            c.setAutoCommit(false);
            try {
                for (String table : new String[] {"search_text", "search_mark"}) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE account_id = ?"
                            + (mailboxId == 0 ? "" : " AND mailbox_id = ?"))) {
                        ps.setLong(1, accountId);
                        if (mailboxId != 0) ps.setLong(2, mailboxId);
                        ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean awaitIdle(Duration wait) throws InterruptedException {
        long end = System.nanoTime() + wait.toNanos();
        while (queue.pending() > 0 || deferredCount > 0) {
            if (System.nanoTime() > end) return false;
            Thread.sleep(10);
        }
        return true;
    }

    /** Stops the thread; a claim transaction under way is finished or rolled back by then. */
    void close() {
        closing = true;
        queue.close();
        if (thread == null) return;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) log.warn("search indexer did not stop in time");
    }
}
