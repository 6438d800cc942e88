// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.ThreadLocalRandom;
import org.postern.store.StoreException;

/**
 * The connection pool and transactions. Writes run in READ COMMITTED transactions that lock what they
 * change (accounts first, see {@link PostgresTx}); a transaction PostgreSQL aborts as a deadlock or
 * serialization victim is run again from the start, a few times, before the caller sees
 * {@link StoreException.Unavailable}. A write returns after COMMIT, which with the server's default
 * {@code synchronous_commit = on} means the WAL is flushed: durable, as "250 OK" requires (RFC 5321
 * §6.1). Reads run in REPEATABLE READ, READ ONLY transactions, so a multi-statement read sees one snapshot.
 */
final class PostgresDatabase implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PostgresDatabase.class.getName());
    private static final int MAX_ATTEMPTS = 6;

    @FunctionalInterface
    interface TxBody<T> {
        T run(PostgresTx tx) throws SQLException;
    }

    @FunctionalInterface
    interface ReadBody<T> {
        T run(PostgresSession s) throws SQLException;
    }

    private final PostgresConfig config;
    private final HikariDataSource pool;
    private final int schemaVersion;

    PostgresDatabase(PostgresConfig config) {
        this.config = config;
        HikariDataSource ds;
        try {
            ds = config.openPool("postern-store", "postern", config.poolSize(), Math.min(2, config.poolSize()));
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new StoreException.Unavailable("cannot connect to " + config.jdbcUrl() + ": " + cause.getMessage(), e);
        }
        try (Connection c = ds.getConnection()) {
            schemaVersion = PostgresSchema.migrate(new PostgresSession(c));
        } catch (SQLException e) {
            ds.close();
            throw map(e);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        pool = ds;
    }

    PostgresConfig config() {
        return config;
    }

    int schemaVersion() {
        return schemaVersion;
    }

    /** A connection outside the pool, for the LISTEN session that lives as long as the store. */
    Connection dedicatedConnection() throws SQLException {
        return dedicatedConnection("postern-listen");
    }

    /** As {@link #dedicatedConnection()}, named {@code applicationName} in {@code pg_stat_activity}. */
    Connection dedicatedConnection(String applicationName) throws SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", config.user());
        if (config.password() != null) p.setProperty("password", config.password());
        p.setProperty("ApplicationName", applicationName);
        p.setProperty("tcpKeepAlive", "true");
        return new org.postgresql.Driver().connect(config.jdbcUrl(), p);
    }

    /** Runs {@code body} in a write transaction; durable on return. */
    <T> T write(TxBody<T> body) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    PostgresTx tx = new PostgresTx(new PostgresSession(c));
                    T result = body.run(tx);
                    tx.finish();
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException | Error e) {
                    rollback(c);
                    throw e;
                }
            } catch (SQLException e) {
                if (retryable(e) && attempt < MAX_ATTEMPTS) {
                    backoff(attempt);
                    continue;
                }
                throw map(e);
            }
        }
    }

    /**
     * Runs {@code body} in a read-only REPEATABLE READ transaction: all its statements see one snapshot.
     * For reads of more than one statement that must agree (a mailbox and its messages).
     */
    <T> T snapshot(ReadBody<T> body) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                PostgresSession s = new PostgresSession(c);
                s.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                return body.run(s);
            } finally {
                rollback(c);
            }
        } catch (SQLException e) {
            throw map(e);
        }
    }

    /** Runs a read of one statement (or of statements that need not agree): one round trip each. */
    <T> T read(ReadBody<T> body) {
        return autocommit(body);
    }

    /** Runs {@code body} in its own short autocommit statement(s), outside any caller's transaction. */
    <T> T autocommit(ReadBody<T> body) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(true);
            return body.run(new PostgresSession(c));
        } catch (SQLException e) {
            throw map(e);
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }

    private static boolean retryable(SQLException e) {
        String state = e.getSQLState();
        // 40001 serialization_failure, 40P01 deadlock_detected: nothing was committed; run it again.
        return "40001".equals(state) || "40P01".equals(state);
    }

    private static void backoff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 10L * attempt));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new StoreException.Unavailable("interrupted", ie);
        }
    }

    /**
     * Maps a driver failure: an unreachable or overloaded server, an operator shutdown or a pool
     * timeout is temporary ({@link StoreException.Unavailable}), so protocols answer 4xx / NO
     * [UNAVAILABLE] and never claim success.
     */
    static StoreException map(SQLException e) {
        String state = e.getSQLState();
        if (e instanceof SQLTransientConnectionException || state == null || state.startsWith("08")
                || state.startsWith("53") || state.startsWith("57") || state.startsWith("40") || state.equals("55P03")) {
            return new StoreException.Unavailable("database unavailable: " + e.getMessage(), e);
        }
        if (state.equals("23505")) return new StoreException.Conflict("already exists: " + e.getMessage());
        LOG.log(System.Logger.Level.DEBUG, "database error", e);
        return new StoreException("database error: " + e.getMessage(), e);
    }

    @Override
    public void close() {
        pool.close();
    }
}
