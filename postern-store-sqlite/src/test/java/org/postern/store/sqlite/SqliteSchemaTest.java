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
}
