// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.postern.store.DkimKeyStore;
import org.postern.store.StoreException;

/** DKIM signing keys in the {@code dkim_keys} table, keyed by (domain, selector). */
final class SqliteDkimKeyStore implements DkimKeyStore {
    private final SqliteDatabase db;

    SqliteDkimKeyStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public void add(DkimKey key) {
        db.write(tx -> {
            if (tx.c.queryLong("SELECT 1 FROM dkim_keys WHERE domain = ? AND selector = ?", 0, key.domain(), key.selector()) == 1) {
                throw new StoreException.Conflict("DKIM key exists: " + key.selector() + "._domainkey." + key.domain());
            }
            tx.c.update("INSERT INTO dkim_keys(domain, selector, algorithm, private_key, public_key, created) VALUES (?, ?, ?, ?, ?, ?)",
                    key.domain(), key.selector(), key.algorithm(), key.privateKey(), key.publicKey(), key.created().toEpochMilli());
            return null;
        });
    }

    @Override
    public List<DkimKey> keys(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        return db.read(c -> {
            List<DkimKey> out = new ArrayList<>();
            try (ResultSet rs = c.query("SELECT selector, algorithm, private_key, public_key, created FROM dkim_keys "
                    + "WHERE domain = ? ORDER BY created, selector", d)) {
                while (rs.next()) {
                    out.add(new DkimKey(d, rs.getString(1), rs.getString(2), rs.getBytes(3), rs.getBytes(4),
                            Instant.ofEpochMilli(rs.getLong(5))));
                }
            }
            return out;
        });
    }

    @Override
    public void delete(String domain, String selector) {
        db.write(tx -> tx.c.update("DELETE FROM dkim_keys WHERE domain = ? AND selector = ?",
                domain.toLowerCase(Locale.ROOT), selector.toLowerCase(Locale.ROOT)));
    }
}
