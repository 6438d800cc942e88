// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import org.postern.store.backend.MailboxNames;
import org.postern.store.backend.FlagCodec;
import org.postern.store.backend.SortKeyRows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.postern.core.Flags;
import org.postern.store.ChangeEvent;
import org.postern.store.CopyResult;
import org.postern.store.FlagOp;
import org.postern.store.Mailbox;
import org.postern.store.MailboxChanges;
import org.postern.store.MailboxIndex;
import org.postern.store.MailboxSnapshot;
import org.postern.store.MailboxStore;
import org.postern.store.MessageRecord;
import org.postern.store.MessageSortKeys;
import org.postern.store.SpecialUse;
import org.postern.store.StoreException;

/**
 * Mailboxes and messages. RFC 9051 §2.3.1.1: UIDs come from the mailbox's {@code uidnext}, which only
 * grows; UIDVALIDITY from a per-account counter that only grows (at least the creation time in
 * seconds), so a re-created name never gets an earlier value. RFC 7162: every change is stamped with
 * the transaction's MODSEQ; expunges are kept in {@code expunged} for changesSince / QRESYNC. Every
 * statement names the account; every write locks the account row first ({@link PostgresTx#lock}).
 */
final class PostgresMailboxStore implements MailboxStore {
    /** A UID set larger than this is read by one range scan instead of one index probe per UID. */
    private static final int POINT_LOOKUP_LIMIT = 256;
    private static final String MAILBOX_COLUMNS =
            "id, account_id, name, special_use, uidvalidity, uidnext, highestmodseq, subscribed, messages, unseen";
    static final String MESSAGE_COLUMNS = "uid, modseq, flags, size, internal_date, blob_id, saved_date";

    private final PostgresDatabase db;
    /** Read for the header section of an appended message, to thread it as it is stored. */
    private final org.postern.store.BlobStore blobs;
    private final PostgresIndexCache indexes = new PostgresIndexCache();

    PostgresMailboxStore(PostgresDatabase db, org.postern.store.BlobStore blobs) {
        this.db = db;
        this.blobs = blobs;
    }

    @Override
    public List<Mailbox> list(long accountId) {
        return db.read(s -> s.list("SELECT " + MAILBOX_COLUMNS + " FROM mailboxes WHERE account_id = ? ORDER BY name",
                PostgresMailboxStore::mailbox, accountId));
    }

    @Override
    public Optional<Mailbox> find(long accountId, String name) {
        String n = MailboxNames.normalize(name);
        return db.read(s -> findByName(s, accountId, n));
    }

    @Override
    public Optional<Mailbox> byId(long accountId, long mailboxId) {
        return db.read(s -> findById(s, accountId, mailboxId));
    }

    @Override
    public Mailbox create(long accountId, String name, SpecialUse use) {
        String n = MailboxNames.normalize(name);
        return db.write(tx -> {
            tx.lock(accountId);
            if (findByName(tx.s, accountId, n).isPresent()) throw new StoreException.Conflict("mailbox exists: " + n);
            createParents(tx, accountId, n);
            long id = insertMailbox(tx, accountId, n, use, false);
            return findById(tx.s, accountId, id).orElseThrow();
        });
    }

    /** Inserts a mailbox (the caller locked the account and checked the name is free); returns its id. */
    static long insertMailbox(PostgresTx tx, long accountId, String name, SpecialUse use, boolean subscribed)
            throws SQLException {
        long modSeq = tx.modSeq(accountId);
        long[] next = tx.s.one("SELECT next_mailbox_id, last_uidvalidity FROM accounts WHERE id = ?",
                rs -> new long[] {rs.getLong(1), rs.getLong(2)}, accountId)
                .orElseThrow(() -> new StoreException.NotFound("no account " + accountId));
        long id = next[0];
        // RFC 9051 §2.3.1.1: strictly larger than any value this account handed out before.
        long uidValidity = Math.max(next[1] + 1, Instant.now().getEpochSecond());
        tx.s.update("UPDATE accounts SET next_mailbox_id = ?, last_uidvalidity = ? WHERE id = ?", id + 1, uidValidity,
                accountId);
        tx.s.update("""
                INSERT INTO mailboxes(account_id, id, name, special_use, uidvalidity, uidnext, highestmodseq, subscribed)
                VALUES (?, ?, ?, ?, ?, 1, ?, ?)""", accountId, id, name, (use == null ? SpecialUse.NONE : use).name(),
                uidValidity, modSeq, subscribed);
        tx.event(accountId, id, ChangeEvent.Kind.MAILBOXES);
        return id;
    }

    private static void createParents(PostgresTx tx, long accountId, String name) throws SQLException {
        for (String p : MailboxNames.parents(name)) {
            if (findByName(tx.s, accountId, p).isEmpty()) insertMailbox(tx, accountId, p, SpecialUse.NONE, false);
        }
    }

    @Override
    public void rename(long accountId, String from, String to) {
        String f = MailboxNames.normalize(from);
        String t = MailboxNames.normalize(to);
        db.write(tx -> {
            tx.lock(accountId);
            Mailbox src = findByName(tx.s, accountId, f).orElseThrow(() -> new StoreException.NotFound("no mailbox " + f));
            if (findByName(tx.s, accountId, t).isPresent()) throw new StoreException.Conflict("mailbox exists: " + t);
            if (f.equals(Mailbox.INBOX)) {
                // RFC 9051 §6.3.6: INBOX's messages move to the new name; INBOX stays, empty; its children stay.
                createParents(tx, accountId, t);
                long dest = insertMailbox(tx, accountId, t, SpecialUse.NONE, src.subscribed());
                List<Long> all = tx.s.list("SELECT uid FROM messages WHERE account_id = ? AND mailbox_id = ? ORDER BY uid",
                        rs -> rs.getLong(1), accountId, src.id());
                copyIn(tx, accountId, src.id(), all, dest, true);
                return null;
            }
            if (t.startsWith(f + Mailbox.SEPARATOR)) throw new StoreException.Refused("cannot move a mailbox into itself");
            List<Long> ids = new ArrayList<>();
            List<String> newNames = new ArrayList<>();
            ids.add(src.id());
            newNames.add(t);
            // Children: names in [f + "/", f + "0"), '0' being the character after '/' (the column sorts bytewise).
            tx.s.each("SELECT id, name FROM mailboxes WHERE account_id = ? AND name > ? AND name < ?", rs -> {
                ids.add(rs.getLong(1));
                newNames.add(t + rs.getString(2).substring(f.length()));
            }, accountId, f + Mailbox.SEPARATOR, f + (char) (Mailbox.SEPARATOR + 1));
            for (String n : newNames) {
                MailboxNames.normalize(n);
                if (findByName(tx.s, accountId, n).isPresent()) throw new StoreException.Conflict("mailbox exists: " + n);
            }
            for (int i = 0; i < ids.size(); i++) {
                tx.s.update("UPDATE mailboxes SET name = ? WHERE account_id = ? AND id = ?", newNames.get(i), accountId,
                        ids.get(i));
                tx.event(accountId, ids.get(i), ChangeEvent.Kind.MAILBOXES);
            }
            createParents(tx, accountId, t);
            return null;
        });
    }

    @Override
    public void delete(long accountId, String name) {
        String n = MailboxNames.normalize(name);
        if (n.equals(Mailbox.INBOX)) throw new StoreException.Refused("INBOX cannot be deleted");
        db.write(tx -> {
            tx.lock(accountId);
            Mailbox m = findByName(tx.s, accountId, n).orElseThrow(() -> new StoreException.NotFound("no mailbox " + n));
            // Children stay (RFC 9051 §6.3.4); IMAP LIST shows the gone parent as \NonExistent.
            tx.event(accountId, m.id(), ChangeEvent.Kind.MAILBOXES);
            deleteMailboxRows(tx, accountId, m.id());
            indexes.forget(accountId, m.id());
            return null;
        });
    }

    /** The mailbox, its messages, expunge log, annotations, ACL and per-user \Seen. */
    static void deleteMailboxRows(PostgresTx tx, long accountId, long mailboxId) throws SQLException {
        tx.s.update("DELETE FROM messages WHERE account_id = ? AND mailbox_id = ?", accountId, mailboxId);
        tx.s.update("DELETE FROM expunged WHERE account_id = ? AND mailbox_id = ?", accountId, mailboxId);
        tx.s.update("DELETE FROM metadata WHERE owner_id = ? AND mailbox_id = ?", accountId, mailboxId);
        tx.s.update("DELETE FROM acl WHERE owner_id = ? AND mailbox_id = ?", accountId, mailboxId);
        tx.s.update("DELETE FROM user_seen WHERE owner_id = ? AND mailbox_id = ?", accountId, mailboxId);
        tx.s.update("DELETE FROM mailboxes WHERE account_id = ? AND id = ?", accountId, mailboxId);
    }

    @Override
    public void setSubscribed(long accountId, String name, boolean subscribed) {
        String n = MailboxNames.normalize(name);
        db.write(tx -> {
            tx.lock(accountId);
            Mailbox m = findByName(tx.s, accountId, n).orElseThrow(() -> new StoreException.NotFound("no mailbox " + n));
            if (m.subscribed() != subscribed) {
                tx.s.update("UPDATE mailboxes SET subscribed = ? WHERE account_id = ? AND id = ?", subscribed, accountId,
                        m.id());
                tx.event(accountId, m.id(), ChangeEvent.Kind.MAILBOXES);
            }
            return null;
        });
    }

    @Override
    public MessageRecord append(long accountId, long mailboxId, String blobId, long size, Set<String> flags,
            Instant internalDate) {
        String f = FlagCodec.encode(flags);
        long now = System.currentTimeMillis();
        // Read before the transaction: a body the account already has keeps its thread anyway.
        org.postern.store.backend.ArrivalKeys keys = org.postern.store.backend.ArrivalKeys.read(blobs, blobId);
        return db.write(tx -> {
            requireBlob(tx.s, blobId);
            MessageRecord r = insertMessage(tx, accountId, mailboxId, blobId, size, f, internalDate.toEpochMilli(), now);
            if (keys != null) {
                PostgresThreadStore.assign(tx.s, accountId, List.of(keys.links()));
                insertSortKeys(tx.s, accountId, keys.sortKeys());
            }
            return r;
        });
    }

    /**
     * @throws StoreException.NotFound unless the body is committed; the key-share lock keeps it from
     *     being deleted before this transaction's reference counts
     */
    static void requireBlob(PostgresSession s, String blobId) throws SQLException {
        if (!PostgresBlobStore.validId(blobId)
                || !s.exists("SELECT 1 FROM blobs WHERE blob_id = ? AND committed FOR KEY SHARE", blobId)) {
            throw new StoreException.NotFound("no blob " + blobId);
        }
    }

    /** Adds one message with the mailbox's next UID. */
    static MessageRecord insertMessage(PostgresTx tx, long accountId, long mailboxId, String blobId, long size,
            String flags, long internalDate, long savedDate) throws SQLException {
        // The account first (touch locks it), then its mailbox row: the order every writer keeps.
        long modSeq = tx.touch(accountId, mailboxId);
        long uid = tx.s.queryLong("UPDATE mailboxes SET uidnext = uidnext + 1 WHERE account_id = ? AND id = ? RETURNING uidnext - 1",
                -1, accountId, mailboxId);
        if (uid < 0) throw new StoreException.NotFound("no mailbox " + mailboxId);
        tx.s.update("""
                INSERT INTO messages(account_id, mailbox_id, uid, modseq, flags, seen, size, internal_date, saved_date, blob_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", accountId, mailboxId, uid, modSeq, flags,
                FlagCodec.seen(flags), size, internalDate, savedDate, blobId);
        return new MessageRecord(uid, modSeq, FlagCodec.decode(flags), size, Instant.ofEpochMilli(internalDate), blobId,
                Instant.ofEpochMilli(savedDate));
    }

    @Override
    public MailboxSnapshot snapshot(long accountId, long mailboxId) {
        return db.snapshot(s -> {
            Mailbox m = requireMailbox(s, accountId, mailboxId);
            List<MessageRecord> msgs = new ArrayList<>(m.messages());
            s.each("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE account_id = ? AND mailbox_id = ? ORDER BY uid",
                    rs -> msgs.add(message(rs)), accountId, mailboxId);
            return new MailboxSnapshot(m, msgs);
        });
    }

    @Override
    public MailboxIndex index(long accountId, long mailboxId) {
        return db.snapshot(s -> indexes.index(s, accountId, mailboxId));
    }

    @Override
    public Map<Long, MessageSortKeys> sortKeys(long accountId, long mailboxId, int version) {
        return db.read(s -> {
            Map<Long, MessageSortKeys> out = new HashMap<>();
            s.each("""
                    SELECT m.uid, k.blob_id, k.sent_date, k.subject, k.from_mbx, k.to_mbx, k.cc_mbx, k.display_from,
                      k.display_to
                    FROM messages m JOIN sort_keys k ON k.account_id = m.account_id AND k.blob_id = m.blob_id
                    WHERE m.account_id = ? AND m.mailbox_id = ? AND k.version = ?""", rs -> {
                long sent = rs.getLong(3);
                if (rs.wasNull()) sent = MessageSortKeys.NO_DATE;
                out.put(rs.getLong(1), new MessageSortKeys(rs.getString(2), version, sent, rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9)));
            }, accountId, mailboxId, version);
            return out;
        });
    }

    @Override
    public org.postern.store.SortKeyColumns sortKeyColumns(long accountId, long mailboxId, int version,
            Set<org.postern.store.SortKeyColumns.Field> fields) {
        String sql = SortKeyRows.select(new org.postern.store.SortKeyColumns.Builder(fields), "m.uid", "NULL::bigint")
                .append("""
                         FROM messages m JOIN sort_keys k ON k.account_id = m.account_id AND k.blob_id = m.blob_id
                        WHERE m.account_id = ? AND m.mailbox_id = ? AND k.version = ? ORDER BY m.uid""")
                .toString();
        return db.read(s -> {
            var rows = new SortKeyRows.Reader(new org.postern.store.SortKeyColumns.Builder(fields));
            s.each(sql, rows::add, accountId, mailboxId, version);
            return rows.build();
        });
    }

    @Override
    public void putSortKeys(long accountId, Collection<MessageSortKeys> keys) {
        if (keys.isEmpty()) return;
        db.write(tx -> {
            for (MessageSortKeys k : keys) insertSortKeys(tx.s, accountId, k);
            return null;
        });
    }

    /** Within the caller's transaction: delivery and APPEND store keys with the message. */
    static void insertSortKeys(PostgresSession s, long accountId, MessageSortKeys k) throws SQLException {
        if (!PostgresBlobStore.validId(k.blobId())) return;
        // Only for a body still referenced: keys of a freed body would never be dropped.
        s.update("""
                INSERT INTO sort_keys(account_id, blob_id, version, sent_date, subject, from_mbx, to_mbx, cc_mbx,
                  display_from, display_to)
                SELECT ?::bigint, ?::text, ?::integer, ?::bigint, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text
                WHERE EXISTS (SELECT 1 FROM blobs WHERE blob_id = ? AND refs > 0)
                ON CONFLICT (account_id, blob_id) DO UPDATE SET version = EXCLUDED.version,
                  sent_date = EXCLUDED.sent_date, subject = EXCLUDED.subject, from_mbx = EXCLUDED.from_mbx,
                  to_mbx = EXCLUDED.to_mbx, cc_mbx = EXCLUDED.cc_mbx, display_from = EXCLUDED.display_from,
                  display_to = EXCLUDED.display_to""",
                accountId, k.blobId(), k.version(), k.sentDate() == MessageSortKeys.NO_DATE ? null : k.sentDate(),
                k.subject(), k.from(), k.to(), k.cc(), k.displayFrom(), k.displayTo(), k.blobId());
    }

    @Override
    public MailboxChanges changesSince(long accountId, long mailboxId, long modSeq) {
        return db.snapshot(s -> {
            Mailbox m = requireMailbox(s, accountId, mailboxId);
            List<MessageRecord> changed = s.list("SELECT " + MESSAGE_COLUMNS
                    + " FROM messages WHERE account_id = ? AND mailbox_id = ? AND modseq > ? ORDER BY uid",
                    PostgresMailboxStore::message, accountId, mailboxId, modSeq);
            List<Long> expunged = s.list("SELECT uid FROM expunged WHERE account_id = ? AND mailbox_id = ? AND modseq > ? ORDER BY uid",
                    rs -> rs.getLong(1), accountId, mailboxId, modSeq);
            return new MailboxChanges(m.highestModSeq(), m.uidNext(), changed, expunged);
        });
    }

    @Override
    public Optional<MessageRecord> message(long accountId, long mailboxId, long uid) {
        return db.read(s -> s.one("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ?",
                PostgresMailboxStore::message, accountId, mailboxId, uid));
    }

    @Override
    public List<MessageRecord> storeFlags(long accountId, long mailboxId, List<Long> uids, FlagOp op, Set<String> flags,
            long unchangedSince) {
        TreeMap<String, String> given = FlagCodec.normalize(flags);
        return db.write(tx -> {
            tx.lock(accountId);
            requireMailbox(tx.s, accountId, mailboxId);
            List<MessageRecord> changed = new ArrayList<>();
            // Few distinct flag sets occur in a mailbox: compute each transition once.
            Map<Set<String>, String[]> transitions = new HashMap<>();
            // UIDs by resulting flags: one UPDATE per result (few: STORE gives most messages the same one).
            Map<String, List<Long>> byResult = new HashMap<>();
            for (MessageRecord r : select(tx.s, accountId, mailboxId, uids)) {
                // RFC 7162 §3.1.3: UNCHANGEDSINCE leaves messages modified after it alone.
                if (unchangedSince >= 0 && r.modSeq() > unchangedSince) continue;
                String[] t = transitions.computeIfAbsent(r.flags(), f -> {
                    String before = String.join(" ", lowerMap(f).values());
                    return new String[] {before, FlagCodec.apply(before, op, given)};
                });
                String after = t[1];
                if (after.equals(t[0])) continue;
                long modSeq = tx.touch(accountId, mailboxId);
                byResult.computeIfAbsent(after, k -> new ArrayList<>()).add(r.uid());
                changed.add(new MessageRecord(r.uid(), modSeq, FlagCodec.decode(after), r.size(), r.internalDate(),
                        r.blobId(), r.savedDate()));
            }
            for (Map.Entry<String, List<Long>> e : byResult.entrySet()) {
                long modSeq = tx.modSeq(accountId);
                tx.s.update("UPDATE messages SET flags = ?, seen = ?, modseq = ? WHERE account_id = ? AND mailbox_id = ?"
                        + " AND uid = ANY(?)", e.getKey(), FlagCodec.seen(e.getKey()), modSeq, accountId, mailboxId,
                        tx.s.jdbc.createArrayOf("bigint", e.getValue().toArray(new Long[0])));
            }
            return changed;
        });
    }

    private static TreeMap<String, String> lowerMap(Set<String> flags) {
        TreeMap<String, String> m = new TreeMap<>();
        for (String f : flags) m.put(Flags.lower(f), f);
        return m;
    }

    @Override
    public CopyResult copy(long accountId, long fromMailboxId, List<Long> uids, long toMailboxId) {
        return db.write(tx -> {
            tx.lock(accountId);
            return copyIn(tx, accountId, fromMailboxId, uids, toMailboxId, false);
        });
    }

    @Override
    public CopyResult move(long accountId, long fromMailboxId, List<Long> uids, long toMailboxId) {
        return db.write(tx -> {
            tx.lock(accountId);
            return copyIn(tx, accountId, fromMailboxId, uids, toMailboxId, true);
        });
    }

    /** RFC 4315 COPYUID order: source UIDs ascending, each with the UID it got. */
    private static CopyResult copyIn(PostgresTx tx, long accountId, long from, List<Long> uids, long to, boolean expunge)
            throws SQLException {
        requireMailbox(tx.s, accountId, from);
        Mailbox dest = requireMailbox(tx.s, accountId, to);
        List<MessageRecord> src = select(tx.s, accountId, from, uids);
        List<Long> srcUids = new ArrayList<>();
        List<Long> destUids = new ArrayList<>();
        if (src.isEmpty()) return new CopyResult(dest.uidValidity(), srcUids, destUids);
        long modSeq = tx.touch(accountId, to);
        long first = tx.s.queryLong("UPDATE mailboxes SET uidnext = uidnext + ? WHERE account_id = ? AND id = ? RETURNING uidnext - ?",
                -1, (long) src.size(), accountId, to, (long) src.size());
        long now = System.currentTimeMillis();
        Long[] srcArr = new Long[src.size()];
        Long[] destArr = new Long[src.size()];
        for (int i = 0; i < src.size(); i++) {
            srcArr[i] = src.get(i).uid();
            destArr[i] = first + i;
            srcUids.add(srcArr[i]);
            destUids.add(destArr[i]);
        }
        // Flags are copied as stored (already canonical); one statement for the whole set.
        tx.s.update("""
                INSERT INTO messages(account_id, mailbox_id, uid, modseq, flags, seen, size, internal_date, saved_date, blob_id)
                SELECT m.account_id, ?, u.dest, ?, m.flags, m.seen, m.size, m.internal_date, ?, m.blob_id
                FROM unnest(?::bigint[], ?::bigint[]) AS u(src, dest)
                JOIN messages m ON m.account_id = ? AND m.mailbox_id = ? AND m.uid = u.src""",
                to, modSeq, now, tx.s.jdbc.createArrayOf("bigint", srcArr), tx.s.jdbc.createArrayOf("bigint", destArr),
                accountId, from);
        if (expunge) removeMessages(tx, accountId, from, srcUids);
        return new CopyResult(dest.uidValidity(), srcUids, destUids);
    }

    @Override
    public List<Long> expunge(long accountId, long mailboxId, List<Long> uids) {
        return db.write(tx -> {
            tx.lock(accountId);
            requireMailbox(tx.s, accountId, mailboxId);
            List<Long> present = new ArrayList<>();
            for (MessageRecord r : select(tx.s, accountId, mailboxId, uids)) present.add(r.uid());
            removeMessages(tx, accountId, mailboxId, present);
            return present;
        });
    }

    /** Deletes messages that exist and logs them as expunged (RFC 7162 §3.2.10 VANISHED needs the log). */
    private static void removeMessages(PostgresTx tx, long accountId, long mailboxId, List<Long> uids) throws SQLException {
        if (uids.isEmpty()) return;
        long modSeq = tx.touch(accountId, mailboxId);
        java.sql.Array arr = tx.s.jdbc.createArrayOf("bigint", uids.toArray(new Long[0]));
        tx.s.update("DELETE FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ANY(?)", accountId, mailboxId, arr);
        tx.s.update("""
                INSERT INTO expunged(account_id, mailbox_id, uid, modseq) SELECT ?, ?, u, ? FROM unnest(?::bigint[]) AS u
                ON CONFLICT (account_id, mailbox_id, uid) DO UPDATE SET modseq = EXCLUDED.modseq""",
                accountId, mailboxId, modSeq, arr);
    }

    @Override
    public long usedBytes(long accountId) {
        return db.read(s -> s.queryLong("SELECT used_bytes FROM accounts WHERE id = ?", 0, accountId));
    }

    /** Existing messages among {@code uids}, ascending, without duplicates. */
    private static List<MessageRecord> select(PostgresSession s, long accountId, long mailboxId, List<Long> uids)
            throws SQLException {
        TreeSet<Long> wanted = new TreeSet<>(uids);
        if (wanted.isEmpty()) return new ArrayList<>();
        if (wanted.size() > POINT_LOOKUP_LIMIT) {
            // A large set (1:*) is cheaper as one range scan filtered here than as that many index probes.
            List<MessageRecord> out = new ArrayList<>();
            s.each("SELECT " + MESSAGE_COLUMNS
                    + " FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid", rs -> {
                        if (wanted.contains(rs.getLong(1))) out.add(message(rs));
                    }, accountId, mailboxId, wanted.first(), wanted.last());
            return out;
        }
        return s.list("SELECT " + MESSAGE_COLUMNS
                + " FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ANY(?) ORDER BY uid",
                PostgresMailboxStore::message, accountId, mailboxId, s.jdbc.createArrayOf("bigint", wanted.toArray(new Long[0])));
    }

    static Mailbox requireMailbox(PostgresSession s, long accountId, long mailboxId) throws SQLException {
        return findById(s, accountId, mailboxId).orElseThrow(() -> new StoreException.NotFound("no mailbox " + mailboxId));
    }

    static Optional<Mailbox> findByName(PostgresSession s, long accountId, String name) throws SQLException {
        return s.one("SELECT " + MAILBOX_COLUMNS + " FROM mailboxes WHERE account_id = ? AND name = ?",
                PostgresMailboxStore::mailbox, accountId, name);
    }

    static Optional<Mailbox> findById(PostgresSession s, long accountId, long id) throws SQLException {
        return s.one("SELECT " + MAILBOX_COLUMNS + " FROM mailboxes WHERE account_id = ? AND id = ?",
                PostgresMailboxStore::mailbox, accountId, id);
    }

    private static Mailbox mailbox(ResultSet rs) throws SQLException {
        return new Mailbox(rs.getLong(1), rs.getLong(2), rs.getString(3), SpecialUse.valueOf(rs.getString(4)),
                rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getBoolean(8), rs.getInt(9), rs.getInt(10));
    }

    static MessageRecord message(ResultSet rs) throws SQLException {
        return new MessageRecord(rs.getLong(1), rs.getLong(2), FlagCodec.decode(rs.getString(3)), rs.getLong(4),
                Instant.ofEpochMilli(rs.getLong(5)), rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)));
    }
}
