// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.StoreException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

class SqliteConnectionTest {
    @Test
    void temporaryFailuresMapToUnavailable() {
        for (SQLiteErrorCode code : new SQLiteErrorCode[] {SQLiteErrorCode.SQLITE_FULL, SQLiteErrorCode.SQLITE_BUSY,
                SQLiteErrorCode.SQLITE_IOERR, SQLiteErrorCode.SQLITE_IOERR_FSYNC, SQLiteErrorCode.SQLITE_LOCKED,
                SQLiteErrorCode.SQLITE_CANTOPEN, SQLiteErrorCode.SQLITE_READONLY}) {
            assertThat(SqliteConnection.map(new SQLiteException("x", code))).as(code.name())
                    .isInstanceOf(StoreException.Unavailable.class);
        }
    }

    @Test
    void otherFailuresAreNotClaimedTemporary() {
        assertThat(SqliteConnection.map(new SQLiteException("x", SQLiteErrorCode.SQLITE_CONSTRAINT)))
                .isNotInstanceOf(StoreException.Unavailable.class);
        assertThat(SqliteConnection.map(new SQLiteException("x", SQLiteErrorCode.SQLITE_CORRUPT)))
                .isNotInstanceOf(StoreException.Unavailable.class);
    }

    @Test
    void aClosedQueryOutsideATransactionHoldsNoSnapshot(@TempDir Path dir) throws Exception {
        // SqliteDatabase.readAlone relies on it: a result set left holding its snapshot would make the
        // connection's next statement read data older than a write that already returned.
        Path db = dir.resolve("t.db");
        try (SqliteConnection w = SqliteConnection.open(db, false)) {
            w.exec("PRAGMA journal_mode = WAL");
            w.exec("CREATE TABLE t (x INTEGER)");
            w.exec("INSERT INTO t VALUES (1)");
            try (SqliteConnection r = SqliteConnection.open(db, true)) {
                assertThat(r.queryLong("SELECT x FROM t", -1)).isEqualTo(1);
                w.exec("UPDATE t SET x = 2");
                assertThat(r.queryLong("SELECT x + 0 FROM t", -1)).isEqualTo(2);
                assertThat(r.queryLong("SELECT x FROM t", -1)).isEqualTo(2);
            }
        }
    }
}
