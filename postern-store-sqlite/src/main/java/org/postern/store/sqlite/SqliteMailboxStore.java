// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import org.postern.store.backend.MailboxNames;
import org.postern.store.backend.FlagCodec;
import org.postern.store.backend.SortKeyRows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
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
 * grows; UIDVALIDITY comes from a per-account counter that only grows (at least the creation time in
 * seconds), so a re-created name never gets an earlier value. RFC 7162: every change is stamped with
 * the transaction's MODSEQ; expunges are kept in {@code expunged} for changesSince / QRESYNC.
 */
final class SqliteMailboxStore implements MailboxStore {
    /** A UID set larger than this is read by one range scan instead of one look-up per UID. */
    private static final int POINT_LOOKUP_LIMIT = 64;
    private static final String MAILBOX_COLUMNS = SqliteMailboxCache.COLUMNS;
    private static final String MESSAGE_COLUMNS = "uid, modseq, flags, size, internal_date, blob_id, saved_date";

    private final SqliteDatabase db;
    private final SqliteBlobStore blobs;
    private final SqliteMailboxCache mailboxes = new SqliteMailboxCache();
    private final SqliteIndexCache indexes = new SqliteIndexCache(mailboxes);

    SqliteMailboxStore(SqliteDatabase db, SqliteBlobStore blobs) {
        this.db = db;
        this.blobs = blobs;
        db.afterCommit(mailboxes::committed);
    }

    @Override
    public List<Mailbox> list(long accountId) {
        // A copy: callers may sort or extend what they get.
        return new ArrayList<>(db.readAlone(c -> mailboxes.mailboxes(c, accountId)).inNameOrder());
    }

    /** The last listing of an account, with the identifiers it was for and the feed versions it was read under. */
    private record KeptListing(List<String> identifiers, long version, long lists, org.postern.store.MailStore.Listing listing) {}

    private final ConcurrentHashMap<Long, KeptListing> listings = new ConcurrentHashMap<>();

    /**
     * {@link org.postern.store.MailStore#listing}, which IMAP LIST asks for on every call. While the change
     * feed has published nothing for the account ({@link SqliteChangeFeed#version}: every write that moves
     * its counter, and so its mailbox rows, announces it before the write returns) and no change to any
     * account's mailboxes themselves ({@link SqliteChangeFeed#mailboxListsVersion}: grants), the last
     * listing stands and the database is not asked. Other processes' writes (the CLI) are seen when the
     * feed's poll finds them, as IDLE sees them.
     */
    org.postern.store.MailStore.Listing listing(long accountId, List<String> identifiers) {
        SqliteChangeFeed feed = db.feed();
        // The versions before the read: a write committed during it moves them, and the next call reads again.
        long version = feed.version(accountId);
        long lists = feed.mailboxListsVersion();
        KeptListing k = listings.get(accountId);
        if (k != null && k.version() == version && k.lists() == lists && k.identifiers().equals(identifiers)) return k.listing();
        org.postern.store.MailStore.Listing read = read(accountId, identifiers);
        if (listings.size() >= SqliteMailboxCache.MAX_ACCOUNTS) listings.clear();
        listings.put(accountId, new KeptListing(List.copyOf(identifiers), version, lists, read));
        return read;
    }

    /** The account's counter and the grants in one statement, then the mailboxes kept for that counter. */
    private org.postern.store.MailStore.Listing read(long accountId, List<String> identifiers) {
        String sql = "SELECT modseq, NULL, NULL, NULL, NULL FROM accounts WHERE id = ? UNION ALL SELECT NULL, "
                + SqliteAclStore.GRANTS.substring("SELECT ".length()) + " OR identifier = ?".repeat(identifiers.size() - 1);
        Object[] args = new Object[identifiers.size() + 1];
        args[0] = accountId;
        for (int i = 0; i < identifiers.size(); i++) args[i + 1] = identifiers.get(i);
        return db.readAlone(c -> {
            long counter = -1;
            List<org.postern.store.AclStore.Grant> grants = new ArrayList<>();
            try (ResultSet rs = c.query(sql, args)) {
                while (rs.next()) {
                    long m = rs.getLong(1);
                    if (rs.wasNull()) grants.add(SqliteAclStore.grant(rs, 1));
                    else counter = m;
                }
            }
            return new org.postern.store.MailStore.Listing(
                    List.copyOf(mailboxes.mailboxes(c, accountId, counter).inNameOrder()), List.copyOf(grants));
        });
    }

    @Override
    public Optional<Mailbox> find(long accountId, String name) {
        String n = MailboxNames.normalize(name);
        return db.readAlone(c -> mailboxes.mailboxes(c, accountId).named(n));
    }

    @Override
    public Optional<Mailbox> byId(long accountId, long mailboxId) {
        return db.readAlone(c -> mailboxes.mailboxes(c, accountId).withId(mailboxId));
    }

    @Override
    public Mailbox create(long accountId, String name, SpecialUse use) {
        String n = MailboxNames.normalize(name);
        return db.write(tx -> {
            if (findByName(tx.c, accountId, n).isPresent()) throw new StoreException.Conflict("mailbox exists: " + n);
            createParents(tx, accountId, n);
            long id = insertMailbox(tx, accountId, n, use, false);
            return findById(tx.c, accountId, id).orElseThrow();
        });
    }

    /** Inserts a mailbox (the caller checked the name is free) and returns its id. */
    static long insertMailbox(SqliteTx tx, long accountId, String name, SpecialUse use, boolean subscribed)
            throws SQLException {
        long modSeq = tx.modSeq(accountId);
        long id;
        long uidValidity;
        try (ResultSet rs = tx.c.query("SELECT next_mailbox_id, last_uidvalidity FROM accounts WHERE id = ?", accountId)) {
            if (!rs.next()) throw new StoreException.NotFound("no account " + accountId);
            id = rs.getLong(1);
            // RFC 9051 §2.3.1.1: strictly larger than any value this account handed out before.
            uidValidity = Math.max(rs.getLong(2) + 1, Instant.now().getEpochSecond());
        }
        tx.c.update("UPDATE accounts SET next_mailbox_id = ?, last_uidvalidity = ? WHERE id = ?", id + 1, uidValidity,
                accountId);
        tx.c.update("""
                INSERT INTO mailboxes(account_id, id, name, special_use, uidvalidity, uidnext, highestmodseq, subscribed)
                VALUES (?, ?, ?, ?, ?, 1, ?, ?)""", accountId, id, name, (use == null ? SpecialUse.NONE : use).name(),
                uidValidity, modSeq, subscribed);
        tx.event(accountId, id, ChangeEvent.Kind.MAILBOXES);
        return id;
    }

    private static void createParents(SqliteTx tx, long accountId, String name) throws SQLException {
        for (String p : MailboxNames.parents(name)) {
            if (findByName(tx.c, accountId, p).isEmpty()) insertMailbox(tx, accountId, p, SpecialUse.NONE, false);
        }
    }

    @Override
    public void rename(long accountId, String from, String to) {
        String f = MailboxNames.normalize(from);
        String t = MailboxNames.normalize(to);
        db.write(tx -> {
            Mailbox src = findByName(tx.c, accountId, f)
                    .orElseThrow(() -> new StoreException.NotFound("no mailbox " + f));
            if (findByName(tx.c, accountId, t).isPresent()) throw new StoreException.Conflict("mailbox exists: " + t);
            if (f.equals(Mailbox.INBOX)) {
                // RFC 9051 §6.3.6: INBOX's messages move to the new name; INBOX stays, empty; its children stay.
                createParents(tx, accountId, t);
                long dest = insertMailbox(tx, accountId, t, SpecialUse.NONE, src.subscribed());
                List<Long> all = new ArrayList<>();
                try (ResultSet rs = tx.c.query("SELECT uid FROM messages WHERE account_id = ? AND mailbox_id = ? ORDER BY uid",
                        accountId, src.id())) {
                    while (rs.next()) all.add(rs.getLong(1));
                }
                copyIn(tx, accountId, src.id(), all, dest, true);
                return null;
            }
            if (t.startsWith(f + Mailbox.SEPARATOR)) throw new StoreException.Refused("cannot move a mailbox into itself");
            List<long[]> ids = new ArrayList<>();
            List<String> newNames = new ArrayList<>();
            ids.add(new long[] {src.id()});
            newNames.add(t);
            // Children: names in [f + "/", f + "0"), '0' being the character after '/'.
            try (ResultSet rs = tx.c.query("SELECT id, name FROM mailboxes WHERE account_id = ? AND name > ? AND name < ?",
                    accountId, f + Mailbox.SEPARATOR, f + (char) (Mailbox.SEPARATOR + 1))) {
                while (rs.next()) {
                    ids.add(new long[] {rs.getLong(1)});
                    newNames.add(t + rs.getString(2).substring(f.length()));
                }
            }
            for (String n : newNames) {
                MailboxNames.normalize(n);
                if (findByName(tx.c, accountId, n).isPresent()) throw new StoreException.Conflict("mailbox exists: " + n);
            }
            for (int i = 0; i < ids.size(); i++) {
                tx.c.update("UPDATE mailboxes SET name = ? WHERE account_id = ? AND id = ?", newNames.get(i), accountId,
                        ids.get(i)[0]);
                tx.event(accountId, ids.get(i)[0], ChangeEvent.Kind.MAILBOXES);
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
            Mailbox m = findByName(tx.c, accountId, n).orElseThrow(() -> new StoreException.NotFound("no mailbox " + n));
            // Children stay (RFC 9051 §6.3.4); IMAP LIST shows the gone parent as \NonExistent.
            deleteMailboxRows(tx, accountId, m.id());
            tx.event(accountId, m.id(), ChangeEvent.Kind.MAILBOXES);
            indexes.forget(accountId, m.id());
            return null;
        });
    }

    static void deleteMailboxRows(SqliteTx tx, long accountId, long mailboxId) throws SQLException {
        tx.c.update("DELETE FROM messages WHERE account_id = ? AND mailbox_id = ?", accountId, mailboxId);
        tx.c.update("DELETE FROM expunged WHERE account_id = ? AND mailbox_id = ?", accountId, mailboxId);
        tx.c.update("DELETE FROM mailboxes WHERE account_id = ? AND id = ?", accountId, mailboxId);
        tx.releaseBlobs();
    }

    @Override
    public void setSubscribed(long accountId, String name, boolean subscribed) {
        String n = MailboxNames.normalize(name);
        db.write(tx -> {
            Mailbox m = findByName(tx.c, accountId, n).orElseThrow(() -> new StoreException.NotFound("no mailbox " + n));
            if (m.subscribed() != subscribed) {
                tx.c.update("UPDATE mailboxes SET subscribed = ? WHERE account_id = ? AND id = ?", subscribed, accountId,
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
        if (!blobs.exists(blobId)) throw new StoreException.NotFound("no blob " + blobId);
        long now = System.currentTimeMillis();
        // Threaded and given sort keys in the transaction that stores it (read before the write lock); a
        // body the account already has (re-imported, or copied in from a mailbox shared by another
        // account) keeps its thread.
        org.postern.store.backend.ArrivalKeys keys = org.postern.store.backend.ArrivalKeys.read(blobs, blobId);
        return db.write(tx -> {
            MessageRecord r = insertMessage(tx, accountId, mailboxId, blobId, size, f, internalDate.toEpochMilli(), now);
            if (keys != null) {
                SqliteThreadStore.assign(tx.c, accountId, List.of(keys.links()));
                insertSortKeys(tx.c, accountId, keys.sortKeys());
            }
            return r;
        });
    }

    /** Adds one message with the mailbox's next UID. */
    static MessageRecord insertMessage(SqliteTx tx, long accountId, long mailboxId, String blobId, long size,
            String flags, long internalDate, long savedDate) throws SQLException {
        long modSeq = tx.touch(accountId, mailboxId);
        long uid = tx.c.queryLong("UPDATE mailboxes SET uidnext = uidnext + 1 WHERE account_id = ? AND id = ? RETURNING uidnext - 1",
                -1, accountId, mailboxId);
        if (uid < 0) throw new StoreException.NotFound("no mailbox " + mailboxId);
        tx.referenced(blobId);
        tx.c.update("""
                INSERT INTO messages(account_id, mailbox_id, uid, modseq, flags, seen, size, internal_date, saved_date, blob_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", accountId, mailboxId, uid, modSeq, flags,
                FlagCodec.seen(flags), size, internalDate, savedDate, blobId);
        return new MessageRecord(uid, modSeq, FlagCodec.decode(flags), size, Instant.ofEpochMilli(internalDate), blobId,
                Instant.ofEpochMilli(savedDate));
    }

    @Override
    public MailboxSnapshot snapshot(long accountId, long mailboxId) {
        return db.read(c -> {
            Mailbox m = mailboxes.mailboxes(c, accountId).withId(mailboxId)
                    .orElseThrow(() -> new StoreException.NotFound("no mailbox " + mailboxId));
            List<MessageRecord> msgs = new ArrayList<>(m.messages());
            try (ResultSet rs = c.query("SELECT " + MESSAGE_COLUMNS
                    + " FROM messages WHERE account_id = ? AND mailbox_id = ? ORDER BY uid", accountId, mailboxId)) {
                while (rs.next()) msgs.add(message(rs));
            }
            return new MailboxSnapshot(m, msgs);
        });
    }

    @Override
    public MailboxIndex index(long accountId, long mailboxId) {
        return db.read(c -> indexes.index(c, accountId, mailboxId));
    }

    @Override
    public Map<Long, MessageSortKeys> sortKeys(long accountId, long mailboxId, int version) {
        return db.read(c -> {
            Map<Long, MessageSortKeys> out = new HashMap<>();
            try (ResultSet rs = c.query("""
                    SELECT m.uid, k.blob_id, k.sent_date, k.subject, k.from_mbx, k.to_mbx, k.cc_mbx, k.display_from,
                      k.display_to
                    FROM messages m JOIN sort_keys k ON k.blob_id = m.blob_id AND k.account_id = m.account_id
                    WHERE m.account_id = ? AND m.mailbox_id = ? AND k.version = ?""", accountId, mailboxId, version)) {
                while (rs.next()) {
                    long sent = rs.getLong(3);
                    if (rs.wasNull()) sent = MessageSortKeys.NO_DATE;
                    out.put(rs.getLong(1), new MessageSortKeys(rs.getString(2), version, sent, rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9)));
                }
            }
            return out;
        });
    }

    @Override
    public org.postern.store.SortKeyColumns sortKeyColumns(long accountId, long mailboxId, int version,
            Set<org.postern.store.SortKeyColumns.Field> fields) {
        // One range of the per-message copy (schema 13) in primary-key order: ascending UIDs, no sort, no
        // lookup of each body in sort_keys.
        String sql = SortKeyRows.select(new org.postern.store.SortKeyColumns.Builder(fields), "k.uid", "NULL")
                .append(" FROM message_sort_keys k WHERE k.account_id = ? AND k.mailbox_id = ? AND k.version = ? ORDER BY k.uid")
                .toString();
        return db.read(c -> {
            var rows = new SortKeyRows.Reader(new org.postern.store.SortKeyColumns.Builder(fields));
            try (ResultSet rs = c.query(sql, accountId, mailboxId, version)) {
                while (rs.next()) rows.add(rs);
            }
            return rows.build();
        });
    }

    @Override
    public void putSortKeys(long accountId, java.util.Collection<MessageSortKeys> keys) {
        if (keys.isEmpty()) return;
        db.write(tx -> {
            for (MessageSortKeys k : keys) insertSortKeys(tx.c, accountId, k);
            return null;
        });
    }

    /** Within the caller's write transaction: delivery and APPEND store keys with the message. */
    static void insertSortKeys(SqliteConnection c, long accountId, MessageSortKeys k) throws SQLException {
        // Only for a body still referenced: keys of a freed blob would never be dropped.
        c.update("""
                INSERT OR REPLACE INTO sort_keys(blob_id, account_id, version, sent_date, subject, from_mbx, to_mbx,
                  cc_mbx, display_from, display_to)
                SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM blob_refs WHERE blob_id = ? AND refs > 0)""",
                k.blobId(), accountId, k.version(), k.sentDate() == MessageSortKeys.NO_DATE ? null : k.sentDate(),
                k.subject(), k.from(), k.to(), k.cc(), k.displayFrom(), k.displayTo(), k.blobId());
    }

    @Override
    public MailboxChanges changesSince(long accountId, long mailboxId, long modSeq) {
        return db.readAlone(c -> {
            Mailbox m = mailboxes.mailboxes(c, accountId).withId(mailboxId)
                    .orElseThrow(() -> new StoreException.NotFound("no mailbox " + mailboxId));
            // Every change of a message or expunge stamps the mailbox's HIGHESTMODSEQ in the same
            // transaction (SqliteTx.touch): nothing above it, nothing to look for. IMAP asks after
            // every command in the selected state, and mostly nothing changed: then one statement.
            if (m.highestModSeq() <= modSeq) return new MailboxChanges(m.highestModSeq(), m.uidNext(), List.of(), List.of());
            c.update("BEGIN");
            try {
                return changes(c, accountId, mailboxId, modSeq);
            } finally {
                c.update("COMMIT");
            }
        });
    }

    /** Within a read transaction: the mailbox and its changes as of one snapshot. */
    private MailboxChanges changes(SqliteConnection c, long accountId, long mailboxId, long modSeq) throws SQLException {
        Mailbox m = mailboxes.mailboxes(c, accountId).withId(mailboxId)
                .orElseThrow(() -> new StoreException.NotFound("no mailbox " + mailboxId));
        if (m.highestModSeq() <= modSeq) return new MailboxChanges(m.highestModSeq(), m.uidNext(), List.of(), List.of());
        List<MessageRecord> changed = new ArrayList<>();
        try (ResultSet rs = c.query("SELECT " + MESSAGE_COLUMNS
                + " FROM messages WHERE account_id = ? AND mailbox_id = ? AND modseq > ? ORDER BY uid",
                accountId, mailboxId, modSeq)) {
            while (rs.next()) changed.add(message(rs));
        }
        List<Long> expunged = new ArrayList<>();
        try (ResultSet rs = c.query("SELECT uid FROM expunged WHERE account_id = ? AND mailbox_id = ? AND modseq > ? ORDER BY uid",
                accountId, mailboxId, modSeq)) {
            while (rs.next()) expunged.add(rs.getLong(1));
        }
        return new MailboxChanges(m.highestModSeq(), m.uidNext(), changed, expunged);
    }

    @Override
    public Optional<MessageRecord> message(long accountId, long mailboxId, long uid) {
        return db.read(c -> {
            try (ResultSet rs = c.query("SELECT " + MESSAGE_COLUMNS
                    + " FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ?", accountId, mailboxId, uid)) {
                return rs.next() ? Optional.of(message(rs)) : Optional.empty();
            }
        });
    }

    @Override
    public List<MessageRecord> storeFlags(long accountId, long mailboxId, List<Long> uids, FlagOp op, Set<String> flags,
            long unchangedSince) {
        TreeMap<String, String> given = FlagCodec.normalize(flags);
        // Flags only: no message data, so no fsync of its own (SqliteDatabase.writeFlags).
        return db.writeFlags(tx -> {
            List<MessageRecord> found = select(tx.c, accountId, mailboxId, uids);
            // A message found proves its mailbox exists (foreign key): one statement less per STORE.
            if (found.isEmpty()) requireMailbox(tx.c, accountId, mailboxId);
            List<MessageRecord> changed = new ArrayList<>();
            // Few distinct flag sets occur in a mailbox: compute each transition once.
            Map<Set<String>, String[]> transitions = new HashMap<>();
            for (MessageRecord r : found) {
                // RFC 7162 §3.1.3: UNCHANGEDSINCE leaves messages modified after it alone.
                if (unchangedSince >= 0 && r.modSeq() > unchangedSince) continue;
                String[] t = transitions.computeIfAbsent(r.flags(), f -> {
                    String before = String.join(" ", lowerMap(f).values());
                    return new String[] {before, FlagCodec.apply(before, op, given)};
                });
                String after = t[1];
                if (after.equals(t[0])) continue;
                long modSeq = tx.touch(accountId, mailboxId);
                tx.c.update("UPDATE messages SET flags = ?, seen = ?, modseq = ? WHERE account_id = ? AND mailbox_id = ? AND uid = ?",
                        after, FlagCodec.seen(after), modSeq, accountId, mailboxId, r.uid());
                changed.add(new MessageRecord(r.uid(), modSeq, FlagCodec.decode(after), r.size(), r.internalDate(),
                        r.blobId(), r.savedDate()));
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
        return db.write(tx -> copyIn(tx, accountId, fromMailboxId, uids, toMailboxId, false));
    }

    @Override
    public CopyResult move(long accountId, long fromMailboxId, List<Long> uids, long toMailboxId) {
        return db.write(tx -> copyIn(tx, accountId, fromMailboxId, uids, toMailboxId, true));
    }

    /** RFC 4315 COPYUID order: source UIDs ascending, each with the UID it got. */
    private static CopyResult copyIn(SqliteTx tx, long accountId, long from, List<Long> uids, long to, boolean expunge)
            throws SQLException {
        requireMailbox(tx.c, accountId, from);
        Mailbox dest = requireMailbox(tx.c, accountId, to);
        List<MessageRecord> src = select(tx.c, accountId, from, uids);
        List<Long> srcUids = new ArrayList<>();
        List<Long> destUids = new ArrayList<>();
        if (src.isEmpty()) return new CopyResult(dest.uidValidity(), srcUids, destUids);
        long modSeq = tx.touch(accountId, to);
        long uid = tx.c.queryLong("SELECT uidnext FROM mailboxes WHERE account_id = ? AND id = ?", -1, accountId, to);
        long now = System.currentTimeMillis();
        for (MessageRecord r : src) {
            String flags = FlagCodec.encode(r.flags());
            tx.c.update("""
                    INSERT INTO messages(account_id, mailbox_id, uid, modseq, flags, seen, size, internal_date, saved_date, blob_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", accountId, to, uid, modSeq, flags, FlagCodec.seen(flags),
                    r.size(), r.internalDate().toEpochMilli(), now, r.blobId());
            srcUids.add(r.uid());
            destUids.add(uid);
            uid++;
        }
        tx.c.update("UPDATE mailboxes SET uidnext = ? WHERE account_id = ? AND id = ?", uid, accountId, to);
        if (expunge) removeMessages(tx, accountId, from, srcUids);
        return new CopyResult(dest.uidValidity(), srcUids, destUids);
    }

    @Override
    public List<Long> expunge(long accountId, long mailboxId, List<Long> uids) {
        return db.write(tx -> {
            List<Long> present = new ArrayList<>();
            for (MessageRecord r : select(tx.c, accountId, mailboxId, uids)) present.add(r.uid());
            if (present.isEmpty()) requireMailbox(tx.c, accountId, mailboxId);
            removeMessages(tx, accountId, mailboxId, present);
            return present;
        });
    }

    /** Deletes messages that exist and logs them as expunged (RFC 7162 §3.2.10 VANISHED needs the log). */
    private static void removeMessages(SqliteTx tx, long accountId, long mailboxId, List<Long> uids) throws SQLException {
        if (uids.isEmpty()) return;
        long modSeq = tx.touch(accountId, mailboxId);
        for (long uid : uids) {
            tx.c.update("DELETE FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ?", accountId, mailboxId, uid);
            tx.c.update("INSERT OR REPLACE INTO expunged(account_id, mailbox_id, uid, modseq) VALUES (?, ?, ?, ?)",
                    accountId, mailboxId, uid, modSeq);
        }
        tx.releaseBlobs();
    }

    @Override
    public long usedBytes(long accountId) {
        return db.read(c -> c.queryLong("SELECT used_bytes FROM accounts WHERE id = ?", 0, accountId));
    }

    /** Existing messages among {@code uids}, ascending, without duplicates. */
    private static List<MessageRecord> select(SqliteConnection c, long accountId, long mailboxId, List<Long> uids)
            throws SQLException {
        TreeSet<Long> wanted = new TreeSet<>(uids);
        List<MessageRecord> out = new ArrayList<>();
        if (wanted.isEmpty()) return out;
        if (wanted.size() <= POINT_LOOKUP_LIMIT) {
            for (long uid : wanted) {
                try (ResultSet rs = c.query("SELECT " + MESSAGE_COLUMNS
                        + " FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ?", accountId, mailboxId, uid)) {
                    if (rs.next()) out.add(message(rs));
                }
            }
            return out;
        }
        Set<Long> set = new HashSet<>(wanted);
        try (ResultSet rs = c.query("SELECT " + MESSAGE_COLUMNS
                + " FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid",
                accountId, mailboxId, wanted.first(), wanted.last())) {
            while (rs.next()) {
                if (set.contains(rs.getLong(1))) out.add(message(rs));
            }
        }
        return out;
    }

    private static Mailbox requireMailbox(SqliteConnection c, long accountId, long mailboxId) throws SQLException {
        return findById(c, accountId, mailboxId).orElseThrow(() -> new StoreException.NotFound("no mailbox " + mailboxId));
    }

    static Optional<Mailbox> findByName(SqliteConnection c, long accountId, String name) throws SQLException {
        try (ResultSet rs = c.query("SELECT " + MAILBOX_COLUMNS + " FROM mailboxes WHERE account_id = ? AND name = ?",
                accountId, name)) {
            return rs.next() ? Optional.of(mailbox(rs)) : Optional.empty();
        }
    }

    static Optional<Mailbox> findById(SqliteConnection c, long accountId, long id) throws SQLException {
        try (ResultSet rs = c.query("SELECT " + MAILBOX_COLUMNS + " FROM mailboxes WHERE account_id = ? AND id = ?",
                accountId, id)) {
            return rs.next() ? Optional.of(mailbox(rs)) : Optional.empty();
        }
    }

    private static Mailbox mailbox(ResultSet rs) throws SQLException {
        return SqliteMailboxCache.mailbox(rs);
    }

    /** Mailbox rows read from the database so far (tests: how often the cache missed). */
    long mailboxLoads() {
        return mailboxes.loads();
    }

    private static MessageRecord message(ResultSet rs) throws SQLException {
        return new MessageRecord(rs.getLong(1), rs.getLong(2), FlagCodec.decode(rs.getString(3)), rs.getLong(4),
                Instant.ofEpochMilli(rs.getLong(5)), rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)));
    }
}
