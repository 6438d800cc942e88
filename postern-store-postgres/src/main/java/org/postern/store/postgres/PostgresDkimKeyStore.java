// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.postern.store.DkimKeyStore;
import org.postern.store.StoreException;

/** DKIM signing keys (RFC 6376) in {@code dkim_keys}, keyed by (domain, selector): every node signs alike. */
final class PostgresDkimKeyStore implements DkimKeyStore {
    private final PostgresDatabase db;

    PostgresDkimKeyStore(PostgresDatabase db) {
        this.db = db;
    }

    @Override
    public void add(DkimKey key) {
        db.write(tx -> {
            if (tx.s.update("""
                    INSERT INTO dkim_keys(domain, selector, algorithm, private_key, public_key, created) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT DO NOTHING""", key.domain(), key.selector(), key.algorithm(), key.privateKey(),
                    key.publicKey(), key.created().toEpochMilli()) == 0) {
                throw new StoreException.Conflict("DKIM key exists: " + key.selector() + "._domainkey." + key.domain());
            }
            return null;
        });
    }

    @Override
    public List<DkimKey> keys(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        return db.read(s -> s.list("SELECT selector, algorithm, private_key, public_key, created FROM dkim_keys"
                + " WHERE domain = ? ORDER BY created, selector", rs -> new DkimKey(d, rs.getString(1), rs.getString(2),
                        rs.getBytes(3), rs.getBytes(4), Instant.ofEpochMilli(rs.getLong(5))), d));
    }

    @Override
    public void delete(String domain, String selector) {
        db.write(tx -> tx.s.update("DELETE FROM dkim_keys WHERE domain = ? AND selector = ?",
                domain.toLowerCase(Locale.ROOT), selector.toLowerCase(Locale.ROOT)));
    }
}
