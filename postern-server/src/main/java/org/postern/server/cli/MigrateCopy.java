// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.postern.store.BlobStore;
import org.postern.store.MailStore;

/**
 * Copies the rows of an embedded store's database into an empty PostgreSQL store, table by table and
 * column by column (the two schemas share their table and column names), keeping every id, UID,
 * UIDVALIDITY and MODSEQ; bodies are copied through the stores' blob APIs under new ids. The counters
 * the schemas' triggers keep (messages, unseen, used bytes, references) are recomputed from the copied
 * rows, and identity sequences set past the highest id ever handed out, so no id is reused.
 */
final class MigrateCopy {
    /** Parents before children (foreign keys); tables not named here follow in name order. */
    static final List<String> ORDER = List.of("domains", "accounts", "account_settings", "aliases", "mailboxes",
            "messages", "expunged", "queue", "metadata", "sort_keys", "acl", "user_seen", "dkim_keys", "identities",
            "submissions", "vacation", "vacation_replied", "thread_ids", "thread_refs", "object_changes");
    /**
     * Bookkeeping of the embedded engine that the target keeps its own way; message_sort_keys is SQLite's
     * per-message copy of sort_keys kept by its triggers (PostgreSQL joins sort_keys instead); blob_data
     * holds the small bodies, which are copied with the others through the blob store API.
     */
    static final Set<String> SKIP = Set.of("changelog", "blob_refs", "blob_data", "sqlite_sequence", "sqlite_stat1",
            "message_sort_keys");
    /** Caches the server rebuilds when missing: a target without the table may leave them behind. */
    static final Set<String> DERIVED = Set.of("sort_keys");
    /** Tables whose rows about a body no message or queue entry uses any more are left out, not copied. */
    static final Set<String> PRUNED_WITH_BODY = Set.of("sort_keys", "thread_ids");
    private static final int BATCH = 1_000;

    private final Connection source;
    private final Connection target;
    private final PrintStream out;
    /** source blob id -> target blob id, and source blob id -> SHA-256 of its bytes */
    final Map<String, String> blobIds = new HashMap<>();
    final Map<String, String> blobHashes = new HashMap<>();
    /** table -> rows deliberately not copied (about unused bodies), so verification can still be exact */
    final Map<String, Long> leftOut = new HashMap<>();
    final Map<String, List<String>> copied = new LinkedHashMap<>();

    MigrateCopy(Connection source, Connection target, PrintStream out) {
        this.source = source;
        this.target = target;
        this.out = out;
    }

    /** The tables to copy in order, with the columns both sides have. Fails on data the target cannot hold. */
    Map<String, List<String>> plan() throws SQLException {
        Set<String> tables = new LinkedHashSet<>();
        for (String t : ORDER) if (sourceTables().contains(t)) tables.add(t);
        for (String t : new java.util.TreeSet<>(sourceTables())) if (!SKIP.contains(t)) tables.add(t);
        Map<String, List<String>> plan = new LinkedHashMap<>();
        for (String t : tables) {
            Map<String, String> targetColumns = targetColumns(t);
            long rows = count(source, t);
            if (targetColumns.isEmpty()) {
                if (rows > 0 && !DERIVED.contains(t)) {
                    throw CliFailure.failed("the PostgreSQL store has no table " + t + " for its " + rows
                            + " row(s): upgrade Postern on this machine or wait for a release that can migrate them");
                }
                if (rows > 0) out.println("  " + t + ": " + rows + " row(s) not copied (rebuilt when needed)");
                continue;
            }
            List<String> columns = new ArrayList<>();
            for (String c : sourceColumns(t)) {
                if (targetColumns.containsKey(c)) {
                    columns.add(c);
                } else if (rows > 0) {
                    out.println("  " + t + "." + c + ": no such column in PostgreSQL, not copied");
                }
            }
            plan.put(t, columns);
        }
        return plan;
    }

    /** Refuses a target that holds anything: a migration never merges two mail systems. */
    void requireEmptyTarget(Map<String, List<String>> plan) throws SQLException {
        for (String t : plan.keySet()) {
            long n = count(target, t);
            if (n > 0) throw CliFailure.failed("the PostgreSQL database is not empty (" + t + " has " + n + " row(s));"
                    + " migrate only into a new database");
        }
        // Bodies nothing references are what an interrupted earlier attempt left: no account exists,
        // so no delivery can be about to use them.
        try (Statement s = target.createStatement()) {
            s.executeUpdate("DELETE FROM blobs WHERE refs <= 0");
        }
        if (count(target, "blobs") > 0) throw CliFailure.failed("the PostgreSQL database is not empty (blobs)");
    }

    /** Copies every body referenced by a message or queue entry, hashing the bytes on the way. */
    void copyBlobs(MailStore from, MailStore to) throws SQLException, IOException {
        Set<String> ids = new LinkedHashSet<>();
        try (Statement s = source.createStatement();
                ResultSet rs = s.executeQuery("SELECT blob_id FROM messages UNION SELECT blob_id FROM queue")) {
            while (rs.next()) ids.add(rs.getString(1));
        }
        int done = 0;
        for (String id : ids) {
            MessageDigest sha = sha256();
            try (InputStream in = new DigestInputStream(from.blobs().open(id), sha);
                    BlobStore.BlobWriter w = to.blobs().create()) {
                OutputStream o = w.stream();
                in.transferTo(o);
                o.flush();
                blobIds.put(id, w.commit());
            }
            blobHashes.put(id, HexFormat.of().formatHex(sha.digest()));
            if (++done % 1000 == 0) out.println("  bodies: " + done + " of " + ids.size());
        }
    }

    /** Inserts every row in one transaction, then recomputes counters and sequences. */
    void copyRows(Map<String, List<String>> plan) throws SQLException {
        target.setAutoCommit(false);
        try {
            for (var e : plan.entrySet()) copyTable(e.getKey(), e.getValue());
            recomputeCounters();
            advanceSequences(plan.keySet());
            target.commit();
        } catch (SQLException | RuntimeException e) {
            target.rollback();
            throw e;
        } finally {
            target.setAutoCommit(true);
        }
    }

    private void copyTable(String table, List<String> columns) throws SQLException {
        Map<String, String> types = targetColumns(table);
        String cols = String.join(", ", columns);
        String marks = String.join(", ", java.util.Collections.nCopies(columns.size(), "?"));
        long n = 0;
        try (Statement s = source.createStatement();
                ResultSet rs = s.executeQuery("SELECT " + cols + " FROM " + table);
                PreparedStatement p = target.prepareStatement("INSERT INTO " + table + " (" + cols + ") VALUES (" + marks + ")")) {
            int blobColumn = columns.indexOf("blob_id");
            long skipped = 0;
            rows:
            while (rs.next()) {
                for (int i = 0; i < columns.size(); i++) {
                    Object v = rs.getObject(i + 1);
                    if (i == blobColumn && v != null) {
                        String mapped = blobIds.get(v.toString());
                        if (mapped == null) {
                            // sort keys or thread ids of a body no message uses any more: nothing to keep
                            if (PRUNED_WITH_BODY.contains(table)) {
                                p.clearParameters();
                                skipped++;
                                continue rows;
                            }
                            throw CliFailure.failed(table + " names body " + v + ", which no message or queue entry uses");
                        }
                        v = mapped;
                    }
                    p.setObject(i + 1, convert(v, types.get(columns.get(i))));
                }
                p.addBatch();
                if (++n % BATCH == 0) p.executeBatch();
            }
            p.executeBatch();
            if (skipped > 0) out.println("  " + table + ": " + skipped + " row(s) of unused bodies left out");
            leftOut.put(table, skipped);
        }
        copied.put(table, columns);
        out.println("  " + table + ": " + n + " row(s)");
    }

    private static Object convert(Object v, String type) {
        if (v == null) return null;
        return switch (type) {
            case "boolean" -> v instanceof Number n ? n.longValue() != 0 : Boolean.parseBoolean(v.toString());
            case "bigint" -> v instanceof Number n ? n.longValue() : Long.parseLong(v.toString());
            case "integer", "smallint" -> v instanceof Number n ? n.intValue() : Integer.parseInt(v.toString());
            case "bytea" -> v instanceof byte[] b ? b : v.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            case "text", "character varying" -> v instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : v.toString();
            default -> v;
        };
    }

    private void recomputeCounters() throws SQLException {
        try (Statement s = target.createStatement()) {
            s.executeUpdate("""
                    UPDATE mailboxes m SET
                      messages = (SELECT count(*) FROM messages x WHERE x.account_id = m.account_id AND x.mailbox_id = m.id),
                      unseen = (SELECT count(*) FROM messages x WHERE x.account_id = m.account_id AND x.mailbox_id = m.id AND NOT x.seen)""");
            s.executeUpdate("UPDATE accounts a SET used_bytes = COALESCE((SELECT sum(size) FROM messages x WHERE x.account_id = a.id), 0)");
            s.executeUpdate("""
                    UPDATE blobs b SET refs = (SELECT count(*) FROM messages x WHERE x.blob_id = b.blob_id)
                      + (SELECT count(*) FROM queue q WHERE q.blob_id = b.blob_id)""");
        }
    }

    /** Identity columns continue after the highest id the embedded store ever gave (its AUTOINCREMENT record). */
    private void advanceSequences(Set<String> tables) throws SQLException {
        Map<String, Long> highest = new HashMap<>();
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery("SELECT name, seq FROM sqlite_sequence")) {
            while (rs.next()) highest.put(rs.getString(1), rs.getLong(2));
        } catch (SQLException e) {
            // no AUTOINCREMENT table was ever written
        }
        List<String[]> identities = new ArrayList<>();
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT table_name, column_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')""")) {
            while (rs.next()) identities.add(new String[] {rs.getString(1), rs.getString(2)});
        }
        for (String[] tc : identities) {
            if (!tables.contains(tc[0])) continue;
            long max;
            try (Statement s = target.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COALESCE(max(" + tc[1] + "), 0) FROM " + tc[0])) {
                rs.next();
                max = Math.max(rs.getLong(1), highest.getOrDefault(tc[0], 0L));
            }
            try (PreparedStatement p = target.prepareStatement("SELECT setval(pg_get_serial_sequence(?, ?), ?, false)")) {
                p.setString(1, tc[0]);
                p.setString(2, tc[1]);
                p.setLong(3, max + 1);
                p.executeQuery().close();
            }
        }
    }

    Set<String> sourceTables() throws SQLException {
        Set<String> out = new LinkedHashSet<>();
        try (Statement s = source.createStatement();
                ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    private List<String> sourceColumns(String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) out.add(rs.getString("name"));
        }
        return out;
    }

    /** column -> data type, empty when the table does not exist. */
    Map<String, String> targetColumns(String table) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (PreparedStatement p = target.prepareStatement("SELECT column_name, data_type FROM information_schema.columns"
                + " WHERE table_schema = current_schema() AND table_name = ?")) {
            p.setString(1, table);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    void report(String text) {
        out.println(text);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
