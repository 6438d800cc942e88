// SPDX-License-Identifier: Apache-2.0
package org.postern.search.postgres;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.postern.search.SearchIndex;
import org.postern.search.SearchText;
import org.postern.search.SnippetText;
import org.postern.search.TextQuery;
import org.postern.store.MailStore;
import org.postern.store.MessageRecord;
import org.postern.store.postgres.PostgresConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The full-text index held in the store's PostgreSQL database ({@link PostgresSearchSchema}): every node
 * answers every search from the database, with nothing on its own disk, so a new or restarted node
 * answers right at once. Matching is {@code LIKE '%needle%'} on the case-folded text (and an anchored
 * regular expression for one header field), which is {@link SearchText#matches} exactly; trigram indexes
 * make it fast. Each node runs a {@link PostgresSearchIndexer}; they share the work by claims, so each
 * message is indexed once per cluster.
 *
 * <p>A search runs in one REPEATABLE READ snapshot: the mailbox's mark and the matching rows agree, and
 * the rows of a mark are committed with it, so {@link Hits#indexedUid()} is exact.
 */
public final class PostgresSearchIndex implements SearchIndex {
    private static final Logger log = LoggerFactory.getLogger(PostgresSearchIndex.class);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** Connections of the search pool: searches are short; the indexer holds one while it writes. */
    static final int POOL = 4;
    /** Messages larger than this are not read for indexing (far above any SMTP size limit). */
    static final long MAX_MESSAGE = 256L << 20;

    private final HikariDataSource pool;
    private final MailStore store;
    private final Duration timeout;
    private final PostgresSearchIndexer indexer;

    private PostgresSearchIndex(HikariDataSource pool, MailStore store, Duration timeout) {
        this.pool = pool;
        this.store = store;
        this.timeout = timeout;
        this.indexer = new PostgresSearchIndexer(this, store);
    }

    /**
     * Connects to {@code database} (the one {@code store} uses), creates or upgrades the search tables and
     * starts this node's share of the indexing.
     *
     * @throws IOException when the database cannot be reached or does not hold text as UTF-8
     */
    public static PostgresSearchIndex open(PostgresConfig database, MailStore store) throws IOException {
        return open(database, store, DEFAULT_TIMEOUT);
    }

    static PostgresSearchIndex open(PostgresConfig database, MailStore store, Duration timeout) throws IOException {
        HikariDataSource pool;
        try {
            pool = database.openPool("postern-search", "postern-search", Math.min(POOL, database.poolSize()), 1);
        } catch (RuntimeException e) {
            throw new IOException("cannot connect to " + database.jdbcUrl() + ": " + e.getMessage(), e);
        }
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW server_encoding")) {
                rs.next();
                // LIKE over characters needs the characters: SQL_ASCII would compare bytes of any encoding.
                if (!rs.getString(1).equalsIgnoreCase("UTF8")) throw new IOException("database encoding is " + rs.getString(1) + ", not UTF8");
            }
            PostgresSearchSchema.migrate(c);
        } catch (SQLException | IOException | RuntimeException e) {
            pool.close();
            throw e instanceof IOException io ? io : new IOException("search tables: " + e.getMessage(), e);
        }
        PostgresSearchIndex index = new PostgresSearchIndex(pool, store, timeout);
        index.indexer.start();
        return index;
    }

    Connection connection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public Hits find(long accountId, long mailboxId, TextQuery q) throws IOException, TimeoutException {
        boolean confirm = PostgresText.exotic(q.needle()) || q instanceof TextQuery.Header h && PostgresText.exotic(h.field());
        Query sql = Query.of(q, confirm ? PostgresText.clean(q.needle()) : q.needle());
        long deadline = System.nanoTime() + timeout.toNanos();
        long indexed;
        long[] uids;
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                s.execute("SET LOCAL statement_timeout = " + Math.max(1, timeout.toMillis()));
                indexed = mark(c, accountId, mailboxId);
                uids = select(c, accountId, mailboxId, sql);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            // 57014 query_canceled: the statement timeout (a pathological needle), as the Lucene index says it.
            if ("57014".equals(e.getSQLState())) throw new TimeoutException("search longer than " + timeout.toMillis() + " ms");
            throw new IOException("search failed: " + e.getMessage(), e);
        }
        if (confirm) uids = confirm(accountId, mailboxId, q, uids, deadline);
        return new Hits(indexed, uids);
    }

    /** One search statement: a condition with its parameters (after account, mailbox). */
    private record Query(String where, String[] params) {
        static Query of(TextQuery q, String needle) {
            return switch (q) {
                case TextQuery.Body b -> new Query("body LIKE ? ESCAPE '\\'", new String[] {PostgresText.like(needle)});
                case TextQuery.Text t -> new Query("(head LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\')",
                        new String[] {PostgresText.like(needle), PostgresText.like(needle)});
                case TextQuery.Header h -> new Query("fields ~ ?", new String[] {PostgresText.fieldPattern(PostgresText.clean(h.field()), needle)});
            };
        }
    }

    private static long mark(Connection c, long accountId, long mailboxId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT uid FROM search_mark WHERE account_id = ? AND mailbox_id = ?")) {
            ps.setLong(1, accountId);
            ps.setLong(2, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static long[] select(Connection c, long accountId, long mailboxId, Query q) throws SQLException {
        // Every query names the account first: the scope no caller can widen (and the distribution key).
        try (PreparedStatement ps = c.prepareStatement("SELECT uid FROM search_text WHERE account_id = ? AND mailbox_id = ? AND "
                + q.where() + " ORDER BY uid")) {
            ps.setLong(1, accountId);
            ps.setLong(2, mailboxId);
            for (int i = 0; i < q.params().length; i++) ps.setString(3 + i, q.params()[i]);
            ps.setFetchSize(10_000);
            long[] out = new long[16];
            int n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (n == out.length) out = Arrays.copyOf(out, n * 2);
                    out[n++] = rs.getLong(1);
                }
            }
            return Arrays.copyOf(out, n);
        }
    }

    /**
     * The candidates that really match: a needle with characters the columns cannot hold matched the
     * cleaned text, a superset; the message itself decides, as the brute-force scan would.
     */
    private long[] confirm(long accountId, long mailboxId, TextQuery q, long[] candidates, long deadline)
            throws IOException, TimeoutException {
        long[] out = new long[candidates.length];
        int n = 0;
        for (long uid : candidates) {
            if (System.nanoTime() > deadline) throw new TimeoutException("search longer than " + timeout.toMillis() + " ms");
            Optional<MessageRecord> r = store.mailboxes().message(accountId, mailboxId, uid);
            if (r.isPresent() && read(r.get()).matches(q)) out[n++] = uid;
        }
        return Arrays.copyOf(out, n);
    }

    /** The message's normalised text, {@link SearchText#UNREADABLE} when it is gone or cannot be read. */
    SearchText read(MessageRecord r) {
        if (r.size() > MAX_MESSAGE) return SearchText.UNREADABLE;
        try (InputStream in = store.blobs().open(r.blobId())) {
            return SearchText.of(in.readNBytes((int) MAX_MESSAGE));
        } catch (IOException | RuntimeException e) {
            log.debug("search could not read blob {}: {}", r.blobId(), e.toString());
            return SearchText.UNREADABLE;
        }
    }

    @Override
    public Optional<SearchText> text(long accountId, long mailboxId, long uid) throws IOException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT head, body, fields, replaced FROM search_text"
                        + " WHERE account_id = ? AND mailbox_id = ? AND uid = ?")) {
            ps.setLong(1, accountId);
            ps.setLong(2, mailboxId);
            ps.setLong(3, uid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new PostgresText.Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)).text());
            }
        } catch (SQLException e) {
            throw new IOException("search text failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<SnippetText> snippetText(long accountId, long mailboxId, long uid) throws IOException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT subject, preview FROM search_text"
                        + " WHERE account_id = ? AND mailbox_id = ? AND uid = ?")) {
            ps.setLong(1, accountId);
            ps.setLong(2, mailboxId);
            ps.setLong(3, uid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new SnippetText(rs.getString(1), rs.getString(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IOException("snippet text failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean awaitIndexed(long accountId, long mailboxId, long uid, Duration wait) throws InterruptedException {
        long end = System.nanoTime() + wait.toNanos();
        while (indexedUid(accountId, mailboxId) < uid) {
            if (System.nanoTime() > end) return false;
            Thread.sleep(10);
        }
        return true;
    }

    @Override
    public boolean awaitIdle(Duration wait) throws InterruptedException {
        return indexer.awaitIdle(wait);
    }

    @Override
    public long indexedUid(long accountId, long mailboxId) {
        try (Connection c = pool.getConnection()) {
            return mark(c, accountId, mailboxId);
        } catch (SQLException e) {
            log.debug("reading the search mark failed: {}", e.toString());
            return 0;
        }
    }

    /** Stops this node's indexer (the message at hand is finished or rolled back) and closes the pool. */
    @Override
    public void close() {
        indexer.close();
        pool.close();
    }
}
