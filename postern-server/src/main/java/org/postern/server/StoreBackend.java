// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.nio.file.Path;
import org.postern.server.config.DataFolder;
import org.postern.server.config.StoreConfig;
import org.postern.store.MailStore;
import org.postern.store.StoreException;
import org.postern.store.postgres.PostgresConfig;
import org.postern.store.postgres.PostgresMailStore;
import org.postern.store.sqlite.SqliteMailStore;

/**
 * Opens the store postern.conf names: the embedded one in the data folder, or a PostgreSQL shared by
 * every node configured with the same database. The only place that picks a backend, so the server and
 * the command line always open the same one.
 */
public final class StoreBackend {
    private StoreBackend() {}

    /**
     * @throws StoreException.Unavailable when the database cannot be reached or its password file read
     * @throws StoreException.TooNew when the data was written by a newer Postern
     */
    public static MailStore open(StoreConfig store, Path dataDir) {
        if (store.embedded()) return SqliteMailStore.open(dataDir);
        Path passwordFile = store.passwordFile().isEmpty() ? null : new DataFolder(dataDir).resolve(store.passwordFile());
        PostgresConfig config;
        try {
            config = PostgresConfig.parse(store.url(), passwordFile);
        } catch (IllegalArgumentException e) {
            // The URL was validated with postern.conf; what is left is an unreadable password file.
            throw new StoreException.Unavailable(e.getMessage(), e);
        }
        return PostgresMailStore.open(config);
    }
}
