// SPDX-License-Identifier: Apache-2.0
package org.postern.it.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.server.config.StoreConfig;
import org.postern.store.s3.S3BlobStore;
import org.postern.store.s3.S3Config;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * {@code store = postgres://...} with {@code blobs = s3} (issue 9): metadata in PostgreSQL, message
 * bytes in an S3-compatible object store (s3proxy, run in a JVM of its own from postern-store-s3's test
 * classpath). A message delivered over SMTP is stored as one object, read back byte-exact over IMAP,
 * and the database holds its row but none of its bytes.
 */
class S3PostgresIT {
    private static final Pattern SMTP_LAST = Pattern.compile("^\\d{3}(?: .*)?$");
    private static final String USER = "s3@" + TestServer.DOMAIN;
    private static final String ACCESS_KEY = "postern-test";
    private static final String SECRET_KEY = "postern-test-secret";
    private static Process s3proxy;
    private static URI endpoint;

    @BeforeAll
    static void startObjectStore() throws IOException {
        Path module = Path.of("..", "postern-store-s3").toAbsolutePath().normalize();
        Path cpFile = module.resolve("target/s3proxy.classpath");
        assertThat(cpFile).as("build postern-store-s3 first (mvn -pl postern-store-s3 install)").exists();
        String cp = module.resolve("target/test-classes") + java.io.File.pathSeparator + module.resolve("target/classes")
                + java.io.File.pathSeparator + Files.readString(cpFile).strip();
        s3proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                "org.postern.store.s3.S3TestServer").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(s3proxy.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("s3proxy's first line").startsWith("s3proxy http://127.0.0.1:");
        endpoint = URI.create(line.substring("s3proxy ".length()));
    }

    @AfterAll
    static void stopObjectStore() throws IOException {
        if (s3proxy != null) {
            s3proxy.getOutputStream().close(); // it exits when its input ends
            s3proxy.destroy();
        }
    }

    @Test
    void aMessageDeliveredThroughAServerOnPostgresAndS3ReadsBackByteExact(@TempDir Path secrets) throws Exception {
        Path secret = secrets.resolve("s3.secret");
        Files.writeString(secret, SECRET_KEY + "\n");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = "postgres://postgres@localhost:" + pg.getPort() + "/postgres";
            StoreConfig store = StoreConfig.postgres(url, "").withBlobs(StoreConfig.Blobs.s3(endpoint.toString(), "us-east-1",
                    "postern-it", "mail/", ACCESS_KEY, secret.toString(), "yes"));
            String body = "Bytes in S3, metadata in PostgreSQL.\r\nSecond line with 8bit: \u00e9t\u00e9.\r\n";
            try (TestServer server = TestServer.start(s -> s.withStore(store))) {
                server.createUser(USER, "s3-pw");
                deliver(server, body);
                try (RawClient imap = RawClient.connect(server.host(), server.imapsPort(), server.sslContext())) {
                    imap.expect("* OK");
                    imap.send("a LOGIN " + USER + " s3-pw");
                    imap.readUntil("^a OK.*");
                    imap.send("b SELECT INBOX");
                    imap.readUntil("^b OK.*");
                    imap.send("c FETCH 1 BODY.PEEK[TEXT]");
                    String text = String.join("\r\n", imap.readUntil("^c OK.*"));
                    assertThat(text).contains("Bytes in S3, metadata in PostgreSQL.").contains("Second line with 8bit");
                }
            }
            // The body is one object under the prefix, and PostgreSQL keeps only its row.
            try (S3BlobStore s3 = S3BlobStore.open(new S3Config(endpoint, "us-east-1", "postern-it", "mail/", ACCESS_KEY,
                    SECRET_KEY, true))) {
                List<String> ids = new ArrayList<>();
                s3.list(Instant.now().plus(Duration.ofMinutes(5)), ids::addAll);
                assertThat(ids).hasSize(1);
                try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                    try (ResultSet rs = s.executeQuery("SELECT blob_id, refs FROM blobs")) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString(1)).isEqualTo(ids.get(0));
                        assertThat(rs.getInt(2)).isEqualTo(1);
                    }
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM blob_chunks")) {
                        rs.next();
                        assertThat(rs.getLong(1)).isZero();
                    }
                }
                String stored = new String(s3.open(ids.get(0)).readAllBytes(), StandardCharsets.UTF_8);
                assertThat(stored).endsWith("\r\n\r\n" + body);
            }
        }
    }

    private static void deliver(TestServer node, String body) throws IOException {
        try (RawClient mx = RawClient.connect(node.host(), node.smtpPort())) {
            mx.expect("220 ");
            mx.send("EHLO client.example");
            reply(mx, "250");
            mx.send("MAIL FROM:<sender@sender.example> BODY=8BITMIME");
            reply(mx, "250");
            mx.send("RCPT TO:<" + USER + ">");
            reply(mx, "250");
            mx.send("DATA");
            reply(mx, "354");
            mx.send("From: <sender@sender.example>");
            mx.send("To: <" + USER + ">");
            mx.send("Subject: to S3");
            mx.send("");
            mx.sendRaw(body.getBytes(StandardCharsets.UTF_8));
            mx.send(".");
            reply(mx, "250");
            mx.send("QUIT");
        }
    }

    private static void reply(RawClient c, String code) throws IOException {
        String line;
        do {
            line = c.readLine();
            if (line == null) throw new AssertionError("connection closed: " + c.transcript());
        } while (!SMTP_LAST.matcher(line).matches());
        if (!line.startsWith(code)) throw new AssertionError("expected " + code + " but got " + line + ": " + c.transcript());
    }
}
