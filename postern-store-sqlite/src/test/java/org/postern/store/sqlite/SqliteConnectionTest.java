// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
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
}
