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
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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

/** Transcripts over loopback against a real store (RFC 1939, 2449, 2595, 5034). */
class Pop3ServerTest {
    private static final String ALICE = "alice@example.org";
    private static final String PASSWORD = "correct horse";

    private static TlsContext tls;
    private static SSLContext clientTls;

    @TempDir
    Path data;
    private SqliteMailStore store;
    private Account alice;
    private Pop3Server server;
    private Pop3Server implicitServer;
    private Listener plain;
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
        SaslMechanisms sasl = new SaslMechanisms(auth);
        server = new Pop3Server(Pop3Config.defaults("mail.example.org", false), store, sasl, tls);
        implicitServer = new Pop3Server(Pop3Config.defaults("mail.example.org", true), store, sasl, tls);
        InetAddress lo = InetAddress.getLoopbackAddress();
        plain = Listener.start("pop3", lo, 0, false, tls, NetLimits.DEFAULT, server);
        implicit = Listener.start("pop3s", lo, 0, true, tls, NetLimits.DEFAULT, implicitServer);
    }

    @AfterEach
    void stop() {
        plain.close();
        implicit.close();
        store.close();
    }

    private long deliver(String message, Instant internalDate) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        String blob;
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            try (OutputStream o = w.stream()) {
                o.write(bytes);
            }
            blob = w.commit();
        }
        return store.mailboxes().append(alice.id(), inbox().id(), blob, bytes.length, Set.of(), internalDate).uid();
    }

    private long deliver(String message) throws IOException {
        return deliver(message, Instant.now());
    }

    private Mailbox inbox() {
        return store.mailboxes().find(alice.id(), Mailbox.INBOX).orElseThrow();
    }

    private List<MessageRecord> messages() {
        return store.mailboxes().snapshot(alice.id(), inbox().id()).messages();
    }

    private Pop3TestClient tlsClient() throws IOException {
        Pop3TestClient c = new Pop3TestClient(plain.port());
        assertThat(c.line()).isEqualTo("+OK Postern POP3 server ready");
        assertThat(c.cmd("STLS")).isEqualTo("+OK Begin TLS negotiation");
        c.startTls(clientTls);
        return c;
    }

    private Pop3TestClient loggedIn() throws IOException {
        Pop3TestClient c = tlsClient();
        c.login(ALICE, PASSWORD);
        return c;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private void awaitSessionsEnded() throws InterruptedException {
        await("sessions to end", () -> server.openSessions() == 0 && implicitServer.openSessions() == 0);
    }

    @Test
    void fullRfc1939Session() throws Exception {
        String m1 = "From: bob@example.org\r\nSubject: one\r\n\r\nHello\r\n";
        String m2 = "From: carol@example.org\r\nSubject: two\r\n\r\nline 1\r\nline 2\r\nline 3\r\n";
        long uid1 = deliver(m1);
        long uid2 = deliver(m2);
        long v = inbox().uidValidity();
        try (Pop3TestClient c = loggedIn()) {
            assertThat(c.cmd("STAT")).isEqualTo("+OK 2 " + (m1.length() + m2.length()));
            assertThat(c.cmd("LIST")).startsWith("+OK 2 messages");
            assertThat(c.multiline()).containsExactly("1 " + m1.length(), "2 " + m2.length());
            assertThat(c.cmd("LIST 2")).isEqualTo("+OK 2 " + m2.length());
            assertThat(c.cmd("LIST 3")).isEqualTo("-ERR No such message");
            assertThat(c.cmd("UIDL")).startsWith("+OK");
            assertThat(c.multiline()).containsExactly("1 " + v + "." + uid1, "2 " + v + "." + uid2);
            assertThat(c.cmd("UIDL 1")).isEqualTo("+OK 1 " + v + "." + uid1);
            assertThat(c.cmd("RETR 1")).isEqualTo("+OK " + m1.length() + " octets");
            assertThat(c.rawMultiline()).isEqualTo(m1 + ".\r\n");
            assertThat(c.cmd("TOP 2 1")).startsWith("+OK");
            assertThat(c.rawMultiline()).isEqualTo("From: carol@example.org\r\nSubject: two\r\n\r\nline 1\r\n.\r\n");
            assertThat(c.cmd("TOP 2 0")).startsWith("+OK");
            assertThat(c.multiline()).containsExactly("From: carol@example.org", "Subject: two", "");
            assertThat(c.cmd("DELE 1")).isEqualTo("+OK Message 1 deleted");
            assertThat(c.cmd("DELE 1")).isEqualTo("-ERR Message 1 already deleted");
            assertThat(c.cmd("RETR 1")).isEqualTo("-ERR Message 1 already deleted");
            assertThat(c.cmd("TOP 1 5")).isEqualTo("-ERR Message 1 already deleted");
            assertThat(c.cmd("STAT")).isEqualTo("+OK 1 " + m2.length());
            assertThat(c.cmd("LIST")).startsWith("+OK 1 messages");
            assertThat(c.multiline()).containsExactly("2 " + m2.length());
            assertThat(c.cmd("RSET")).startsWith("+OK");
            assertThat(c.cmd("STAT")).isEqualTo("+OK 2 " + (m1.length() + m2.length()));
            assertThat(c.cmd("NOOP")).isEqualTo("+OK");
            assertThat(c.cmd("RETR 0")).startsWith("-ERR");
            assertThat(c.cmd("RETR -1")).startsWith("-ERR");
            assertThat(c.cmd("RETR 99999999999")).startsWith("-ERR");
            assertThat(c.cmd("TOP 1 -1")).startsWith("-ERR");
            assertThat(c.cmd("USER bob")).startsWith("-ERR");
            assertThat(c.cmd("STLS")).startsWith("-ERR");
            assertThat(c.cmd("DELE 2")).startsWith("+OK");
            assertThat(c.cmd("QUIT")).startsWith("+OK");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(messages()).extracting(MessageRecord::uid).containsExactly(uid1);
        // RETR marks the message read for IMAP; TOP does not.
        assertThat(messages().getFirst().flags()).contains("\\Seen");
    }

    @Test
    void capaBeforeAndAfterStls() throws Exception {
        try (Pop3TestClient c = new Pop3TestClient(plain.port())) {
            c.line();
            assertThat(c.cmd("CAPA")).isEqualTo("+OK Capability list follows");
            List<String> before = c.multiline();
            assertThat(before).contains("TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "STLS",
                    "EXPIRE 0 USER", "LOGIN-DELAY 3600 USER", "IMPLEMENTATION Postern", "UTF8 USER");
            assertThat(before).doesNotContain("USER").noneMatch(l -> l.startsWith("SASL"));
            assertThat(c.cmd("USER alice")).isEqualTo("-ERR [AUTH] TLS required: use STLS first");
            assertThat(c.cmd("PASS x")).isEqualTo("-ERR [AUTH] TLS required: use STLS first");
            assertThat(c.cmd("AUTH PLAIN AGFsaWNlAHNlY3JldA==")).isEqualTo("-ERR [AUTH] TLS required: use STLS first");
            assertThat(c.cmd("STAT")).isEqualTo("-ERR Not logged in");
            assertThat(c.cmd("STLS")).isEqualTo("+OK Begin TLS negotiation");
            c.startTls(clientTls);
            assertThat(c.cmd("CAPA")).startsWith("+OK");
            List<String> after = c.multiline();
            assertThat(after).contains("USER", "SASL PLAIN LOGIN SCRAM-SHA-256", "TOP", "UIDL").doesNotContain("STLS");
            assertThat(c.cmd("STLS")).isEqualTo("-ERR Command not permitted when TLS active");
            c.login(ALICE, PASSWORD);
            assertThat(c.cmd("CAPA")).startsWith("+OK");
            assertThat(c.multiline()).contains("EXPIRE NEVER", "LOGIN-DELAY 0")
                    .doesNotContain("USER", "STLS", "EXPIRE 0 USER", "UTF8 USER");
        }
    }

    /** HOSTILE A03 (CVE-2011-0411): what was pipelined after STLS is never executed under TLS. */
    @Test
    void stlsDiscardsPipelinedPlaintext() throws Exception {
        try (Pop3TestClient c = new Pop3TestClient(plain.port())) {
            c.line();
            c.sendRaw("STLS\r\nUSER alice\r\n");
            assertThat(c.line()).isEqualTo("+OK Begin TLS negotiation");
            c.startTls(clientTls);
            assertThat(c.cmd("CAPA")).isEqualTo("+OK Capability list follows");
            c.multiline();
            // Had USER been kept, PASS would be accepted without a fresh USER.
            assertThat(c.cmd("PASS " + PASSWORD)).isEqualTo("-ERR Send USER first");
        }
    }

    @Test
    void implicitTlsOffersLoginWithoutStls() throws Exception {
        deliver("Subject: x\r\n\r\ny\r\n");
        try (Pop3TestClient c = Pop3TestClient.implicitTls(implicit.port(), clientTls)) {
            assertThat(c.line()).startsWith("+OK");
            assertThat(c.cmd("CAPA")).startsWith("+OK");
            assertThat(c.multiline()).contains("USER").doesNotContain("STLS");
            assertThat(c.cmd("STLS")).startsWith("-ERR");
            c.login(ALICE, PASSWORD);
            assertThat(c.cmd("STAT")).startsWith("+OK 1 ");
            assertThat(c.cmd("QUIT")).startsWith("+OK");
        }
    }

    @Test
    void plaintextLoginWhenAllowed() throws Exception {
        Pop3Server open = new Pop3Server(Pop3Config.defaults("h", false).withAllowPlaintextAuth(true), store,
                new SaslMechanisms(new Authenticator(store.directory(), new AuthThrottle(AuthThrottle.Policy.RELAXED,
                        Clock.systemUTC()), PasswordHasher.Cost.TEST, Clock.systemUTC())), null);
        try (Listener l = Listener.start("pop3-open", InetAddress.getLoopbackAddress(), 0, false, null,
                NetLimits.DEFAULT, open); Pop3TestClient c = new Pop3TestClient(l.port())) {
            c.line();
            assertThat(c.cmd("CAPA")).startsWith("+OK");
            assertThat(c.multiline()).contains("USER").doesNotContain("STLS");
            assertThat(c.cmd("STLS")).isEqualTo("-ERR STLS not available");
            c.login(ALICE, PASSWORD);
        }
    }

    @Test
    void wrongPasswordAndPassWithoutUser() throws Exception {
        try (Pop3TestClient c = tlsClient()) {
            assertThat(c.cmd("PASS " + PASSWORD)).isEqualTo("-ERR Send USER first");
            assertThat(c.cmd("USER " + ALICE)).isEqualTo("+OK Send PASS");
            assertThat(c.cmd("PASS wrong")).isEqualTo("-ERR [AUTH] Authentication failed");
            assertThat(c.cmd("USER nobody@example.org")).isEqualTo("+OK Send PASS");
            assertThat(c.cmd("PASS wrong")).isEqualTo("-ERR [AUTH] Authentication failed");
            c.login(ALICE, PASSWORD);
        }
    }

    @Test
    void authPlainWithAndWithoutInitialResponseAndCancel() throws Exception {
        String creds = Base64.getEncoder().encodeToString(("\0" + ALICE + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        try (Pop3TestClient c = tlsClient()) {
            assertThat(c.cmd("AUTH")).startsWith("+OK");
            assertThat(c.multiline()).containsExactly("PLAIN", "LOGIN", "SCRAM-SHA-256");
            assertThat(c.cmd("AUTH PLAIN")).isEqualTo("+ ");
            assertThat(c.cmd("*")).isEqualTo("-ERR Authentication cancelled");
            assertThat(c.cmd("AUTH PLAIN")).isEqualTo("+ ");
            assertThat(c.cmd("not base64!")).startsWith("-ERR");
            assertThat(c.cmd("AUTH CRAM-MD5")).isEqualTo("-ERR Unsupported authentication mechanism");
            assertThat(c.cmd("AUTH PLAIN " + Base64.getEncoder().encodeToString(("\0" + ALICE + "\0bad").getBytes(
                    StandardCharsets.UTF_8)))).isEqualTo("-ERR [AUTH] Authentication failed");
            assertThat(c.cmd("AUTH PLAIN")).isEqualTo("+ ");
            assertThat(c.cmd(creds)).startsWith("+OK Logged in");
        }
        try (Pop3TestClient c = tlsClient()) {
            assertThat(c.cmd("AUTH PLAIN " + creds)).startsWith("+OK Logged in");
        }
    }

    @Test
    void authScramSha256() throws Exception {
        try (Pop3TestClient c = tlsClient()) {
            String bare = "n=" + ALICE + ",r=fyko+d2lbbFgONRv9qkxdawL";
            String first = c.cmd("AUTH SCRAM-SHA-256 " + b64("n,," + bare));
            assertThat(first).startsWith("+ ");
            String serverFirst = new String(Base64.getDecoder().decode(first.substring(2)), StandardCharsets.UTF_8);
            String nonce = null, salt = null;
            int iterations = 0;
            for (String attr : serverFirst.split(",")) {
                if (attr.startsWith("r=")) nonce = attr.substring(2);
                if (attr.startsWith("s=")) salt = attr.substring(2);
                if (attr.startsWith("i=")) iterations = Integer.parseInt(attr.substring(2));
            }
            javax.crypto.SecretKeyFactory f = javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            byte[] salted = f.generateSecret(new javax.crypto.spec.PBEKeySpec(PASSWORD.toCharArray(),
                    Base64.getDecoder().decode(salt), iterations, 256)).getEncoded();
            byte[] clientKey = hmac(salted, "Client Key");
            byte[] storedKey = java.security.MessageDigest.getInstance("SHA-256").digest(clientKey);
            String withoutProof = "c=biws,r=" + nonce;
            byte[] sig = hmac(storedKey, bare + "," + serverFirst + "," + withoutProof);
            byte[] proof = new byte[sig.length];
            for (int i = 0; i < sig.length; i++) proof[i] = (byte) (clientKey[i] ^ sig[i]);
            String serverFinal = c.cmd(b64(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)));
            assertThat(serverFinal).startsWith("+ ");
            assertThat(new String(Base64.getDecoder().decode(serverFinal.substring(2)), StandardCharsets.UTF_8))
                    .startsWith("v=");
            assertThat(c.cmd("")).startsWith("+OK Logged in");
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void secondSessionGetsInUseUntilTheFirstEnds() throws Exception {
        try (Pop3TestClient first = loggedIn(); Pop3TestClient second = tlsClient()) {
            assertThat(second.cmd("USER " + ALICE)).startsWith("+OK");
            assertThat(second.cmd("PASS " + PASSWORD)).isEqualTo("-ERR [IN-USE] Mailbox locked by another session");
            assertThat(first.cmd("QUIT")).startsWith("+OK");
            await("the first session to end", () -> server.openSessions() == 1);
            second.login(ALICE, PASSWORD);
        }
        // A dropped connection releases the lock too.
        Pop3TestClient dropped = loggedIn();
        dropped.close();
        awaitSessionsEnded();
        try (Pop3TestClient c = loggedIn()) {
            assertThat(c.cmd("QUIT")).startsWith("+OK");
        }
    }

    @Test
    void deleteHappensOnlyAtQuit() throws Exception {
        long uid1 = deliver("Subject: 1\r\n\r\na\r\n");
        long uid2 = deliver("Subject: 2\r\n\r\nb\r\n");
        Pop3TestClient dropped = loggedIn();
        assertThat(dropped.cmd("DELE 1")).startsWith("+OK");
        assertThat(dropped.cmd("DELE 2")).startsWith("+OK");
        dropped.close();
        awaitSessionsEnded();
        assertThat(messages()).extracting(MessageRecord::uid).containsExactly(uid1, uid2);

        try (Pop3TestClient c = loggedIn()) {
            assertThat(c.cmd("DELE 1")).startsWith("+OK");
            assertThat(c.cmd("QUIT")).isEqualTo("+OK Postern POP3 server signing off (1 messages deleted)");
        }
        assertThat(messages()).extracting(MessageRecord::uid).containsExactly(uid2);
    }

    @Test
    void keepSettingLeavesRetrievedMail() throws Exception {
        long uid = deliver("Subject: k\r\n\r\nkeep me\r\n");
        try (Pop3TestClient c = loggedIn()) {
            assertThat(c.cmd("RETR 1")).startsWith("+OK");
            c.rawMultiline();
            assertThat(c.cmd("QUIT")).isEqualTo("+OK Postern POP3 server signing off");
        }
        assertThat(messages()).extracting(MessageRecord::uid).containsExactly(uid);
    }

    @Test
    void deleteSettingRemovesRetrievedMailAtQuit() throws Exception {
        store.directory().setSetting(ALICE, Retention.SETTING, "delete");
        deliver("Subject: 1\r\n\r\nretrieved\r\n");
        long untouched = deliver("Subject: 2\r\n\r\nonly listed\r\n");
        try (Pop3TestClient c = loggedIn()) {
            assertThat(c.cmd("CAPA")).startsWith("+OK");
            assertThat(c.multiline()).contains("EXPIRE 0");
            assertThat(c.cmd("RETR 1")).startsWith("+OK");
            c.rawMultiline();
            assertThat(c.cmd("TOP 2 0")).startsWith("+OK");
            c.rawMultiline();
            assertThat(c.cmd("QUIT")).startsWith("+OK");
        }
        assertThat(messages()).extracting(MessageRecord::uid).containsExactly(untouched);

        // Retrieved, then the connection dropped: nothing is deleted.
        Pop3TestClient dropped = loggedIn();
        assertThat(dropped.cmd("RETR 1")).startsWith("+OK");
        dropped.rawMultiline();
        dropped.close();
        awaitSessionsEnded();
        assertThat(messages()).extracting(MessageRecord::uid).containsExactly(untouched);
    }

    @Test
    void deleteAfterDaysRemovesOldRetrievedMail() throws Exception {
        store.directory().setSetting(ALICE, Retention.SETTING, "delete-after-days:5");
        Instant old = Instant.now().minus(Duration.ofDays(10));
        long oldRead = deliver("Subject: old\r\n\r\nx\r\n", old);
        long oldUnread = deliver("Subject: old unread\r\n\r\nx\r\n", old);
        long fresh = deliver("Subject: new\r\n\r\nx\r\n");
        try (Pop3TestClient c = loggedIn()) {
            assertThat(c.cmd("CAPA")).startsWith("+OK");
            assertThat(c.multiline()).contains("EXPIRE 5");
            for (int i : new int[] {1, 3}) {
                assertThat(c.cmd("RETR " + i)).startsWith("+OK");
                c.rawMultiline();
            }
            assertThat(c.cmd("QUIT")).startsWith("+OK");
        }
        assertThat(messages()).extracting(MessageRecord::uid).containsExactly(oldUnread, fresh);
        assertThat(oldRead).isLessThan(oldUnread);
    }

    @Test
    void uidlIsStableAcrossSessions() throws Exception {
        deliver("Subject: a\r\n\r\n1\r\n");
        deliver("Subject: b\r\n\r\n2\r\n");
        List<String> first;
        try (Pop3TestClient c = loggedIn()) {
            c.cmd("UIDL");
            first = c.multiline();
            assertThat(c.cmd("DELE 1")).startsWith("+OK");
            assertThat(c.cmd("QUIT")).startsWith("+OK");
        }
        deliver("Subject: c\r\n\r\n3\r\n");
        try (Pop3TestClient c = loggedIn()) {
            c.cmd("UIDL");
            List<String> second = c.multiline();
            assertThat(second).hasSize(2);
            // Message 2 of the first session is message 1 now, with the same unique id.
            assertThat(second.getFirst().split(" ")[1]).isEqualTo(first.get(1).split(" ")[1]);
            assertThat(second.get(1).split(" ")[1]).isNotIn(first.get(0).split(" ")[1], first.get(1).split(" ")[1])
                    .matches("[\\x21-\\x7e]{1,70}");
        }
    }

    @Test
    void dotStuffingAndExactSizes() throws Exception {
        String stored = "Subject: dots\r\n\r\n.\r\n..two\r\n.hidden\r\nnormal\r\n";
        String bareLf = "Subject: lf\n\nunix line\n.dot\n";
        deliver(stored);
        deliver(bareLf);
        try (Pop3TestClient c = loggedIn()) {
            assertThat(c.cmd("LIST 1")).isEqualTo("+OK 1 " + stored.length());
            assertThat(c.cmd("RETR 1")).isEqualTo("+OK " + stored.length() + " octets");
            assertThat(c.rawMultiline()).isEqualTo("Subject: dots\r\n\r\n..\r\n...two\r\n..hidden\r\nnormal\r\n.\r\n");
            String asSent = bareLf.replace("\n", "\r\n");
            assertThat(c.cmd("LIST 2")).isEqualTo("+OK 2 " + asSent.length());
            assertThat(c.cmd("RETR 2")).startsWith("+OK");
            String raw = c.rawMultiline();
            assertThat(raw).isEqualTo("Subject: lf\r\n\r\nunix line\r\n..dot\r\n.\r\n");
            // Unstuffed, the body is exactly as many octets as LIST said.
            assertThat(raw.substring(0, raw.length() - 3).replace("\r\n..", "\r\n.")).hasSize(asSent.length());
        }
    }

    @Test
    void messageExpungedThroughImapGivesCleanError() throws Exception {
        long uid = deliver("Subject: gone\r\n\r\nx\r\n");
        deliver("Subject: stays\r\n\r\ny\r\n");
        try (Pop3TestClient c = loggedIn()) {
            store.mailboxes().expunge(alice.id(), inbox().id(), List.of(uid));
            assertThat(c.cmd("RETR 1")).isEqualTo("-ERR Message 1 was deleted by another session");
            assertThat(c.cmd("TOP 1 0")).startsWith("-ERR");
            assertThat(c.cmd("RETR 2")).startsWith("+OK");
            c.rawMultiline();
            assertThat(c.cmd("DELE 1")).startsWith("+OK");
            assertThat(c.cmd("QUIT")).startsWith("+OK");
        }
        assertThat(messages()).hasSize(1);
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrder() throws Exception {
        deliver("Subject: p\r\n\r\nz\r\n");
        try (Pop3TestClient c = tlsClient()) {
            c.sendRaw("USER " + ALICE + "\r\nPASS " + PASSWORD + "\r\nSTAT\r\nUIDL 1\r\nNOOP\r\nQUIT\r\n");
            assertThat(c.line()).startsWith("+OK Send PASS");
            assertThat(c.line()).startsWith("+OK Logged in");
            assertThat(c.line()).startsWith("+OK 1 ");
            assertThat(c.line()).startsWith("+OK 1 ");
            assertThat(c.line()).isEqualTo("+OK");
            assertThat(c.line()).startsWith("+OK");
        }
    }

    @Test
    void badInputIsRefusedAndRepeatedAbuseCloses() throws Exception {
        try (Pop3TestClient c = new Pop3TestClient(plain.port())) {
            c.line();
            assertThat(c.cmd("GET / HTTP/1.1")).isEqualTo("-ERR Unknown command");
            assertThat(c.cmd("NOOP " + "x".repeat(300))).isEqualTo("-ERR Command line too long");
            c.sendRaw("NOOP\n");
            assertThat(c.line()).isEqualTo("-ERR Lines must end with CRLF");
            assertThat(c.cmd("CAPA")).startsWith("+OK");
            c.multiline();
            for (int i = 1; i < 20; i++) assertThat(c.cmd("XYZZY")).isEqualTo("-ERR Unknown command");
            assertThat(c.cmd("XYZZY")).isEqualTo("-ERR Too many errors, closing connection");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void shutdownSaysGoodbyeAndDeletesNothing() throws Exception {
        deliver("Subject: s\r\n\r\nx\r\n");
        try (Pop3TestClient c = loggedIn()) {
            assertThat(c.cmd("DELE 1")).startsWith("+OK");
            server.shutdown();
            assertThat(c.line()).isEqualTo("-ERR [SYS/TEMP] Server shutting down");
            assertThat(c.closedByServer()).isTrue();
        }
        awaitSessionsEnded();
        assertThat(messages()).hasSize(1);
    }

    private SaslMechanisms sasl() {
        return new SaslMechanisms(new Authenticator(store.directory(), new AuthThrottle(AuthThrottle.Policy.RELAXED,
                Clock.systemUTC()), PasswordHasher.Cost.TEST, Clock.systemUTC()));
    }

    /** HOSTILE A45: silence before login, or bytes trickled in that never finish a login, end the session. */
    @Test
    void loginTimeoutsEndSlowClientsButNotLoggedInOnes() throws Exception {
        Pop3Server strict = new Pop3Server(Pop3Config.defaults("h", false).withAllowPlaintextAuth(true)
                .withLoginTimeouts(Duration.ofMillis(500), Duration.ofMillis(1500)), store, sasl(), tls);
        try (Listener l = Listener.start("pop3-strict", InetAddress.getLoopbackAddress(), 0, false, tls,
                NetLimits.DEFAULT, strict)) {
            try (Pop3TestClient c = new Pop3TestClient(l.port())) {
                c.line();
                assertThat(c.line()).isEqualTo("-ERR Autologout: idle for too long");
                assertThat(c.closedByServer()).isTrue();
            }
            try (Pop3TestClient c = new Pop3TestClient(l.port())) {
                c.line();
                long start = System.nanoTime();
                Thread trickle = Thread.ofVirtual().start(() -> {
                    try {
                        while (true) {
                            c.sendRaw("X");
                            Thread.sleep(100);
                        }
                    } catch (IOException | InterruptedException e) {
                        // Closed by the server, as expected, or the test ended.
                    }
                });
                try {
                    assertThat(c.line()).isEqualTo("-ERR Autologout: login took too long");
                    assertThat(c.closedByServer()).isTrue();
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
                } finally {
                    trickle.interrupt();
                }
            }
            try (Pop3TestClient c = new Pop3TestClient(l.port())) {
                c.line();
                c.login(ALICE, PASSWORD);
                // Past both login limits: a logged-in session has RFC 1939's 10 minutes.
                Thread.sleep(2000);
                assertThat(c.cmd("NOOP")).isEqualTo("+OK");
                assertThat(c.cmd("QUIT")).startsWith("+OK");
            }
        }
    }

    /** RFC 6856 §2, RFC 6858 §3: raw UTF-8 headers only for a client that sent UTF8; sizes always exact. */
    @Test
    void utf8HeadersAreDowngradedUnlessTheClientSentUtf8() throws Exception {
        String stored = "From: Jörg <jörg@example.org>\r\nSubject: Grüße\r\nX-Ascii: plain\r\n\r\nKörper\r\n";
        deliver(stored);
        String downgraded = "From: =?UTF-8?B?" + b64("Jörg <jörg@example.org>") + "?= :;\r\nSubject: =?UTF-8?B?"
                + b64("Grüße") + "?=\r\nX-Ascii: plain\r\n\r\nKörper\r\n";
        byte[] down = downgraded.getBytes(StandardCharsets.UTF_8);
        byte[] raw = stored.getBytes(StandardCharsets.UTF_8);
        try (Pop3TestClient c = loggedIn()) {
            assertThat(c.cmd("LIST 1")).isEqualTo("+OK 1 " + down.length);
            assertThat(c.cmd("STAT")).isEqualTo("+OK 1 " + down.length);
            assertThat(c.cmd("RETR 1")).isEqualTo("+OK " + down.length + " octets");
            assertThat(c.rawMultiline()).isEqualTo(new String(down, StandardCharsets.ISO_8859_1) + ".\r\n");
            assertThat(c.cmd("TOP 1 0")).startsWith("+OK");
            assertThat(c.rawMultiline()).startsWith("From: =?UTF-8?B?").doesNotContain("Jörg").endsWith("plain\r\n\r\n.\r\n");
            assertThat(c.cmd("QUIT")).startsWith("+OK");
        }
        try (Pop3TestClient c = tlsClient()) {
            assertThat(c.cmd("UTF8")).isEqualTo("+OK UTF8 enabled");
            c.login(ALICE, PASSWORD);
            assertThat(c.cmd("LIST 1")).isEqualTo("+OK 1 " + raw.length);
            assertThat(c.cmd("RETR 1")).isEqualTo("+OK " + raw.length + " octets");
            assertThat(c.rawMultiline()).isEqualTo(new String(raw, StandardCharsets.ISO_8859_1) + ".\r\n");
            assertThat(c.cmd("UTF8")).startsWith("-ERR");
            assertThat(c.cmd("QUIT")).startsWith("+OK");
        }
    }

    /** Store contract: a password change (or a deleted account) ends open sessions, without UPDATE. */
    @Test
    void passwordChangeEndsTheSessionAndDeletesNothing() throws Exception {
        deliver("Subject: a\r\n\r\nx\r\n");
        try (Pop3TestClient c = loggedIn()) {
            assertThat(c.cmd("DELE 1")).startsWith("+OK");
            store.directory().setPassword(ALICE, new Passwords(PasswordHasher.Cost.TEST).record("a new password"));
            assertThat(c.closedByServer()).isTrue();
        }
        awaitSessionsEnded();
        assertThat(messages()).hasSize(1);
    }

    /** RFC 2449 §6.5, §8.1.1: the account's LOGIN-DELAY is announced after login and enforced. */
    @Test
    void loginDelayFromTheAccountSetting() throws Exception {
        store.directory().setSetting(ALICE, LoginDelay.SETTING, "120");
        try (Pop3TestClient c = loggedIn()) {
            assertThat(c.cmd("CAPA")).startsWith("+OK");
            assertThat(c.multiline()).contains("LOGIN-DELAY 120");
            assertThat(c.cmd("QUIT")).startsWith("+OK");
        }
        awaitSessionsEnded();
        try (Pop3TestClient c = tlsClient()) {
            assertThat(c.cmd("USER " + ALICE)).startsWith("+OK");
            assertThat(c.cmd("PASS " + PASSWORD)).isEqualTo("-ERR [LOGIN-DELAY] Logged in too recently, try again later");
        }
    }

    /** \Seen from RETR reaches the store once, at QUIT or when the connection drops (as in Dovecot). */
    @Test
    void retrSetsSeenEvenWhenTheConnectionDrops() throws Exception {
        deliver("Subject: a\r\n\r\nx\r\n");
        deliver("Subject: b\r\n\r\ny\r\n");
        Pop3TestClient dropped = loggedIn();
        assertThat(dropped.cmd("RETR 2")).startsWith("+OK");
        dropped.rawMultiline();
        dropped.close();
        awaitSessionsEnded();
        assertThat(messages()).extracting(m -> m.flags().contains("\\Seen")).containsExactly(false, true);
        try (Pop3TestClient c = loggedIn()) {
            assertThat(c.cmd("RETR 1")).startsWith("+OK");
            c.rawMultiline();
            assertThat(c.cmd("QUIT")).startsWith("+OK");
        }
        assertThat(messages()).allMatch(m -> m.flags().contains("\\Seen"));
    }

    /** pop3-mark-seen=no: downloads leave \Seen alone, so IMAP still shows the mail as new. */
    @Test
    void retrLeavesSeenAloneWhenTheAccountSaysSo() throws Exception {
        store.directory().setSetting(ALICE, TransactionHandler.MARK_SEEN_SETTING, "no");
        deliver("Subject: a\r\n\r\nx\r\n");
        try (Pop3TestClient c = loggedIn()) {
            assertThat(c.cmd("RETR 1")).startsWith("+OK");
            c.rawMultiline();
            assertThat(c.cmd("QUIT")).startsWith("+OK");
        }
        awaitSessionsEnded();
        assertThat(messages()).noneMatch(m -> m.flags().contains("\\Seen"));
    }
}
