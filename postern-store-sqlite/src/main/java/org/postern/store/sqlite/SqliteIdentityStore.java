// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postern.store.IdentityStore;
import org.postern.store.ObjectChanges;

/** Identities in the {@code identities} table; writes logged as kind 'I' in {@code object_changes}. */
final class SqliteIdentityStore implements IdentityStore {
    private static final String KIND = "I";
    private static final String COLUMNS = "id, account_id, name, email, reply_to, bcc, text_signature, html_signature, may_delete";

    private final SqliteDatabase db;

    SqliteIdentityStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public List<Identity> list(long accountId, String defaultEmail) {
        List<Identity> found = db.read(c -> select(c, accountId));
        if (!found.isEmpty()) return found;
        return db.write(tx -> {
            // Checked again under the write lock: two first requests create one default.
            if (tx.c.queryLong("SELECT COUNT(*) FROM identities WHERE account_id = ?", 0, accountId) == 0) {
                insert(tx, new Identity(0, accountId, "", defaultEmail, null, null, "", "", false));
            }
            return select(tx.c, accountId);
        });
    }

    @Override
    public Optional<Identity> get(long accountId, long id) {
        return db.read(c -> {
            try (ResultSet rs = c.query("SELECT " + COLUMNS + " FROM identities WHERE account_id = ? AND id = ?", accountId, id)) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        });
    }

    @Override
    public Identity create(Identity identity) {
        return db.write(tx -> insert(tx, identity));
    }

    @Override
    public boolean update(Identity i) {
        return db.write(tx -> {
            int n = tx.c.update("UPDATE identities SET name = ?, email = ?, reply_to = ?, bcc = ?, text_signature = ?, html_signature = ?"
                    + " WHERE account_id = ? AND id = ?", i.name(), i.email(), i.replyTo(), i.bcc(), i.textSignature(),
                    i.htmlSignature(), i.accountId(), i.id());
            if (n > 0) SqliteObjectChanges.record(tx, i.accountId(), KIND, i.id(), SqliteObjectChanges.UPDATED);
            return n > 0;
        });
    }

    @Override
    public boolean delete(long accountId, long id) {
        return db.write(tx -> {
            int n = tx.c.update("DELETE FROM identities WHERE account_id = ? AND id = ?", accountId, id);
            if (n > 0) SqliteObjectChanges.record(tx, accountId, KIND, id, SqliteObjectChanges.DESTROYED);
            return n > 0;
        });
    }

    @Override
    public long state(long accountId) {
        return db.read(c -> SqliteObjectChanges.state(c, accountId, KIND));
    }

    @Override
    public Optional<ObjectChanges> changes(long accountId, long since, int maxObjects) {
        return db.read(c -> SqliteObjectChanges.since(c, accountId, KIND, since, maxObjects));
    }

    private static Identity insert(SqliteTx tx, Identity i) throws SQLException {
        SqliteConnection c = tx.c;
        c.update("INSERT INTO identities(account_id, name, email, reply_to, bcc, text_signature, html_signature, may_delete)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", i.accountId(), i.name(), i.email(), i.replyTo(), i.bcc(),
                i.textSignature(), i.htmlSignature(), i.mayDelete());
        long id = c.lastInsertId();
        SqliteObjectChanges.record(tx, i.accountId(), KIND, id, SqliteObjectChanges.CREATED);
        return i.withId(id);
    }

    private static List<Identity> select(SqliteConnection c, long accountId) throws SQLException {
        List<Identity> out = new ArrayList<>();
        try (ResultSet rs = c.query("SELECT " + COLUMNS + " FROM identities WHERE account_id = ? ORDER BY id", accountId)) {
            while (rs.next()) out.add(row(rs));
        }
        return out;
    }

    private static Identity row(ResultSet rs) throws SQLException {
        return new Identity(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getString(7), rs.getString(8), rs.getInt(9) != 0);
    }
}
