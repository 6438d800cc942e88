// SPDX-License-Identifier: Apache-2.0
package org.postern.it.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.search.SearchIndex;
import org.postern.search.TextQuery;
import org.postern.server.config.StoreConfig;
import org.postern.store.Account;
import org.postern.store.Mailbox;
import org.postern.store.MailStore;
import org.postern.store.postgres.PostgresConfig;
import org.postern.store.postgres.PostgresMailStore;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * Full-text search across nodes. Each node keeps its own Lucene index (DATA/index/), fed by the shared
 * change feed, which carries every node's commits: so every node indexes every message, whichever node
 * took it in, and a SEARCH on any node finds mail delivered through any other. What an index does not
 * hold yet (mail younger than its last refresh, or missed while its LISTEN connection was down) is
 * scanned by the search itself, so answers are right at once and fast soon after.
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
     * A third node's index (opened here on its own store instance, as PosternServer opens one): it
     * indexes what node A took in, also after its LISTEN connection was cut and re-opened.
     */
    @Test
    void anotherNodesIndexHoldsTheMessageEvenAfterItsListenConnectionWasCut(@TempDir Path indexDir) throws Exception {
        try (PostgresMailStore nodeC = PostgresMailStore.open(database());
                SearchIndex index = SearchIndex.open(indexDir, nodeC)) {
            Account a = nodeC.directory().account(USER).orElseThrow();
            long inbox = nodeC.mailboxes().find(a.id(), Mailbox.INBOX).orElseThrow().id();
            assertThat(index.awaitIdle(Duration.ofSeconds(30))).isTrue();

            String word = "quokka" + System.nanoTime();
            ClusterMail.deliver(nodeA, USER, "indexed elsewhere", "The word is " + word + ".");
            long uid = lastUid(nodeC, a.id(), inbox);
            assertThat(index.awaitIndexed(a.id(), inbox, uid, Duration.ofSeconds(5))).as("indexed on node C").isTrue();
            assertThat(index.find(a.id(), inbox, new TextQuery.Body(word)).uids()).containsExactly(uid);

            // Every LISTEN session of this database is cut (node C's among them); mail arrives meanwhile.
            assertThat(terminateListeners()).isPositive();
            String later = "wombat" + System.nanoTime();
            ClusterMail.deliver(nodeA, USER, "during the gap", "The word is " + later + ".");
            long uid2 = lastUid(nodeC, a.id(), inbox);
            assertThat(index.awaitIndexed(a.id(), inbox, uid2, Duration.ofSeconds(10))).as("indexed after the gap").isTrue();
            assertThat(index.find(a.id(), inbox, new TextQuery.Body(later)).uids()).containsExactly(uid2);
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
