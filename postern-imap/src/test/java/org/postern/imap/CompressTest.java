// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
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
import org.postern.store.sqlite.SqliteMailStore;

/** COMPRESS=DEFLATE (RFC 4978) over STARTTLS, with IDLE, the decompression bomb (HOSTILE A66) and Jakarta Mail. */
class CompressTest {
    static final String MSG = "From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n";

    @TempDir
    Path dir;
    SqliteMailStore store;
    TlsContext tls;
    Listener listener;

    @BeforeEach
    void setUp() throws Exception {
        store = SqliteMailStore.open(dir.resolve("data"));
        store.directory().addDomain("example.org");
        store.directory().createAccount("alice@example.org", new Passwords(PasswordHasher.Cost.TEST).record("secret"), false);
        SelfSignedCertificate.createIfMissing(dir.resolve("cert.pem"), dir.resolve("key.pem"), "localhost");
        tls = TlsContext.fromPem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        SaslMechanisms sasl = new SaslMechanisms(new Authenticator(store.directory(),
                new AuthThrottle(AuthThrottle.Policy.RELAXED, Clock.systemUTC()), PasswordHasher.Cost.TEST, Clock.systemUTC()));
        listener = Listener.start("imap", InetAddress.getLoopbackAddress(), 0, false, tls, NetLimits.DEFAULT,
                new ImapServer(ImapConfig.defaults("localhost", false), store, sasl, tls));
    }

    @AfterEach
    void tearDown() {
        listener.close();
        store.close();
    }

    private ImapClient tlsLogin() throws Exception {
        ImapClient c = new ImapClient(listener.port());
        assertThat(c.line()).startsWith("* OK [CAPABILITY ").doesNotContain("COMPRESS");
        assertThat(c.cmd("a", "COMPRESS DEFLATE")).containsExactly("a BAD Log in first");
        assertThat(c.cmd("t", "STARTTLS")).containsExactly("t OK Begin TLS negotiation now");
        c.startTls(tls.clientContextTrustingSelf());
        assertThat(c.cmd("l", "LOGIN alice@example.org secret").getLast()).startsWith("l OK [CAPABILITY ").contains(" COMPRESS=DEFLATE ");
        return c;
    }

    @Test
    void compressedSessionWithIdle() throws Exception {
        try (ImapClient c = tlsLogin(); ImapClient other = tlsLogin()) {
            assertThat(c.cmd("b", "COMPRESS LZW")).containsExactly("b BAD Unknown compression mechanism");
            assertThat(c.cmd("c", "COMPRESS DEFLATE")).containsExactly("c OK DEFLATE active");
            c.compress();
            assertThat(c.cmd("d", "NOOP")).containsExactly("d OK NOOP completed");
            assertThat(c.cmd("e", "compress deflate")).containsExactly("e NO [COMPRESSIONACTIVE] DEFLATE active already");
            assertThat(c.cmd("f", "SELECT INBOX")).contains("* 0 EXISTS", "f OK [READ-WRITE] SELECT completed");
            c.send("g IDLE");
            assertThat(c.line()).isEqualTo("+ idling");
            other.send("ap APPEND INBOX {" + MSG.length() + "+}");
            other.sendRaw(MSG + "\r\n");
            assertThat(other.until("ap").getLast()).startsWith("ap OK [APPENDUID ");
            // Arrives without anything more from the client: the server flushed its DEFLATE stream.
            assertThat(c.line()).isEqualTo("* 1 EXISTS");
            assertThat(c.line()).isEqualTo("* 1 RECENT");
            c.send("DONE");
            assertThat(c.line()).isEqualTo("g OK IDLE terminated");
            // A literal through the compressed stream, both ways.
            c.send("h APPEND INBOX {" + MSG.length() + "}");
            assertThat(c.line()).isEqualTo("+ Ready for literal data");
            c.sendRaw(MSG + "\r\n");
            assertThat(c.until("h")).last().asString().startsWith("h OK [APPENDUID ");
            assertThat(c.cmd("i", "FETCH 2 BODY.PEEK[TEXT]"))
                    .containsExactly("* 2 FETCH (BODY[TEXT] {6}\r\nbody\r\n)", "i OK FETCH completed");
            assertThat(c.cmd("z", "LOGOUT")).containsExactly("* BYE Logging out", "z OK LOGOUT completed");
        }
    }

    @Test
    void decompressionBombEndsTheSession() throws Exception {
        // HOSTILE A66: 16 MiB without a line end compress to a few KiB; the server stops inflating
        // after one command's budget and says goodbye instead of inflating everything.
        try (ImapClient c = tlsLogin()) {
            assertThat(c.cmd("c", "COMPRESS DEFLATE")).containsExactly("c OK DEFLATE active");
            c.compress();
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 'A');
            try {
                c.sendRaw("x NOOP ".getBytes());
                for (int i = 0; i < 16; i++) c.sendRaw(chunk);
            } catch (IOException closedUnderUs) {
                // the server may already have closed
            }
            assertThat(c.line()).isEqualTo("* BYE Too much input");
            String after;
            try {
                after = c.line();
            } catch (java.io.EOFException endOfDeflateStream) {
                after = null;
            }
            assertThat(after).as("connection closed after BYE").isNull();
        }
    }

    @Test
    void manyCommandsInOneCompressedWriteStayWithinLimits() throws Exception {
        try (ImapClient c = tlsLogin()) {
            assertThat(c.cmd("c", "COMPRESS DEFLATE")).containsExactly("c OK DEFLATE active");
            c.compress();
            c.sendRaw("n NOOP\r\n".repeat(20_000).getBytes());
            for (int i = 0; i < 20_000; i++) assertThat(c.line()).isEqualTo("n OK NOOP completed");
            // A literal larger than a command may be is refused before "+", as without COMPRESS.
            assertThat(c.cmd("s", "SEARCH SUBJECT {999999}")).containsExactly("s BAD [TOOBIG] Literal too large");
            assertThat(c.cmd("t", "NOOP")).containsExactly("t OK NOOP completed");
        }
    }

    @Test
    void jakartaMailWithCompressEnabled() throws Exception {
        Properties p = new Properties();
        p.put("mail.imap.host", "localhost");
        p.put("mail.imap.port", String.valueOf(listener.port()));
        p.put("mail.imap.starttls.enable", "true");
        p.put("mail.imap.starttls.required", "true");
        p.put("mail.imap.ssl.trust", "*");
        p.put("mail.imap.ssl.checkserveridentity", "false");
        p.put("mail.imap.compress.enable", "true");
        jakarta.mail.Session session = jakarta.mail.Session.getInstance(p);
        java.io.ByteArrayOutputStream debug = new java.io.ByteArrayOutputStream();
        session.setDebugOut(new java.io.PrintStream(debug, true, java.nio.charset.StandardCharsets.UTF_8));
        session.setDebug(true);
        try (jakarta.mail.Store st = session.getStore("imap")) {
            st.connect("alice@example.org", "secret");
            jakarta.mail.Folder inbox = st.getFolder("INBOX");
            inbox.open(jakarta.mail.Folder.READ_WRITE);
            jakarta.mail.internet.MimeMessage m = new jakarta.mail.internet.MimeMessage(session);
            m.setSubject("compressed " + "x".repeat(5000));
            m.setText("text ".repeat(2000));
            inbox.appendMessages(new jakarta.mail.Message[] {m});
            assertThat(inbox.getMessageCount()).isEqualTo(1);
            jakarta.mail.Message got = inbox.getMessage(1);
            assertThat(got.getSubject()).isEqualTo("compressed " + "x".repeat(5000));
            assertThat(((String) got.getContent()).strip()).isEqualTo(("text ".repeat(2000)).strip());
            inbox.close(false);
        }
        // The client really switched: its own trace shows the command and our answer.
        assertThat(debug.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("COMPRESS DEFLATE", "OK DEFLATE active");
    }

    @Test
    void pythonImaplibOverZlib() throws Exception {
        Path script = dir.resolve("imaplib_compress.py");
        try (var in = getClass().getResourceAsStream("/imaplib_compress.py")) {
            java.nio.file.Files.copy(in, script);
        }
        Process p = new ProcessBuilder("python3", script.toString(), String.valueOf(listener.port()))
                .redirectErrorStream(true).start();
        boolean done = p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        if (!done) p.destroyForcibly();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(done).as("python finished in time").isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("OK compressed session");
    }
}
