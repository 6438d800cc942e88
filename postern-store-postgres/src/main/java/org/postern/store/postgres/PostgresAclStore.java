// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.postern.store.AclStore;
import org.postern.store.ChangeEvent;

/**
 * ACL entries in {@code acl} and per-user \Seen in {@code user_seen}, both keyed by the owning account
 * first. Marking a message seen for one user bumps its MODSEQ in the owner's mailbox (the flags are
 * the owner's and stay), which is how other sessions and CONDSTORE clients learn of it. The one query
 * not scoped by owner is {@link #grantsFor}: "what was I granted" is asked by the grantee
 * (an index on identifier serves it; distributed, it fans out to every shard).
 */
final class PostgresAclStore implements AclStore {
    private final PostgresDatabase db;

    PostgresAclStore(PostgresDatabase db) {
        this.db = db;
    }

    @Override
    public Map<String, String> acl(long ownerAccountId, long mailboxId) {
        return db.read(s -> {
            Map<String, String> out = new TreeMap<>();
            s.each("SELECT identifier, rights FROM acl WHERE owner_id = ? AND mailbox_id = ?",
                    rs -> out.put(rs.getString(1), rs.getString(2)), ownerAccountId, mailboxId);
            return out;
        });
    }

    @Override
    public void setRights(long ownerAccountId, long mailboxId, String identifier, String rights) {
        db.write(tx -> {
            tx.lock(ownerAccountId);
            if (rights == null || rights.isEmpty()) {
                tx.s.update("DELETE FROM acl WHERE owner_id = ? AND mailbox_id = ? AND identifier = ?",
                        ownerAccountId, mailboxId, identifier);
            } else {
                tx.s.update("""
                        INSERT INTO acl(owner_id, mailbox_id, identifier, rights) VALUES (?, ?, ?, ?)
                        ON CONFLICT (owner_id, mailbox_id, identifier) DO UPDATE SET rights = EXCLUDED.rights""",
                        ownerAccountId, mailboxId, identifier, rights);
            }
            // Sessions of the owner and of the grantees re-read what they may see.
            tx.event(ownerAccountId, mailboxId, ChangeEvent.Kind.MAILBOXES);
            return null;
        });
    }

    @Override
    public List<Grant> grantsFor(Collection<String> identifiers) {
        if (identifiers.isEmpty()) return List.of();
        String[] ids = new HashSet<>(identifiers).toArray(new String[0]);
        return db.read(s -> s.list("SELECT owner_id, mailbox_id, identifier, rights FROM acl WHERE identifier = ANY(?)",
                rs -> new Grant(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4)),
                s.jdbc.createArrayOf("text", ids)));
    }

    @Override
    public Set<Long> seenUids(long ownerAccountId, long mailboxId, long userId) {
        return db.read(s -> new HashSet<>(s.list("SELECT uid FROM user_seen WHERE owner_id = ? AND mailbox_id = ? AND user_id = ?",
                rs -> rs.getLong(1), ownerAccountId, mailboxId, userId)));
    }

    @Override
    public int seenCount(long ownerAccountId, long mailboxId, long userId) {
        return (int) (long) db.read(s -> s.queryLong("""
                SELECT count(*) FROM user_seen s JOIN messages m
                  ON m.account_id = s.owner_id AND m.mailbox_id = s.mailbox_id AND m.uid = s.uid
                WHERE s.owner_id = ? AND s.mailbox_id = ? AND s.user_id = ?""", 0, ownerAccountId, mailboxId, userId));
    }

    @Override
    public List<Long> setSeen(long ownerAccountId, long mailboxId, long userId, List<Long> uids, boolean seen) {
        return db.write(tx -> {
            tx.lock(ownerAccountId);
            List<Long> changed = new java.util.ArrayList<>();
            for (long uid : new TreeSet<>(uids)) {
                if (!tx.s.exists("SELECT 1 FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ?",
                        ownerAccountId, mailboxId, uid)) {
                    continue;
                }
                int n = seen
                        ? tx.s.update("""
                                INSERT INTO user_seen(owner_id, mailbox_id, user_id, uid) VALUES (?, ?, ?, ?)
                                ON CONFLICT DO NOTHING""", ownerAccountId, mailboxId, userId, uid)
                        : tx.s.update("DELETE FROM user_seen WHERE owner_id = ? AND mailbox_id = ? AND user_id = ? AND uid = ?",
                                ownerAccountId, mailboxId, userId, uid);
                if (n == 0) continue;
                long modSeq = tx.touch(ownerAccountId, mailboxId);
                tx.s.update("UPDATE messages SET modseq = ? WHERE account_id = ? AND mailbox_id = ? AND uid = ?",
                        modSeq, ownerAccountId, mailboxId, uid);
                changed.add(uid);
            }
            return changed;
        });
    }
}
