// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.postern.store.ChangeEvent;
import org.postern.store.MetadataStore;

/**
 * RFC 5464 annotations in the {@code metadata} table, keyed by (owner, mailbox, user, entry); 0 stands
 * for "the server" and "shared". A mailbox's entries go with the mailbox and an account's with the
 * account (see the delete paths of the mailbox store and the directory).
 */
final class PostgresMetadataStore implements MetadataStore {
    private final PostgresDatabase db;

    PostgresMetadataStore(PostgresDatabase db) {
        this.db = db;
    }

    @Override
    public SortedMap<String, byte[]> entries(Scope scope) {
        return db.read(s -> {
            SortedMap<String, byte[]> out = new TreeMap<>();
            s.each("SELECT entry, value FROM metadata WHERE owner_id = ? AND mailbox_id = ? AND user_id = ?",
                    rs -> out.put(rs.getString(1), rs.getBytes(2)), scope.ownerAccountId(), scope.mailboxId(), scope.userId());
            return out;
        });
    }

    @Override
    public void apply(Map<Scope, Map<String, byte[]>> changes) {
        db.write(tx -> {
            for (Map.Entry<Scope, Map<String, byte[]>> e : changes.entrySet()) {
                Scope sc = e.getKey();
                for (Map.Entry<String, byte[]> v : e.getValue().entrySet()) {
                    if (v.getValue() == null) {
                        tx.s.update("DELETE FROM metadata WHERE owner_id = ? AND mailbox_id = ? AND user_id = ? AND entry = ?",
                                sc.ownerAccountId(), sc.mailboxId(), sc.userId(), v.getKey());
                    } else {
                        tx.s.update("""
                                INSERT INTO metadata(owner_id, mailbox_id, user_id, entry, value) VALUES (?, ?, ?, ?, ?)
                                ON CONFLICT (owner_id, mailbox_id, user_id, entry) DO UPDATE SET value = EXCLUDED.value""",
                                sc.ownerAccountId(), sc.mailboxId(), sc.userId(), v.getKey(), v.getValue());
                    }
                    tx.notice(ChangeEvent.metadata(sc, v.getKey()));
                }
            }
            return null;
        });
    }
}
