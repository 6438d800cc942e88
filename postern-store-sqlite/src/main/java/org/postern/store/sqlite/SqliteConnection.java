// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.postern.store.StoreException;

/**
 * One JDBC connection with a cache of prepared statements. Used by one thread at a time (the writer
 * under the write lock, a reader while borrowed from the pool), so the cache needs no locking.
 */
final class SqliteConnection implements AutoCloseable {
    static final int BUSY_TIMEOUT_MS = 5_000;

    private final Connection jdbc;
    private final Map<String, PreparedStatement> cache = new HashMap<>();

    private SqliteConnection(Connection jdbc) {
        this.jdbc = jdbc;
    }

    static SqliteConnection open(Path db, boolean readOnly) throws SQLException {
        java.util.Properties props = new java.util.Properties();
        // Else the driver runs "SELECT last_insert_rowid()" through a new statement after every INSERT
        // executed as an update, for getGeneratedKeys, which this backend never calls (RETURNING instead).
        props.setProperty("jdbc.get_generated_keys", "false");
        SqliteConnection c = new SqliteConnection(DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath(), props));
        try {
            // FULL: in WAL mode each commit fsyncs the WAL, so a returned write survives power loss.
            c.exec("PRAGMA synchronous = FULL");
            c.exec("PRAGMA foreign_keys = ON");
            c.exec("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MS);
            c.exec("PRAGMA cache_size = -8000");
            // Statement journals and sorts in memory: on disk each is a new file under /var/tmp,
            // created, written and unlinked (a multi-row UPDATE inside a batch opened several a second).
            c.exec("PRAGMA temp_store = MEMORY");
            if (readOnly) c.exec("PRAGMA query_only = ON");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    void exec(String sql) throws SQLException {
        try (Statement s = jdbc.createStatement()) {
            s.execute(sql);
        }
    }

    /** A cached statement with the arguments bound (booleans as 0/1). */
    PreparedStatement ps(String sql, Object... args) throws SQLException {
        PreparedStatement p = cache.get(sql);
        if (p != null) {
            try {
                p.clearParameters();
            } catch (SQLException stale) {
                // The driver may have closed it after SQLite rolled a transaction back by itself (disk
                // full, I/O error; SqliteGroupCommitTest): prepare it again rather than fail every later use.
                cache.remove(sql);
                closeQuietly(p);
                p = null;
            }
        }
        if (p == null) {
            p = jdbc.prepareStatement(sql);
            cache.put(sql, p);
        }
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Boolean b) a = b ? 1 : 0;
            p.setObject(i + 1, a);
        }
        return p;
    }

    int update(String sql, Object... args) throws SQLException {
        return ps(sql, args).executeUpdate();
    }

    ResultSet query(String sql, Object... args) throws SQLException {
        return ps(sql, args).executeQuery();
    }

    /** The first column of the first row, or {@code fallback} when there is no row. */
    long queryLong(String sql, long fallback, Object... args) throws SQLException {
        try (ResultSet rs = query(sql, args)) {
            return rs.next() ? rs.getLong(1) : fallback;
        }
    }

    long lastInsertId() throws SQLException {
        return queryLong("SELECT last_insert_rowid()", -1);
    }

    private static void closeQuietly(PreparedStatement p) {
        try {
            p.close();
        } catch (SQLException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        for (PreparedStatement p : cache.values()) closeQuietly(p);
        cache.clear();
        try {
            jdbc.close();
        } catch (SQLException ignored) {
            // nothing left to release
        }
    }

    /**
     * Maps a driver failure: disk full, I/O errors, busy/locked and the like are temporary
     * ({@link StoreException.Unavailable}) so protocols answer 4xx / NO [UNAVAILABLE], never success.
     */
    static StoreException map(SQLException e) {
        int primary = e.getErrorCode() & 0xff;
        return switch (primary) {
            // BUSY, LOCKED, NOMEM, READONLY, INTERRUPT, IOERR, FULL, CANTOPEN, PROTOCOL
            case 5, 6, 7, 8, 9, 10, 13, 14, 15 -> new StoreException.Unavailable("database unavailable: "
                    + e.getMessage(), e);
            default -> new StoreException("database error: " + e.getMessage(), e);
        };
    }
}
