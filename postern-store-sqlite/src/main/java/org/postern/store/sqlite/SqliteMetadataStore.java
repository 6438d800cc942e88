// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.sql.ResultSet;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.postern.store.ChangeEvent;
import org.postern.store.MetadataStore;

/**
 * RFC 5464 annotations in the {@code metadata} table, keyed by (owner, mailbox, user, entry); 0
 * stands for "the server" and "shared". Triggers remove a mailbox's entries with the mailbox and an
 * account's with the account, so nothing outlives what it annotates.
 */
final class SqliteMetadataStore implements MetadataStore {
    private final SqliteDatabase db;

    SqliteMetadataStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public SortedMap<String, byte[]> entries(Scope scope) {
        return db.read(c -> {
            SortedMap<String, byte[]> out = new TreeMap<>();
            try (ResultSet rs = c.query("SELECT entry, value FROM metadata WHERE owner_id = ? AND mailbox_id = ? AND user_id = ?",
                    scope.ownerAccountId(), scope.mailboxId(), scope.userId())) {
                while (rs.next()) out.put(rs.getString(1), rs.getBytes(2));
            }
            return out;
        });
    }

    @Override
    public void apply(Map<Scope, Map<String, byte[]>> changes) {
        db.write(tx -> {
            for (Map.Entry<Scope, Map<String, byte[]>> e : changes.entrySet()) {
                Scope s = e.getKey();
                for (Map.Entry<String, byte[]> v : e.getValue().entrySet()) {
                    if (v.getValue() == null) {
                        tx.c.update("DELETE FROM metadata WHERE owner_id = ? AND mailbox_id = ? AND user_id = ? AND entry = ?",
                                s.ownerAccountId(), s.mailboxId(), s.userId(), v.getKey());
                    } else {
                        tx.c.update("INSERT OR REPLACE INTO metadata(owner_id, mailbox_id, user_id, entry, value) VALUES (?, ?, ?, ?, ?)",
                                s.ownerAccountId(), s.mailboxId(), s.userId(), v.getKey(), v.getValue());
                    }
                    tx.notice(ChangeEvent.metadata(s, v.getKey()));
                }
            }
            return null;
        });
    }
}
