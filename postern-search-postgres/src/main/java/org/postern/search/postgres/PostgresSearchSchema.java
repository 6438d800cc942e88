// SPDX-License-Identifier: Apache-2.0
package org.postern.search.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The search tables, beside the store's in the same database, keyed by account first like every table
 * of the store (so they distribute by account with it):
 * <ul>
 *   <li>{@code search_mark}: per mailbox, the MODSEQ and highest UID indexed. Also the claim: the node
 *       indexing a mailbox holds its row locked ({@code FOR UPDATE SKIP LOCKED}), so each message is
 *       indexed once per cluster, whichever nodes heard of it.</li>
 *   <li>{@code search_text}: per readable message, the cleaned {@link PostgresText.Row} (case-folded
 *       head, body, fields) and, for SearchSnippet, the case-preserved subject and body text.</li>
 * </ul>
 * Trigram GIN indexes (pg_trgm) over head, body and fields serve {@code LIKE '%needle%'} and the field
 * regular expressions; with btree_gin the account and mailbox are keys of the same index, so a search
 * reads only its mailbox's posting lists. Both extensions ship with PostgreSQL (contrib) and are trusted
 * (a database owner may create them). Without them the tables still work, by sequential reads.
 * The layout is derived data: a version change drops and rebuilds it from the store.
 */
final class PostgresSearchSchema {
    private static final Logger log = LoggerFactory.getLogger(PostgresSearchSchema.class);
    /** Raise when the layout or normalisation changes: older rows are dropped and rebuilt. */
    static final int VERSION = 1;
    /** Serialises schema changes of nodes starting at once (arbitrary constant, "pstrnsrc"). */
    private static final long LOCK = 0x7073_7472_6e73_7263L;

    private PostgresSearchSchema() {}

    static void migrate(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
            s.execute("CREATE TABLE IF NOT EXISTS search_schema (one boolean PRIMARY KEY DEFAULT true CHECK (one), version int NOT NULL)");
            int found = 0;
            try (ResultSet rs = s.executeQuery("SELECT version FROM search_schema")) {
                if (rs.next()) found = rs.getInt(1);
            }
            if (found == VERSION) {
                c.commit();
                return;
            }
            if (found > VERSION) {
                // Another node runs a newer release; its rows are not ours to drop. Searches stay right
                // (callers scan what the index does not hold) but this node must not write.
                throw new SQLException("search tables have version " + found + ", newer than " + VERSION);
            }
            s.execute("DROP TABLE IF EXISTS search_text");
            s.execute("DROP TABLE IF EXISTS search_mark");
            boolean trgm = extension(s, "pg_trgm");
            boolean btree = trgm && extension(s, "btree_gin");
            s.execute("""
                    CREATE TABLE search_mark (
                      account_id bigint NOT NULL,
                      mailbox_id bigint NOT NULL,
                      modseq bigint NOT NULL DEFAULT 0,
                      uid bigint NOT NULL DEFAULT 0,
                      PRIMARY KEY (account_id, mailbox_id))""");
            // COLLATE "C": LIKE and ~ compare characters; no locale can make them match differently.
            s.execute("""
                    CREATE TABLE search_text (
                      account_id bigint NOT NULL,
                      mailbox_id bigint NOT NULL,
                      uid bigint NOT NULL,
                      replaced boolean NOT NULL,
                      head text COLLATE "C" NOT NULL,
                      body text COLLATE "C" NOT NULL,
                      fields text COLLATE "C" NOT NULL,
                      subject text NOT NULL,
                      preview text NOT NULL,
                      PRIMARY KEY (account_id, mailbox_id, uid))""");
            if (trgm) {
                createIndexes(s, btree);
            } else {
                log.warn("pg_trgm is not available: full-text search reads every message's text of a mailbox");
            }
            s.execute("INSERT INTO search_schema (version) VALUES (" + VERSION + ") ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version");
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** The trigram indexes of {@code search_text} (also for bulk loads, which build them after the rows). */
    static void createIndexes(Statement s, boolean btree) throws SQLException {
        String scope = btree ? "account_id, mailbox_id, " : "";
        for (String col : new String[] {"head", "body", "fields"}) {
            s.execute("CREATE INDEX search_text_" + col + " ON search_text USING gin (" + scope + col + " gin_trgm_ops)");
        }
    }

    /** Creates the extension if it can (a savepoint keeps the transaction usable when it cannot). */
    private static boolean extension(Statement s, String name) throws SQLException {
        s.execute("SAVEPOINT ext");
        try {
            s.execute("CREATE EXTENSION IF NOT EXISTS " + name);
            s.execute("RELEASE SAVEPOINT ext");
            return true;
        } catch (SQLException e) {
            s.execute("ROLLBACK TO SAVEPOINT ext");
            log.warn("cannot create extension {} ({}); search works without it, slower", name, e.getMessage());
            return false;
        }
    }
}
