// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.PasswordRecord;
import org.postern.store.StoreException;

class SqliteSchemaTest {
    @TempDir
    Path dir;

    private String pragma(String name) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("store.db"));
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void newStoreHasCurrentVersionAndWalMode() throws Exception {
        try (SqliteMailStore s = SqliteMailStore.open(dir)) {
            assertThat(s.schemaVersion()).isEqualTo(SqliteMailStore.SCHEMA_VERSION).isPositive();
            assertThat(Files.isDirectory(dir.resolve("blobs"))).isTrue();
        }
        assertThat(pragma("user_version")).isEqualTo(String.valueOf(SqliteMailStore.SCHEMA_VERSION));
        assertThat(pragma("journal_mode")).isEqualTo("wal");
    }

    @Test
    void reopeningKeepsDataAndVersion() {
        try (SqliteMailStore s = SqliteMailStore.open(dir)) {
            s.directory().addDomain("example.org");
            s.directory().createAccount("a@example.org", PasswordRecord.NONE, false);
        }
        try (SqliteMailStore s = SqliteMailStore.open(dir)) {
            assertThat(s.schemaVersion()).isEqualTo(SqliteMailStore.SCHEMA_VERSION);
            assertThat(s.directory().account("a@example.org")).isPresent();
        }
    }

    @Test
    void dataFromANewerReleaseIsRefused() throws Exception {
        SqliteMailStore.open(dir).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("store.db"));
                Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = " + (SqliteMailStore.SCHEMA_VERSION + 1));
        }
        assertThatThrownBy(() -> SqliteMailStore.open(dir)).isInstanceOf(StoreException.TooNew.class);
        // refusing must not have touched the data
        assertThat(pragma("user_version")).isEqualTo(String.valueOf(SqliteMailStore.SCHEMA_VERSION + 1));
    }

    @Test
    void perAccountTablesLeadWithAccountId() throws Exception {
        SqliteMailStore.open(dir).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("store.db"));
                Statement s = c.createStatement()) {
            for (String table : new String[] {"mailboxes", "messages", "expunged", "account_settings"}) {
                try (ResultSet rs = s.executeQuery("SELECT name FROM pragma_table_info('" + table + "') WHERE pk = 1")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).as(table).isEqualTo("account_id");
                }
            }
        }
    }

    @Test
    void schema15AddsTheTableOfSmallBodies() throws Exception {
        assertThat(SqliteMailStore.SCHEMA_VERSION).isEqualTo(15);
        try (SqliteConnection c = SqliteConnection.open(dir.resolve("old.db"), false)) {
            c.exec("PRAGMA journal_mode = WAL");
            assertThat(SqliteSchema.migrate(c, 14)).isEqualTo(14);
            assertThat(c.queryLong("SELECT count(*) FROM sqlite_master WHERE name = 'blob_data'", -1)).isZero();
            assertThat(SqliteSchema.migrate(c)).isEqualTo(15);
            c.update("INSERT INTO blob_data(blob_id, written, bytes) VALUES (?, ?, ?)", "0123456789abcdef0123456789abcdef",
                    1L, new byte[] {1, 2, 3});
            assertThat(c.queryLong("SELECT length(bytes) FROM blob_data", -1)).isEqualTo(3);
            // A rowid table: rows of many KiB stay out of the key b-tree.
            assertThat(c.queryLong("SELECT count(*) FROM pragma_table_list WHERE name = 'blob_data' AND wr = 0", -1))
                    .isEqualTo(1);
        }
    }

    @Test
    void theChangeLogKeepsCountingUpAcrossSchema14EvenWhenItWasEmpty() throws Exception {
        // Schema 14 drops AUTOINCREMENT: the counter of an emptied log must not start again at 1, or
        // another process polling "seq > its last" would miss the next changes.
        try (SqliteConnection c = SqliteConnection.open(dir.resolve("old.db"), false)) {
            c.exec("PRAGMA journal_mode = WAL");
            assertThat(SqliteSchema.migrate(c, 13)).isEqualTo(13);
            for (int i = 0; i < 7; i++) {
                c.exec("INSERT INTO changelog(account_id, mailbox_id, modseq, kind, at) VALUES (1, 1, 1, 'MESSAGES', 0)");
            }
            c.exec("DELETE FROM changelog");
            assertThat(SqliteSchema.migrate(c)).isEqualTo(SqliteSchema.CURRENT);
            long next = c.queryLong("INSERT INTO changelog(account_id, mailbox_id, modseq, kind, at) VALUES (1, 1, 2, 'MESSAGES', 1)"
                    + " RETURNING seq", -1);
            assertThat(next).isEqualTo(8);
            assertThat(c.queryLong("SELECT count(*) FROM sqlite_master WHERE name = 'changelog_at'", -1)).isZero();
        }
    }
}
