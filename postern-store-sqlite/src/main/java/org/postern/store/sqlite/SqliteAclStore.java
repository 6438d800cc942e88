// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.postern.store.AclStore;

/**
 * ACL entries in {@code acl} and per-user \Seen in {@code user_seen}. Marking a message seen for one
 * user bumps its MODSEQ in the owner's mailbox (the flags column is the owner's and stays), which
 * is how other sessions, and CONDSTORE clients, learn of the change. Triggers clean both tables
 * when mailboxes or accounts go.
 */
final class SqliteAclStore implements AclStore {
    static final int GRANTS_CHUNK = 4;
    private final SqliteDatabase db;

    SqliteAclStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public Map<String, String> acl(long ownerAccountId, long mailboxId) {
        return db.read(c -> {
            Map<String, String> out = new TreeMap<>();
            try (ResultSet rs = c.query("SELECT identifier, rights FROM acl WHERE owner_id = ? AND mailbox_id = ?",
                    ownerAccountId, mailboxId)) {
                while (rs.next()) out.put(rs.getString(1), rs.getString(2));
            }
            return out;
        });
    }

    @Override
    public void setRights(long ownerAccountId, long mailboxId, String identifier, String rights) {
        db.write(tx -> {
            if (rights == null || rights.isEmpty()) {
                tx.c.update("DELETE FROM acl WHERE owner_id = ? AND mailbox_id = ? AND identifier = ?",
                        ownerAccountId, mailboxId, identifier);
            } else {
                tx.c.update("INSERT OR REPLACE INTO acl(owner_id, mailbox_id, identifier, rights) VALUES (?, ?, ?, ?)",
                        ownerAccountId, mailboxId, identifier, rights);
            }
            // Sessions of the owner and of the grantees re-read what they may see.
            tx.event(ownerAccountId, mailboxId, org.postern.store.ChangeEvent.Kind.MAILBOXES);
            return null;
        });
    }

    /**
     * The grants to one identifier; each further one adds {@code " OR identifier = ?"}: point look-ups in
     * the index, without the temporary table SQLite builds for IN.
     */
    static final String GRANTS = "SELECT owner_id, mailbox_id, rights, identifier FROM acl WHERE identifier = ?";

    /** A row of {@link #GRANTS}, its columns after {@code skip} others. */
    static Grant grant(ResultSet rs, int skip) throws SQLException {
        return new Grant(rs.getLong(skip + 1), rs.getLong(skip + 2), rs.getString(skip + 4), rs.getString(skip + 3));
    }

    @Override
    public List<Grant> grantsFor(Collection<String> identifiers) {
        List<String> ids = new ArrayList<>(new HashSet<>(identifiers));
        if (ids.isEmpty()) return List.of();
        SqliteDatabase.ReadBody<List<Grant>> body = c -> {
            List<Grant> out = new ArrayList<>();
            // One statement per few identifiers (IMAP LIST asks for the user and "anyone" every time);
            // a handful of statement shapes, each cached.
            for (int i = 0; i < ids.size(); i += GRANTS_CHUNK) {
                List<String> part = ids.subList(i, Math.min(ids.size(), i + GRANTS_CHUNK));
                try (ResultSet rs = c.query(GRANTS + " OR identifier = ?".repeat(part.size() - 1), part.toArray())) {
                    while (rs.next()) out.add(grant(rs, 0));
                }
            }
            return out;
        };
        // One statement is its own snapshot: no transaction needed around it.
        return ids.size() <= GRANTS_CHUNK ? db.readAlone(body) : db.read(body);
    }

    @Override
    public Set<Long> seenUids(long ownerAccountId, long mailboxId, long userId) {
        return db.read(c -> {
            Set<Long> out = new HashSet<>();
            try (ResultSet rs = c.query("SELECT uid FROM user_seen WHERE owner_id = ? AND mailbox_id = ? AND user_id = ?",
                    ownerAccountId, mailboxId, userId)) {
                while (rs.next()) out.add(rs.getLong(1));
            }
            return out;
        });
    }

    @Override
    public int seenCount(long ownerAccountId, long mailboxId, long userId) {
        long n = db.read(c -> c.queryLong("SELECT count(*) FROM user_seen s JOIN messages m"
                + " ON m.account_id = s.owner_id AND m.mailbox_id = s.mailbox_id AND m.uid = s.uid"
                + " WHERE s.owner_id = ? AND s.mailbox_id = ? AND s.user_id = ?", 0, ownerAccountId, mailboxId, userId));
        return (int) n;
    }

    @Override
    public List<Long> setSeen(long ownerAccountId, long mailboxId, long userId, List<Long> uids, boolean seen) {
        return db.write(tx -> {
            List<Long> changed = new ArrayList<>();
            for (long uid : new java.util.TreeSet<>(uids)) {
                if (tx.c.queryLong("SELECT 1 FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ?", 0,
                        ownerAccountId, mailboxId, uid) == 0) {
                    continue;
                }
                int n = seen
                        ? tx.c.update("INSERT OR IGNORE INTO user_seen(owner_id, mailbox_id, user_id, uid) VALUES (?, ?, ?, ?)",
                                ownerAccountId, mailboxId, userId, uid)
                        : tx.c.update("DELETE FROM user_seen WHERE owner_id = ? AND mailbox_id = ? AND user_id = ? AND uid = ?",
                                ownerAccountId, mailboxId, userId, uid);
                if (n == 0) continue;
                long modSeq = tx.touch(ownerAccountId, mailboxId);
                tx.c.update("UPDATE messages SET modseq = ? WHERE account_id = ? AND mailbox_id = ? AND uid = ?",
                        modSeq, ownerAccountId, mailboxId, uid);
                changed.add(uid);
            }
            return changed;
        });
    }
}
