// SPDX-License-Identifier: Apache-2.0
package org.postern.it.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.server.Main;
import org.postern.server.cli.CliContext;
import org.postern.server.config.DataFolder;
import org.postern.server.config.ServerConfig;
import org.postern.server.config.StoreConfig;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * Two Postern nodes on one PostgreSQL (issue 9: stateless nodes): mail delivered through node A is
 * announced to an IMAP IDLE session on node B within a second, carried by the database's change
 * notifications rather than by anything the nodes share on disk.
 */
class PostgresServerIT {
    private static final Pattern SMTP_LAST = Pattern.compile("^\\d{3}(?: .*)?$");
    private static final String USER = "shared@" + TestServer.DOMAIN;
    private static final String PASSWORD = "shared-pw";

    private static EmbeddedPostgres postgres;
    private static StoreConfig store;
    private static TestServer nodeA;
    private static TestServer nodeB;

    @BeforeAll
    static void startTwoNodesOnOneDatabase() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        // Trust authentication for the local superuser: no password file.
        store = StoreConfig.postgres("postgres://postgres@localhost:" + postgres.getPort() + "/postgres", "");
        // One after the other: the first node creates the schema and the test domain, the second finds them.
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

    @Test
    void nodesShareOneStore() {
        assertThat(nodeB.store().directory().isLocalDomain(TestServer.DOMAIN)).isTrue();
        // The account made through node A logs in on node B: one directory, not two copies.
        assertThat(nodeB.store().directory().account(USER)).isPresent();
        assertThat(nodeA.dataDir()).isNotEqualTo(nodeB.dataDir());
    }

    @Test
    void adminCommandsOpenTheStorePosternConfNames(@TempDir Path folder) throws IOException {
        // A third node's folder: only its postern.conf says where the mail is.
        new DataFolder(folder).writeConfig(ServerConfig.defaults("localhost").withDev("test", "relaxed").withStore(store));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(new ByteArrayInputStream("cli-pw\n".getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
                Map.of(), () -> null, Main.systemContext().storeOpener());
        String user = "cli@" + TestServer.DOMAIN;
        int code = Main.run(ctx, "--data", folder.toString(), "account", "add", user, "--password-stdin");
        assertThat(code).as("postern account add: %s", out).isZero();
        assertThat(nodeB.store().directory().account(user)).isPresent();
        // Nothing of the mail store was written into the folder.
        try (var files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(DataFolder.CONFIG_FILE);
        }
    }

    @Test
    void mailDeliveredThroughNodeAReachesAnIdleSessionOnNodeBWithinOneSecond() throws IOException {
        try (RawClient imap = RawClient.connect(nodeB.host(), nodeB.imapsPort(), nodeB.sslContext())) {
            imap.expect("* OK");
            imap.send("a LOGIN " + USER + " " + PASSWORD);
            imap.readUntil("^a OK.*");
            imap.send("b SELECT INBOX");
            int before = exists(imap.readUntil("^b OK.*"));
            imap.send("c IDLE");
            imap.expect("+ ");

            String subject = "across nodes " + System.nanoTime();
            deliver(nodeA, subject);
            long acknowledged = System.nanoTime();

            // RFC 2177: the new message is announced as an untagged EXISTS while the session idles.
            imap.timeout(Duration.ofSeconds(1));
            imap.readUntil("^\\* " + (before + 1) + " EXISTS$");
            Duration seen = Duration.ofNanos(System.nanoTime() - acknowledged);
            assertThat(seen).as("delivery on node A to EXISTS on node B").isLessThan(Duration.ofSeconds(1));

            imap.timeout(Duration.ofSeconds(10));
            imap.send("DONE");
            imap.readUntil("^c OK.*");
            imap.send("d FETCH " + (before + 1) + " BODY.PEEK[HEADER.FIELDS (SUBJECT)]");
            assertThat(String.join("\n", imap.readUntil("^d OK.*"))).contains("Subject: " + subject);
        }
    }

    /**
     * The LISTEN connections are cut (as a PostgreSQL restart or a proxy would) and mail arrives while
     * the nodes re-open them: the IDLE session still hears of it, from the resync after reconnecting,
     * not at its next command.
     */
    @Test
    void anIdleSessionOnNodeBHearsOfMailDeliveredWhileItsListenConnectionWasCut() throws Exception {
        try (RawClient imap = RawClient.connect(nodeB.host(), nodeB.imapsPort(), nodeB.sslContext())) {
            imap.expect("* OK");
            imap.send("a LOGIN " + USER + " " + PASSWORD);
            imap.readUntil("^a OK.*");
            imap.send("b SELECT INBOX");
            int before = exists(imap.readUntil("^b OK.*"));
            imap.send("c IDLE");
            imap.expect("+ ");

            try (java.sql.Connection c = postgres.getPostgresDatabase().getConnection();
                    java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs = st.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                            + " WHERE application_name LIKE 'postern-listen%'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("LISTEN sessions cut").isGreaterThanOrEqualTo(2);
            }
            String subject = "in the gap " + System.nanoTime();
            deliver(nodeA, subject);

            // Reconnecting takes 100 ms after the first failure; the resync follows at once.
            imap.timeout(Duration.ofMillis(1_500));
            imap.readUntil("^\\* " + (before + 1) + " EXISTS$");
            imap.timeout(Duration.ofSeconds(10));
            imap.send("DONE");
            imap.readUntil("^c OK.*");
        }
    }

    /** One message to {@value #USER} through node A's port 25, acknowledged with 250 after the dot. */
    private static void deliver(TestServer node, String subject) throws IOException {
        try (RawClient mx = RawClient.connect(node.host(), node.smtpPort())) {
            // Port 25 refuses a client that talks before the greeting (HOSTILE A14).
            mx.expect("220 ");
            mx.send("EHLO client.example");
            reply(mx, "250");
            mx.send("MAIL FROM:<sender@sender.example>");
            reply(mx, "250");
            mx.send("RCPT TO:<" + USER + ">");
            reply(mx, "250");
            mx.send("DATA");
            reply(mx, "354");
            mx.send("From: <sender@sender.example>");
            mx.send("To: <" + USER + ">");
            mx.send("Subject: " + subject);
            mx.send("Message-ID: <" + System.nanoTime() + "@sender.example>");
            mx.send("");
            mx.send("Delivered by one node, read on another.");
            mx.send(".");
            reply(mx, "250");
            mx.send("QUIT");
        }
    }

    private static void reply(RawClient c, String code) throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = c.readLine();
            if (line == null) throw new AssertionError("connection closed: " + c.transcript());
            lines.add(line);
        } while (!SMTP_LAST.matcher(line).matches());
        if (!line.startsWith(code)) throw new AssertionError("expected " + code + " but got " + lines + ": " + c.transcript());
    }

    private static int exists(List<String> selectReply) {
        for (String line : selectReply) {
            var m = Pattern.compile("^\\* (\\d+) EXISTS$").matcher(line);
            if (m.matches()) return Integer.parseInt(m.group(1));
        }
        throw new AssertionError("no EXISTS in " + selectReply);
    }
}
