// SPDX-License-Identifier: Apache-2.0
package org.postern.it.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.search.SearchIndex;
import org.postern.search.TextQuery;
import org.postern.search.postgres.PostgresSearchIndex;
import org.postern.server.config.StoreConfig;
import org.postern.store.Mailbox;
import org.postern.store.MailStore;
import org.postern.store.postgres.PostgresConfig;
import org.postern.store.postgres.PostgresMailStore;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * Full-text search across nodes. The index lives in the shared PostgreSQL database (search = auto with a
 * postgres:// store): whichever node hears of a message first claims its mailbox and indexes it once for
 * the cluster, and every node answers from the database, so a node with no index of its own (new, or
 * restarted on an empty disk) answers right at once. What the index does not hold yet is scanned by the
 * search itself, so answers are right even in the moment after delivery.
 */
class ClusterSearchIT {
    private static final String USER = "finder@" + TestServer.DOMAIN;
    private static final String PASSWORD = "finder-pw";

    private static EmbeddedPostgres postgres;
    private static TestServer nodeA;
    private static TestServer nodeB;

    @BeforeAll
    static void startTwoNodes() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        StoreConfig store = StoreConfig.postgres("postgres://postgres@localhost:" + postgres.getPort() + "/postgres", "");
        nodeA = TestServer.start(s -> s.withStore(store));
        nodeB = TestServer.start(s -> s.withStore(store));
        nodeA.createUser(USER, PASSWORD);
    }

    @AfterAll
    static void stop() throws IOException {
        if (nodeB != null) nodeB.close();
        if (nodeA != null) nodeA.close();
        if (postgres != null) postgres.close();
    }

    private static PostgresConfig database() {
        return new PostgresConfig(postgres.getJdbcUrl("postgres", "postgres"), "postgres", null).withPoolSize(4);
    }

    @Test
    void searchBodyOnNodeBFindsMailDeliveredThroughNodeA() throws IOException {
        String word = "zanzibar" + System.nanoTime();
        ClusterMail.deliver(nodeA, USER, "search across nodes", "The word is " + word + " in the body.");
        try (RawClient imap = RawClient.connect(nodeB.host(), nodeB.imapsPort(), nodeB.sslContext())) {
            imap.timeout(Duration.ofSeconds(5));
            imap.expect("* OK");
            imap.send("a LOGIN " + USER + " " + PASSWORD);
            imap.readUntil("^a OK.*");
            imap.send("b SELECT INBOX");
            imap.readUntil("^b OK.*");
            imap.send("c UID SEARCH BODY " + word);
            List<String> reply = imap.readUntil("^c OK.*");
            assertThat(reply).anyMatch(l -> l.matches("^\\* SEARCH \\d+$"));
            imap.send("d UID SEARCH BODY nothere" + System.nanoTime());
            assertThat(imap.readUntil("^d OK.*")).contains("* SEARCH");
        }
    }

    /**
     * A third node, started now with no local state: its index answers at once from the database for mail
     * the other nodes took in and indexed, and stays current after its LISTEN connection was cut.
     */
    @Test
    void aNewNodeWithNoLocalIndexAnswersAtOnceEvenAfterItsListenConnectionWasCut() throws Exception {
        assertThat(nodeA.dataDir().resolve("index")).doesNotExist();
        assertThat(nodeB.dataDir().resolve("index")).doesNotExist();
        String word = "quokka" + System.nanoTime();
        ClusterMail.deliver(nodeA, USER, "indexed elsewhere", "The word is " + word + ".");
        long account;
        long inbox;
        long uid;
        try (PostgresMailStore probe = PostgresMailStore.open(database())) {
            account = probe.directory().account(USER).orElseThrow().id();
            inbox = probe.mailboxes().find(account, Mailbox.INBOX).orElseThrow().id();
            uid = lastUid(probe, account, inbox);
        }
        // Indexed by nodes A and B (whichever claimed it), exactly once.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (markOf(account, inbox) < uid && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(markOf(account, inbox)).as("indexed by the running nodes").isGreaterThanOrEqualTo(uid);
        assertThat(rowsOf(account, inbox, uid)).isEqualTo(1);

        try (PostgresMailStore nodeC = PostgresMailStore.open(database());
                SearchIndex index = PostgresSearchIndex.open(database(), nodeC)) {
            // No catch-up, no wait: the first question gets the whole answer.
            SearchIndex.Hits first = index.find(account, inbox, new TextQuery.Body(word));
            assertThat(first.indexedUid()).isGreaterThanOrEqualTo(uid);
            assertThat(first.uids()).containsExactly(uid);

            // Every LISTEN session of this database is cut (node C's among them); mail arrives meanwhile.
            assertThat(terminateListeners()).isPositive();
            String later = "wombat" + System.nanoTime();
            ClusterMail.deliver(nodeA, USER, "during the gap", "The word is " + later + ".");
            long uid2 = lastUid(nodeC, account, inbox);
            assertThat(index.awaitIndexed(account, inbox, uid2, Duration.ofSeconds(10))).as("indexed after the gap").isTrue();
            assertThat(index.find(account, inbox, new TextQuery.Body(later)).uids()).containsExactly(uid2);
            assertThat(rowsOf(account, inbox, uid2)).isEqualTo(1);
        }
    }

    private static long markOf(long account, long mailbox) throws Exception {
        return queryLong("SELECT coalesce(max(uid), 0) FROM search_mark WHERE account_id = ? AND mailbox_id = ?", account, mailbox);
    }

    private static long rowsOf(long account, long mailbox, long uid) throws Exception {
        return queryLong("SELECT count(*) FROM search_text WHERE account_id = ? AND mailbox_id = ? AND uid = ?", account, mailbox, uid);
    }

    private static long queryLong(String sql, long... args) throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setLong(i + 1, args[i]);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long lastUid(MailStore store, long account, long mailbox) {
        return store.mailboxes().snapshot(account, mailbox).messages().getLast().uid();
    }

    private static int terminateListeners() throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE application_name LIKE 'postern-listen%'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
