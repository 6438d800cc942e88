// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.AuthThrottle;
import org.postern.auth.Authenticator;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.net.Listener;
import org.postern.net.NetLimits;
import org.postern.net.SelfSignedCertificate;
import org.postern.net.TlsContext;
import org.postern.store.Account;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;
import org.postern.store.sqlite.SqliteMailStore;

/**
 * The POP3 rows of HOSTILE.md not covered elsewhere (A03, A17-A19, A45 are in Pop3ServerTest and
 * postern-it's hostile package; A31 in Pop3ServerTest): what a client may not do before login (A29),
 * references to deleted or impossible messages (A30), and a client that asks for a large message and
 * stops reading (A47).
 */
class Pop3HostileTest {
    private static final String ALICE = "alice@example.org";
    private static final String PASSWORD = "correct horse";

    private static TlsContext tls;
    private static SSLContext clientTls;

    @TempDir
    Path data;
    private SqliteMailStore store;
    private Account alice;
    private Pop3Server server;
    private Listener implicit;

    @BeforeAll
    static void certificate(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        SelfSignedCertificate.createIfMissing(cert, key, "localhost");
        tls = TlsContext.fromPem(cert, key);
        clientTls = tls.clientContextTrustingSelf();
    }

    @BeforeEach
    void start() throws Exception {
        store = SqliteMailStore.open(data.resolve("store"));
        store.directory().addDomain("example.org");
        alice = store.directory().createAccount(ALICE, new Passwords(PasswordHasher.Cost.TEST).record(PASSWORD), false);
        Authenticator auth = new Authenticator(store.directory(), new AuthThrottle(AuthThrottle.Policy.RELAXED,
                Clock.systemUTC()), PasswordHasher.Cost.TEST, Clock.systemUTC());
        server = new Pop3Server(Pop3Config.defaults("mail.example.org", true), store, new SaslMechanisms(auth), tls);
        implicit = Listener.start("pop3s", InetAddress.getLoopbackAddress(), 0, true, tls, NetLimits.DEFAULT, server);
    }

    @AfterEach
    void stop() {
        implicit.close();
        store.close();
    }

    private void deliver(byte[] bytes) throws IOException {
        String blob;
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            try (OutputStream o = w.stream()) {
                o.write(bytes);
            }
            blob = w.commit();
        }
        store.mailboxes().append(alice.id(), inbox().id(), blob, bytes.length, Set.of(), Instant.now());
    }

    private void deliver(String message) throws IOException {
        deliver(message.getBytes(StandardCharsets.UTF_8));
    }

    private Mailbox inbox() {
        return store.mailboxes().find(alice.id(), Mailbox.INBOX).orElseThrow();
    }

    private List<MessageRecord> messages() {
        return store.mailboxes().snapshot(alice.id(), inbox().id()).messages();
    }

    private Pop3TestClient connect() throws IOException {
        Pop3TestClient c = Pop3TestClient.implicitTls(implicit.port(), clientTls);
        assertThat(c.line()).startsWith("+OK");
        return c;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** A29, RFC 1939 §4: only USER, PASS, QUIT (and CAPA, STLS, AUTH) before login; no mailbox data. */
    @Test
    void mailboxCommandsBeforeLoginRevealNothingAndAbuseCloses() throws Exception {
        deliver("Subject: secret\r\n\r\nsecret body\r\n");
        try (Pop3TestClient c = connect()) {
            for (String cmd : List.of("STAT", "LIST", "LIST 1", "RETR 1", "DELE 1", "TOP 1 0", "UIDL", "UIDL 1", "RSET",
                    "NOOP")) {
                assertThat(c.cmd(cmd)).as(cmd).isEqualTo("-ERR Not logged in");
            }
            // Still in AUTHORIZATION: nothing was deleted, and the session can log in.
            c.login(ALICE, PASSWORD);
            assertThat(c.cmd("STAT")).startsWith("+OK 1 ");
            assertThat(c.cmd("QUIT")).startsWith("+OK");
        }
        assertThat(messages()).hasSize(1);
        try (Pop3TestClient c = connect()) {
            String reply = "";
            for (int i = 0; i < 100 && !reply.startsWith("-ERR Too many"); i++) reply = c.cmd("RETR 1");
            assertThat(reply).isEqualTo("-ERR Too many errors, closing connection");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /** A30, RFC 1939 §5: a message marked as deleted may not be referred to; RSET unmarks; QUIT applies. */
    @Test
    void deletedMessagesCannotBeReferredToUntilRset() throws Exception {
        deliver("Subject: one\r\n\r\nfirst body\r\n");
        deliver("Subject: two\r\n\r\nsecond body\r\n");
        try (Pop3TestClient c = connect()) {
            c.login(ALICE, PASSWORD);
            assertThat(c.cmd("DELE 1")).isEqualTo("+OK Message 1 deleted");
            assertThat(c.cmd("RETR 1")).isEqualTo("-ERR Message 1 already deleted");
            assertThat(c.cmd("TOP 1 5")).isEqualTo("-ERR Message 1 already deleted");
            assertThat(c.cmd("DELE 1")).isEqualTo("-ERR Message 1 already deleted");
            assertThat(c.cmd("LIST 1")).isEqualTo("-ERR Message 1 already deleted");
            assertThat(c.cmd("UIDL 1")).isEqualTo("-ERR Message 1 already deleted");
            for (String bad : List.of("RETR 0", "RETR -1", "RETR 99999999999", "TOP 1 -1", "TOP 2 -1", "DELE 3")) {
                assertThat(c.cmd(bad)).as(bad).startsWith("-ERR").doesNotContain("body");
            }
            assertThat(c.cmd("STAT")).startsWith("+OK 1 ");
            assertThat(c.cmd("LIST")).startsWith("+OK 1 messages");
            assertThat(c.multiline()).hasSize(1).allMatch(l -> l.startsWith("2 "));
            assertThat(c.cmd("RSET")).startsWith("+OK Maildrop has 2 messages");
            assertThat(c.cmd("RETR 1")).startsWith("+OK");
            assertThat(String.join("\n", c.multiline())).contains("first body");
            assertThat(c.cmd("DELE 2")).startsWith("+OK");
            assertThat(messages()).as("nothing is removed before QUIT").hasSize(2);
            assertThat(c.cmd("QUIT")).isEqualTo("+OK Postern POP3 server signing off (1 messages deleted)");
        }
        assertThat(messages()).hasSize(1);
    }

    /**
     * A47: a client that asks for a large message and stops reading. The server must wait on the socket
     * (backpressure) rather than hold the message in memory, keep serving others, and still end the
     * stuck session on shutdown within its deadline; a client that then reads gets every octet.
     */
    @Test
    @Timeout(60) // a shutdown that hangs on the stalled write fails here instead of hanging the build
    void largeRetrToAReaderThatStopsIsBackpressuredNotBuffered() throws Exception {
        int lines = 200_000;
        StringBuilder b = new StringBuilder("Subject: big\r\n\r\n");
        String line = "x".repeat(98) + "\r\n";
        for (int i = 0; i < lines; i++) b.append(line);
        byte[] big = b.toString().getBytes(StandardCharsets.US_ASCII);
        deliver(big);
        Runtime rt = Runtime.getRuntime();
        try (Pop3TestClient stuck = connect()) {
            stuck.login(ALICE, PASSWORD);
            System.gc();
            long before = rt.totalMemory() - rt.freeMemory();
            stuck.send("RETR 1");
            // Another account's session is served meanwhile.
            Account bob = store.directory().createAccount("bob@example.org",
                    new Passwords(PasswordHasher.Cost.TEST).record(PASSWORD), false);
            try (Pop3TestClient other = connect()) {
                other.login("bob@example.org", PASSWORD);
                assertThat(other.cmd("STAT")).isEqualTo("+OK 0 0");
                assertThat(other.cmd("QUIT")).startsWith("+OK");
            }
            assertThat(bob.id()).isNotEqualTo(alice.id());
            System.gc();
            long during = rt.totalMemory() - rt.freeMemory();
            // 20 MB are waiting to be sent; what the server holds for them is a buffer, not the message.
            assertThat(during - before).as("heap growth while the client does not read").isLessThan(big.length / 2);
            // Shutdown does not hang on the stalled write (a second's wait for the command, then on).
            long t0 = System.nanoTime();
            server.shutdown();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        }
        // Once the client is gone the blocked write fails and the session ends, deleting nothing.
        await("the stuck session to end", () -> server.openSessions() == 0);
        assertThat(messages()).hasSize(1);
    }

    /** A47, the other half: a slow but steady reader gets the whole large message, exactly. */
    @Test
    void largeRetrArrivesWholeForAReaderThatKeepsUp() throws Exception {
        StringBuilder b = new StringBuilder("Subject: big\r\n\r\n");
        for (int i = 0; i < 50_000; i++) b.append(i % 100 == 0 ? ".dot " : "line ").append(i).append("\r\n");
        deliver(b.toString());
        try (Pop3TestClient c = connect()) {
            c.login(ALICE, PASSWORD);
            assertThat(c.cmd("RETR 1")).startsWith("+OK " + b.length() + " octets");
            List<String> got = c.multiline();
            assertThat(got).hasSize(50_002);
            assertThat(got.get(2)).isEqualTo("..dot 0");
            assertThat(got.getLast()).isEqualTo("line 49999");
            assertThat(c.cmd("QUIT")).startsWith("+OK");
        }
    }
}
