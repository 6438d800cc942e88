// SPDX-License-Identifier: Apache-2.0
package org.postern.search.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.search.CorpusGenerator;
import org.postern.search.SearchIndex;
import org.postern.search.SearchIndexContract;
import org.postern.search.TextQuery;
import org.postern.store.MailStore;
import org.postern.store.postgres.PostgresConfig;
import org.postern.store.postgres.PostgresMailStore;

/** The index in PostgreSQL against the shared contract: each test on a database of its own. */
class PostgresSearchIndexTest extends SearchIndexContract {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    static EmbeddedPostgres postgres;
    private final Map<MailStore, PostgresConfig> configs = new IdentityHashMap<>();

    @BeforeAll
    static void start() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (postgres != null) postgres.close();
    }

    /** A new database on the shared server, as a fresh PostgreSQL would be. */
    static PostgresConfig newDatabase() throws Exception {
        String name = "search" + DATABASES.incrementAndGet();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " ENCODING 'UTF8' TEMPLATE template0");
        }
        return new PostgresConfig(postgres.getJdbcUrl("postgres", name), "postgres", null).withPoolSize(4);
    }

    @Override
    protected MailStore newStore() throws Exception {
        PostgresConfig config = newDatabase();
        MailStore store = PostgresMailStore.open(config);
        configs.put(store, config);
        return store;
    }

    @Override
    protected SearchIndex openIndex(MailStore store) throws Exception {
        return PostgresSearchIndex.open(configs.get(store), store);
    }

    /**
     * Two nodes (each its own store instance and index) on one database: both hear of every message,
     * each message is written once, and both answer alike; a third opened afterwards answers at once.
     */
    @Test
    void nodesShareTheIndexingAndAnswerAlike() throws Exception {
        PostgresConfig config = configs.get(store);
        List<byte[]> corpus = new CorpusGenerator(9).messages(200);
        long last = 0;
        try (PostgresMailStore storeB = PostgresMailStore.open(config);
                SearchIndex a = PostgresSearchIndex.open(config, store);
                SearchIndex b = PostgresSearchIndex.open(config, storeB)) {
            for (int i = 0; i < corpus.size(); i++) last = append(account, inbox, corpus.get(i));
            assertThat(a.awaitIndexed(account, inbox, last, WAIT)).isTrue();
            assertThat(b.awaitIndexed(account, inbox, last, WAIT)).isTrue();
            assertThat(a.awaitIdle(WAIT)).isTrue();
            assertThat(b.awaitIdle(WAIT)).isTrue();
            for (String w : List.of("the", "report", "grüße", "привет", "e")) {
                assertThat(a.find(account, inbox, new TextQuery.Body(w)).uids()).as(w)
                        .isEqualTo(b.find(account, inbox, new TextQuery.Body(w)).uids());
            }
        }
        try (Connection c = java.sql.DriverManager.getConnection(config.jdbcUrl(), config.user(), "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT uid) FROM search_text")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(corpus.size()).isEqualTo(rs.getLong(2));
        }
        try (SearchIndex c = PostgresSearchIndex.open(config, store)) {
            SearchIndex.Hits h = c.find(account, inbox, new TextQuery.Text("the"));
            assertThat(h.indexedUid()).isEqualTo(last);
            assertThat(h.uids()).isNotEmpty();
        }
    }
}
