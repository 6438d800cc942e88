// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One borrowed connection inside one transaction, with terse statement helpers. The driver keeps
 * server-side prepared statements per connection by SQL text, so statements are simply prepared and
 * closed each time. Used by one thread at a time.
 */
final class PostgresSession {
    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    interface RowConsumer {
        void accept(ResultSet rs) throws SQLException;
    }

    final Connection jdbc;

    PostgresSession(Connection jdbc) {
        this.jdbc = jdbc;
    }

    void exec(String sql) throws SQLException {
        try (Statement s = jdbc.createStatement()) {
            s.execute(sql);
        }
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement p = jdbc.prepareStatement(sql);
        try {
            for (int i = 0; i < args.length; i++) p.setObject(i + 1, args[i]);
        } catch (SQLException e) {
            p.close();
            throw e;
        }
        return p;
    }

    int update(String sql, Object... args) throws SQLException {
        try (PreparedStatement p = prepare(sql, args)) {
            return p.executeUpdate();
        }
    }

    /** The first column of the first row, or {@code fallback} when there is no row (or it is NULL). */
    long queryLong(String sql, long fallback, Object... args) throws SQLException {
        try (PreparedStatement p = prepare(sql, args); ResultSet rs = p.executeQuery()) {
            if (!rs.next()) return fallback;
            long v = rs.getLong(1);
            return rs.wasNull() ? fallback : v;
        }
    }

    boolean exists(String sql, Object... args) throws SQLException {
        try (PreparedStatement p = prepare(sql, args); ResultSet rs = p.executeQuery()) {
            return rs.next();
        }
    }

    void each(String sql, RowConsumer consumer, Object... args) throws SQLException {
        try (PreparedStatement p = prepare(sql, args)) {
            // Fetch in batches: a 100,000-message mailbox must not be held twice in memory.
            p.setFetchSize(2_000);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) consumer.accept(rs);
            }
        }
    }

    <T> List<T> list(String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        List<T> out = new ArrayList<>();
        each(sql, rs -> out.add(mapper.map(rs)), args);
        return out;
    }

    <T> Optional<T> one(String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement p = prepare(sql, args); ResultSet rs = p.executeQuery()) {
            return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
        }
    }
}
