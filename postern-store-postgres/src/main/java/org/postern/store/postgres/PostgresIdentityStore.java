// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.postern.store.IdentityStore;
import org.postern.store.ObjectChanges;

/**
 * Identities in {@code identities}, keyed by (account, id); writes logged as kind 'I' in
 * {@code object_changes}. Every write locks the account row first, so the default identity is created
 * once even when two nodes ask for the list at the same moment.
 */
final class PostgresIdentityStore implements IdentityStore {
    private static final String KIND = "I";
    private static final String COLUMNS = "id, account_id, name, email, reply_to, bcc, text_signature, html_signature, may_delete";

    private final PostgresDatabase db;

    PostgresIdentityStore(PostgresDatabase db) {
        this.db = db;
    }

    @Override
    public List<Identity> list(long accountId, String defaultEmail) {
        List<Identity> found = db.read(s -> select(s, accountId));
        if (!found.isEmpty()) return found;
        return db.write(tx -> {
            tx.lock(accountId);
            // Checked again under the account lock: two first requests create one default.
            if (!tx.s.exists("SELECT 1 FROM identities WHERE account_id = ?", accountId)) {
                insert(tx, new Identity(0, accountId, "", defaultEmail, null, null, "", "", false));
            }
            return select(tx.s, accountId);
        });
    }

    @Override
    public Optional<Identity> get(long accountId, long id) {
        return db.read(s -> s.one("SELECT " + COLUMNS + " FROM identities WHERE account_id = ? AND id = ?",
                PostgresIdentityStore::row, accountId, id));
    }

    @Override
    public Identity create(Identity identity) {
        return db.write(tx -> {
            tx.lock(identity.accountId());
            return insert(tx, identity);
        });
    }

    @Override
    public boolean update(Identity i) {
        return db.write(tx -> {
            if (!lockIfExists(tx, i.accountId())) return false;
            int n = tx.s.update("UPDATE identities SET name = ?, email = ?, reply_to = ?, bcc = ?, text_signature = ?,"
                    + " html_signature = ? WHERE account_id = ? AND id = ?", i.name(), i.email(), i.replyTo(), i.bcc(),
                    i.textSignature(), i.htmlSignature(), i.accountId(), i.id());
            if (n > 0) PostgresObjectChanges.record(tx, i.accountId(), KIND, i.id(), PostgresObjectChanges.UPDATED);
            return n > 0;
        });
    }

    @Override
    public boolean delete(long accountId, long id) {
        return db.write(tx -> {
            if (!lockIfExists(tx, accountId)) return false;
            int n = tx.s.update("DELETE FROM identities WHERE account_id = ? AND id = ?", accountId, id);
            if (n > 0) PostgresObjectChanges.record(tx, accountId, KIND, id, PostgresObjectChanges.DESTROYED);
            return n > 0;
        });
    }

    @Override
    public long state(long accountId) {
        return db.read(s -> PostgresObjectChanges.state(s, accountId, KIND));
    }

    @Override
    public Optional<ObjectChanges> changes(long accountId, long since, int maxObjects) {
        return db.snapshot(s -> PostgresObjectChanges.since(s, accountId, KIND, since, maxObjects));
    }

    /** Locks the account; false when there is none (then it has no objects to change either). */
    static boolean lockIfExists(PostgresTx tx, long accountId) throws SQLException {
        try {
            tx.lock(accountId);
            return true;
        } catch (org.postern.store.StoreException.NotFound e) {
            return false;
        }
    }

    private static Identity insert(PostgresTx tx, Identity i) throws SQLException {
        long id = tx.s.queryLong("INSERT INTO identities(account_id, name, email, reply_to, bcc, text_signature, html_signature,"
                + " may_delete) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", -1, i.accountId(), i.name(), i.email(),
                i.replyTo(), i.bcc(), i.textSignature(), i.htmlSignature(), i.mayDelete());
        PostgresObjectChanges.record(tx, i.accountId(), KIND, id, PostgresObjectChanges.CREATED);
        return i.withId(id);
    }

    private static List<Identity> select(PostgresSession s, long accountId) throws SQLException {
        return s.list("SELECT " + COLUMNS + " FROM identities WHERE account_id = ? ORDER BY id", PostgresIdentityStore::row,
                accountId);
    }

    private static Identity row(ResultSet rs) throws SQLException {
        return new Identity(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getString(7), rs.getString(8), rs.getBoolean(9));
    }
}
