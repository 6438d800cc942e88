// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.postern.store.StoreException;

/** Versioned migrations: nodes starting together migrate once; newer data is refused. */
class PostgresSchemaTest {
    private static void sql(PostgresConfig c, String sql) throws Exception {
        try (var conn = DriverManager.getConnection(c.jdbcUrl(), c.user(), ""); var s = conn.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void nodesStartingTogetherMigrateOnce() throws Exception {
        PostgresConfig db = TestPostgres.emptyDatabase();
        List<PostgresMailStore> opened = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            List<Future<PostgresMailStore>> fs = new ArrayList<>();
            for (int i = 0; i < 3; i++) fs.add(pool.submit(() -> PostgresMailStore.open(db)));
            for (Future<PostgresMailStore> f : fs) opened.add(f.get());
        }
        try {
            assertThat(opened).allMatch(s -> s.schemaVersion() == PostgresMailStore.SCHEMA_VERSION);
            opened.get(0).directory().addDomain("example.org");
            assertThat(opened.get(2).directory().domains()).containsExactly("example.org");
        } finally {
            for (PostgresMailStore s : opened) s.close();
        }
    }

    @Test
    void dataOfANewerReleaseIsRefused() throws Exception {
        PostgresConfig db = TestPostgres.emptyDatabase();
        PostgresMailStore.open(db).close();
        sql(db, "UPDATE postern_schema SET version = " + (PostgresMailStore.SCHEMA_VERSION + 1));
        assertThatThrownBy(() -> PostgresMailStore.open(db)).isInstanceOf(StoreException.TooNew.class);
    }

    @Test
    void anUnreachableDatabaseIsUnavailableNotACrash() {
        PostgresConfig nowhere = new PostgresConfig("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2", "postgres", null);
        assertThatThrownBy(() -> PostgresMailStore.open(nowhere)).isInstanceOf(StoreException.Unavailable.class);
    }
}
