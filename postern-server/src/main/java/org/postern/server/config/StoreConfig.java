// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import org.postern.store.postgres.PostgresConfig;

/**
 * Where the mail store lives: the {@code store} and {@code store_password_file} settings.
 *
 * @param url {@value #SQLITE} (the embedded store in the data folder) or {@code postgres://user@host:port/db},
 *     the store shared by every node pointing at the same database
 * @param passwordFile the database password's file as written (relative to the data folder); empty for
 *     none (trust or peer authentication) and always empty for {@value #SQLITE}
 */
public record StoreConfig(String url, String passwordFile) {
    public static final String SQLITE = "sqlite";

    public StoreConfig {
        passwordFile = passwordFile == null ? "" : passwordFile;
        if (!url.equals(SQLITE)) {
            // Validated with the backend's own parser (no file is read here), so the two never disagree.
            PostgresConfig.parse(url, null);
            int port = java.net.URI.create(url.trim()).getPort();
            if (port == 0 || port > 65535) throw new IllegalArgumentException("port must be from 1 to 65535");
        } else if (!passwordFile.isEmpty()) {
            throw new IllegalArgumentException("store_password_file is only for a postgres:// store");
        }
    }

    public static StoreConfig sqlite() {
        return new StoreConfig(SQLITE, "");
    }

    public static StoreConfig postgres(String url, String passwordFile) {
        return new StoreConfig(url, passwordFile);
    }

    public boolean embedded() {
        return url.equals(SQLITE);
    }

    /** Accepts {@code sqlite} in any case; anything else must be a postgres:// URL. */
    static String normalise(String value) {
        return value.equalsIgnoreCase(SQLITE) ? SQLITE : value;
    }

    @Override
    public String toString() {
        return embedded() ? SQLITE : url + (passwordFile.isEmpty() ? "" : " (password in " + passwordFile + ")");
    }
}
