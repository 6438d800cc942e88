// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.postern.server.StoreBackend;
import org.postern.server.config.StoreConfig;
import org.postern.store.MailStore;
import org.postern.store.postgres.PostgresConfig;
import org.postern.store.sqlite.SqliteMailStore;
import org.sqlite.SQLiteConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code postern migrate --to postgres://user@host:port/db}: moves an embedded data folder's store into
 * an empty PostgreSQL database, then proves the copy: row counts of every table, UIDVALIDITY, UIDNEXT,
 * HIGHESTMODSEQ and the UID list (with MODSEQ, flags, dates, sizes and body hash) of every mailbox, and
 * the SHA-256 of every body read back from the new store. Any difference fails the command. The data
 * folder is left as it was, so a failed migration costs nothing but the new database. Its write lock
 * is held from before the first row is read until the copy is verified: no server can start on it and
 * take mail the copy would miss, and the counts compared are the counts copied.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Copy this embedded data folder into an empty PostgreSQL database and verify the copy."
                + " Stop the server first.")
public final class MigrateCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Option(names = "--to", required = true, paramLabel = "URL", description = "postgres://user@host:port/db (an empty database)")
    String to;

    @Option(names = "--password-file", paramLabel = "FILE", description = "the database password on its first line")
    Path passwordFile;

    public MigrateCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        Path dir = ctx.dataDir();
        if (!Files.isRegularFile(dir.resolve(SqliteMailStore.DATABASE_FILE))) {
            throw CliFailure.failed("no embedded store in " + dir + " (pass --data or set " + CliContext.DATA_ENV + ")");
        }
        StoreConfig source = ctx.config().store();
        if (!source.embedded()) throw CliFailure.failed("the store of " + dir + " is already " + source.url());
        String pwFile = passwordFile == null ? "" : passwordFile.toAbsolutePath().normalize().toString();
        StoreConfig target;
        PostgresConfig pg;
        try {
            target = StoreConfig.postgres(to, pwFile).withBlobs(source.blobs());
            pg = PostgresConfig.parse(to, passwordFile == null ? null : Path.of(pwFile));
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage("--to: " + e.getMessage());
        }
        requireStopped(dir);

        var out = ctx.out();
        out.println("migrating " + dir + " to " + pg.jdbcUrl() + (source.blobs().s3() ? " (bodies in " + source.blobs() + ")" : ""));
        // Closed in reverse order: the write lock is let go only after the copy is verified.
        try (MailStore from = StoreBackend.open(source, dir);
                Connection src = readOnly(dir.resolve(SqliteMailStore.DATABASE_FILE));
                Connection lock = holdWriteLock(dir);
                MailStore into = StoreBackend.open(target, dir);
                Connection dst = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            MigrateCopy copy = new MigrateCopy(src, dst, out);
            Map<String, List<String>> plan = copy.plan();
            copy.requireEmptyTarget(plan);
            out.println("copying bodies");
            copy.copyBlobs(from, into);
            out.println("copying " + plan.size() + " tables");
            copy.copyRows(plan);
            out.println("verifying");
            List<String> problems = verify(copy, src, dst, into);
            if (!problems.isEmpty()) {
                for (String p : problems) out.println("  MISMATCH " + p);
                throw CliFailure.failed("the copy in " + pg.jdbcUrl() + " differs from " + dir + " (" + problems.size()
                        + " difference(s) above); keep using the data folder and drop that database");
            }
        }
        out.println("done. To use it, set in " + ctx.folder().config() + ":");
        out.println("  store = " + to.trim());
        if (!pwFile.isEmpty()) out.println("  store_password_file = " + pwFile);
        out.println("then start the server. Keep " + dir + " as a backup until you are satisfied.");
        return 0;
    }

    private static Connection readOnly(Path db) throws SQLException {
        SQLiteConfig c = new SQLiteConfig();
        c.setReadOnly(true);
        return c.createConnection("jdbc:sqlite:" + db);
    }

    /**
     * Takes the embedded database's write lock (SQLite's, the one every server and command writes under)
     * and keeps it until the returned connection closes. A server started during the copy then fails
     * at its first write, the schema check of its start, instead of taking mail the copy would miss;
     * one started between {@link #requireStopped} and here makes this wait, then fail. Opened after the
     * source store, whose own start writes too.
     */
    static Connection holdWriteLock(Path dir) throws SQLException {
        SQLiteConfig c = new SQLiteConfig();
        c.setBusyTimeout(5_000);
        Connection lock = c.createConnection("jdbc:sqlite:" + dir.resolve(SqliteMailStore.DATABASE_FILE));
        try (var s = lock.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
        } catch (SQLException e) {
            lock.close();
            throw CliFailure.failed("a Postern server (or another command) is writing to " + dir + "; stop it first ("
                    + e.getMessage() + ")");
        }
        return lock;
    }

    /**
     * A running server keeps {@code store.db-shm} open with a shared lock on its "dead man switch" byte
     * (SQLite's unix VFS, offset 128): an exclusive lock on it succeeds only when no other process has the
     * database open. (A server in this same process is not seen: POSIX locks are per process.)
     */
    static void requireStopped(Path dir) throws IOException {
        Path shm = dir.resolve(SqliteMailStore.DATABASE_FILE + "-shm");
        try (FileChannel ch = FileChannel.open(shm, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock(128, 1, false);
            if (lock == null) {
                throw CliFailure.failed("a Postern server (or another command) is using " + dir + "; stop it first");
            }
            lock.release();
        } catch (NoSuchFileException e) {
            // no process has the database open
        }
    }

    private static List<String> verify(MigrateCopy copy, Connection src, Connection dst, MailStore into)
            throws SQLException, IOException {
        List<String> problems = new ArrayList<>();
        for (String table : copy.copied.keySet()) {
            long a = MigrateCopy.count(src, table);
            long b = MigrateCopy.count(dst, table);
            long expected = a - copy.leftOut.getOrDefault(table, 0L);
            if (expected != b) problems.add(table + ": " + a + " rows -> " + b + " (expected " + expected + ")");
        }
        // Bodies: what the new store returns must hash like what the old one held.
        Map<String, String> targetHash = new HashMap<>();
        for (var e : copy.blobIds.entrySet()) {
            MessageDigest sha = MigrateCopy.sha256();
            try (InputStream in = new DigestInputStream(into.blobs().open(e.getValue()), sha)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            String h = HexFormat.of().formatHex(sha.digest());
            targetHash.put(e.getValue(), h);
            if (!h.equals(copy.blobHashes.get(e.getKey()))) problems.add("body " + e.getKey() + " -> " + e.getValue());
        }
        // Mailboxes: counters of the IMAP view and the whole UID list with flags and content.
        Map<String, String> before = mailboxDigests(src, copy.blobHashes::get);
        Map<String, String> after = mailboxDigests(dst, targetHash::get);
        for (var e : before.entrySet()) {
            if (!e.getValue().equals(after.get(e.getKey()))) problems.add("mailbox " + e.getKey());
        }
        if (after.size() != before.size()) problems.add("mailboxes: " + before.size() + " -> " + after.size());
        long messages = MigrateCopy.count(dst, "messages");
        copyReport(copy, src, dst, before.size(), messages, problems);
        return problems;
    }

    private static void copyReport(MigrateCopy copy, Connection src, Connection dst, int mailboxes, long messages,
            List<String> problems) throws SQLException {
        // Printed by the caller's stream: the counts an operator checks by eye.
        StringBuilder b = new StringBuilder();
        for (String table : copy.copied.keySet()) {
            b.append("  ").append(table).append(": ").append(MigrateCopy.count(src, table)).append(" -> ")
                    .append(MigrateCopy.count(dst, table)).append('\n');
        }
        b.append("  bodies: ").append(copy.blobIds.size()).append(" copied, SHA-256 ")
                .append(problems.stream().anyMatch(p -> p.startsWith("body ")) ? "DIFFERS" : "equal").append('\n');
        b.append("  mailboxes: ").append(mailboxes).append(" with ").append(messages)
                .append(" messages, UIDVALIDITY/UIDNEXT/HIGHESTMODSEQ and UID lists ")
                .append(problems.stream().anyMatch(p -> p.startsWith("mailbox")) ? "DIFFER" : "equal");
        copy.report(b.toString());
    }

    /** account/mailbox id -> SHA-256 over the mailbox's counters and each message's UID, MODSEQ, flags, dates, size, body. */
    private static Map<String, String> mailboxDigests(Connection c, Function<String, String> bodyHash) throws SQLException {
        Map<String, MessageDigest> digests = new java.util.TreeMap<>();
        try (PreparedStatement p = c.prepareStatement(
                "SELECT account_id, id, name, uidvalidity, uidnext, highestmodseq FROM mailboxes ORDER BY account_id, id");
                ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                MessageDigest d = MigrateCopy.sha256();
                d.update((rs.getString(3) + " " + rs.getLong(4) + " " + rs.getLong(5) + " " + rs.getLong(6) + "\n").getBytes(
                        java.nio.charset.StandardCharsets.UTF_8));
                digests.put(rs.getLong(1) + "/" + rs.getLong(2), d);
            }
        }
        try (PreparedStatement p = c.prepareStatement("SELECT account_id, mailbox_id, uid, modseq, flags, internal_date,"
                + " saved_date, size, blob_id FROM messages ORDER BY account_id, mailbox_id, uid");
                ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                MessageDigest d = digests.get(rs.getLong(1) + "/" + rs.getLong(2));
                if (d == null) continue;
                d.update((rs.getLong(3) + " " + rs.getLong(4) + " " + rs.getString(5) + " " + rs.getLong(6) + " "
                        + rs.getLong(7) + " " + rs.getLong(8) + " " + bodyHash.apply(rs.getString(9)) + "\n").getBytes(
                        java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        Map<String, String> out = new HashMap<>();
        digests.forEach((k, d) -> out.put(k, HexFormat.of().formatHex(d.digest())));
        return out;
    }
}
