// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.store.ChangeEvent;
import org.postern.store.Mailbox;
import org.postern.store.StoreException;

/**
 * State of one write transaction: the MODSEQ it took per account (RFC 7162 §3.1: one value per
 * change, from one counter per account), the mailboxes whose messages it touched, and the events to
 * publish once it has committed.
 */
final class SqliteTx {
    final SqliteConnection c;
    private final Map<Long, Long> modSeqs = new HashMap<>();
    private final Set<List<Long>> touched = new LinkedHashSet<>();
    private final Map<List<Object>, ChangeEvent> events = new LinkedHashMap<>();
    private boolean releasedBlobs;
    private final SqliteBlobStore.Held held;
    private List<String> settled = List.of();
    private final List<Mailbox> stamped = new ArrayList<>(1);

    SqliteTx(SqliteConnection c, SqliteBlobStore.Held held) {
        this.c = c;
        this.held = held;
    }

    /**
     * A message or queue row about to be inserted references this blob: a body still held in memory
     * ({@link org.postern.store.BlobStore#createForIntake()}) gets its row in this transaction, so it is
     * durable exactly when its first reference is. Called before the row that references it.
     */
    void referenced(String blobId) throws SQLException {
        byte[] body = held.get(blobId);
        if (body == null) return;
        // OR IGNORE: a second reference in the same batch (the first is not settled until COMMIT).
        c.update("INSERT OR IGNORE INTO blob_data(blob_id, written, bytes) VALUES (?, ?, ?)", blobId,
                System.currentTimeMillis(), body);
        if (settled.isEmpty()) settled = new ArrayList<>(1);
        settled.add(blobId);
    }

    /** The held bodies this transaction wrote: once it committed they are no longer held. */
    List<String> settled() {
        return settled;
    }

    /** The MODSEQ of this transaction for the account; the counter is bumped on first use only. */
    long modSeq(long accountId) throws SQLException {
        Long m = modSeqs.get(accountId);
        if (m != null) return m;
        // One statement: every APPEND, STORE and EXPUNGE takes a MODSEQ.
        long v = c.queryLong("UPDATE accounts SET modseq = modseq + 1 WHERE id = ? RETURNING modseq", -1, accountId);
        if (v < 0) throw new StoreException.NotFound("no account " + accountId);
        modSeqs.put(accountId, v);
        return v;
    }

    /** Messages of the mailbox changed: its HIGHESTMODSEQ becomes this transaction's MODSEQ. */
    long touch(long accountId, long mailboxId) throws SQLException {
        long m = modSeq(accountId);
        touched.add(List.of(accountId, mailboxId));
        event(accountId, mailboxId, ChangeEvent.Kind.MESSAGES);
        return m;
    }

    void event(long accountId, long mailboxId, ChangeEvent.Kind kind) throws SQLException {
        long m = modSeq(accountId);
        events.put(List.of(accountId, mailboxId, kind), new ChangeEvent(accountId, mailboxId, m, kind));
    }

    /**
     * Announces a change that takes no MODSEQ (identities, submissions, vacation, settings,
     * annotations). A later notice of the same object in this transaction replaces an earlier one.
     */
    void notice(ChangeEvent e) {
        events.put(List.of(e.accountId(), e.mailboxId(), e.kind(), e.entry() == null ? "" : e.entry()), e);
    }

    /** Message or queue rows were deleted: blob reference counts may have reached zero. */
    void releaseBlobs() {
        releasedBlobs = true;
    }

    boolean releasedBlobs() {
        return releasedBlobs;
    }

    /**
     * Stamps the touched mailboxes, keeping the rows as this transaction leaves them
     * ({@link SqliteMailboxCache#committed}); called when the body is done, just before COMMIT.
     */
    void finish() throws SQLException {
        for (List<Long> t : touched) {
            try (ResultSet rs = c.query("UPDATE mailboxes SET highestmodseq = ? WHERE account_id = ? AND id = ? RETURNING "
                    + SqliteMailboxCache.COLUMNS, modSeqs.get(t.get(0)), t.get(0), t.get(1))) {
                if (rs.next()) stamped.add(SqliteMailboxCache.mailbox(rs));
            }
        }
    }

    /** The MODSEQ this transaction took for each account it changed. */
    Map<Long, Long> modSeqs() {
        return modSeqs;
    }

    /** The mailbox rows whose messages this transaction changed, as it left them ({@link #finish}). */
    List<Mailbox> stamped() {
        return stamped;
    }

    /**
     * Whether this transaction announced a change of the account's mailboxes themselves (created,
     * renamed, deleted, subscribed, shared) or of the account, rather than of their messages alone.
     */
    boolean changedMailboxes(long accountId) {
        for (ChangeEvent e : events.values()) {
            if (e.accountId() == accountId && (e.kind() == ChangeEvent.Kind.MAILBOXES || e.kind() == ChangeEvent.Kind.ACCOUNT)) {
                return true;
            }
        }
        return false;
    }

    List<ChangeEvent> events() {
        return new ArrayList<>(events.values());
    }
}
