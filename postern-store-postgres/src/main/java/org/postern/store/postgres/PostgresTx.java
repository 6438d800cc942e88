// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.store.ChangeEvent;
import org.postern.store.StoreException;

/**
 * State of one write transaction: the accounts it locked, the MODSEQ it took per account (RFC 7162
 * §3.1: one value per change, from one counter per account), the mailboxes whose messages it touched,
 * and the events it announces.
 *
 * <p>Every write to an account's data first locks the account row ({@link #lock}, or the MODSEQ bump of
 * {@link #modSeq}, whose UPDATE takes the same lock). That serialises the
 * writers of one account across all nodes, so MODSEQs and UIDs are handed out in commit order: a
 * reader whose snapshot shows HIGHESTMODSEQ {@code h} sees every change up to {@code h}. Writes to
 * several accounts lock them in ascending id order, so they cannot deadlock each other.
 */
final class PostgresTx {
    final PostgresSession s;
    private final Set<Long> locked = new java.util.HashSet<>();
    private final Map<Long, Long> modSeqs = new HashMap<>();
    private final Set<List<Long>> touched = new LinkedHashSet<>();
    private final Map<List<Object>, ChangeEvent> events = new LinkedHashMap<>();

    PostgresTx(PostgresSession s) {
        this.s = s;
    }

    /** Locks the accounts, in ascending id order. @throws StoreException.NotFound for a missing one */
    void lock(long... accountIds) throws SQLException {
        long[] ids = accountIds.clone();
        java.util.Arrays.sort(ids);
        for (long id : ids) {
            if (locked.contains(id)) continue;
            if (!s.exists("SELECT 1 FROM accounts WHERE id = ? FOR UPDATE", id)) {
                throw new StoreException.NotFound("no account " + id);
            }
            locked.add(id);
        }
    }

    /** The MODSEQ of this transaction for the account; the counter is bumped on first use only. */
    long modSeq(long accountId) throws SQLException {
        Long m = modSeqs.get(accountId);
        if (m != null) return m;
        // The UPDATE takes the row lock itself when the caller had not locked the account yet.
        long v = s.queryLong("UPDATE accounts SET modseq = modseq + 1 WHERE id = ? RETURNING modseq", -1, accountId);
        if (v < 0) throw new StoreException.NotFound("no account " + accountId);
        locked.add(accountId);
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

    /**
     * Stamps the touched mailboxes and queues the notifications; called just before COMMIT. NOTIFY is
     * transactional: listeners on every node get it only once the transaction committed, and in
     * commit order.
     */
    void finish() throws SQLException {
        for (List<Long> t : touched) {
            s.update("UPDATE mailboxes SET highestmodseq = ? WHERE account_id = ? AND id = ?",
                    modSeqs.get(t.get(0)), t.get(0), t.get(1));
        }
        if (events.isEmpty()) return;
        String[] payloads = events.values().stream().map(PostgresChangeFeed::encode).toArray(String[]::new);
        // One round trip for all; the server keeps the order of the array, so listeners get them in order.
        s.each("SELECT pg_notify(?, p) FROM unnest(?::text[]) WITH ORDINALITY AS u(p, n) ORDER BY n", rs -> { },
                PostgresChangeFeed.CHANNEL, s.jdbc.createArrayOf("text", payloads));
    }

    List<ChangeEvent> events() {
        return new ArrayList<>(events.values());
    }
}
