// SPDX-License-Identifier: Apache-2.0
package org.postern.it.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.MessageRecord;
import org.postern.testkit.TestServer;

/**
 * POP3 client programs nobody here wrote, over 110 with STLS and over 995, in the two ways people use
 * POP3: leave mail on the server and download only what is new (UIDL tracking), or download and
 * delete. fetchmail and getmail6 are Debian packages; curl and Python's poplib too.
 */
class Pop3ClientProgramsIT {
    private static final String USER = "pat@example.test";
    private static final String PASSWORD = "pat-pop3-password";

    @TempDir
    Path dir;
    private TestServer server;
    private Inbox inbox;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start();
        server.createUser(USER, PASSWORD);
        inbox = new Inbox(server, USER);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private record Run(int exit, String output) {}

    private Run run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command.get(0)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static long filesIn(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) return 0;
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    private static String contentsOf(Path folder) throws IOException {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.sorted().toList()) b.append(Files.readString(p, StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    // ---- fetchmail ----

    /** One fetchmail run; each message it downloads becomes a file in {@code out}. */
    private Run fetchmail(boolean implicitTls, boolean keep, Path out) throws Exception {
        Files.createDirectories(out);
        int port = implicitTls ? server.pop3sPort() : server.pop3Port();
        // Without "ssl", sslproto makes STLS mandatory (fetchmail(1), "--sslproto").
        String tls = implicitTls ? "ssl sslproto 'tls1.2+'" : "sslproto 'tls1.2+'";
        String rc = "set no bouncemail\nset no syslog\n"
                + "poll 127.0.0.1 service " + port + " protocol pop3 uidl auth password\n"
                + "  user \"" + USER + "\" there with password \"" + PASSWORD + "\" is \"root\" here\n"
                + "  " + tls + " sslcertck sslcertfile \"" + server.certificatePem() + "\" sslcommonname \"localhost\"\n"
                + "  " + (keep ? "keep" : "no keep") + "\n"
                + "  mda \"/bin/sh -c 'cat > " + out + "/msg.$$'\"\n";
        Path rcFile = dir.resolve("fetchmailrc");
        Files.writeString(rcFile, rc);
        Files.setPosixFilePermissions(rcFile, PosixFilePermissions.fromString("rw-------"));
        return run(List.of("fetchmail", "--nodetach", "-v", "-f", rcFile.toString(), "-i",
                dir.resolve("fetchids").toString()), Map.of("HOME", dir.toString(), "FETCHMAILHOME", dir.toString()));
    }

    @Test
    void fetchmailLeavesMailOnTheServerAndDownloadsOnlyNewMailOverStls() throws Exception {
        for (String t : List.of("one", "two", "three")) inbox.deliver(Inbox.message(t));
        Path out = dir.resolve("fetched");
        Run first = fetchmail(false, true, out);
        assertThat(first.exit()).as(first.output()).isZero();
        assertThat(first.output()).contains("STLS");
        assertThat(filesIn(out)).as(first.output()).isEqualTo(3);
        assertThat(contentsOf(out)).contains("body of one", "body of three", "\n.line starting with a dot");

        // RFC 1939 §7 UIDL: the second run sees the same ids and downloads nothing (exit 1: no mail).
        Run second = fetchmail(false, true, dir.resolve("fetched2"));
        assertThat(second.exit()).as(second.output()).isEqualTo(1);
        assertThat(filesIn(dir.resolve("fetched2"))).isZero();

        inbox.deliver(Inbox.message("four"));
        Run third = fetchmail(false, true, dir.resolve("fetched3"));
        assertThat(third.exit()).as(third.output()).isZero();
        assertThat(contentsOf(dir.resolve("fetched3"))).contains("body of four").doesNotContain("body of one");
        // fetchmail in keep mode downloads with "TOP n 99999999", which leaves \Seen alone (as in Dovecot).
        assertThat(inbox.messages()).hasSize(4);
    }

    @Test
    void fetchmailDeletesWhatItDownloadedOver995() throws Exception {
        for (String t : List.of("one", "two")) inbox.deliver(Inbox.message(t));
        Path out = dir.resolve("fetched");
        Run r = fetchmail(true, false, out);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(filesIn(out)).isEqualTo(2);
        assertThat(inbox.messages()).as(r.output()).isEmpty();
    }

    // ---- getmail6 (POP3 over implicit TLS only: getmail has no STLS for POP3) ----

    private Run getmail(boolean delete, Path maildir) throws Exception {
        for (String sub : List.of("cur", "new", "tmp")) Files.createDirectories(maildir.resolve(sub));
        // getmail refuses to deliver as root: as root (a CI container), deliver as nobody.
        String asUser = "";
        if (System.getProperty("user.name").equals("root")) {
            asUser = "user = nobody\n";
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (Path p : List.of(maildir, maildir.resolve("cur"), maildir.resolve("new"), maildir.resolve("tmp"))) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
        }
        String rc = "[retriever]\ntype = SimplePOP3SSLRetriever\nserver = 127.0.0.1\nport = " + server.pop3sPort()
                + "\nusername = " + USER + "\npassword = " + PASSWORD + "\nca_certs = " + server.certificatePem()
                + "\n\n[destination]\ntype = Maildir\npath = " + maildir + "/\n" + asUser + "\n[options]\nread_all = false\ndelete = "
                + delete + "\nverbose = 2\n";
        Path home = dir.resolve("getmail");
        Files.createDirectories(home);
        Files.writeString(home.resolve("getmailrc"), rc);
        return run(List.of("getmail", "--getmaildir", home.toString(), "--rcfile", "getmailrc"),
                Map.of("HOME", dir.toString()));
    }

    @Test
    void getmailLeavesMailOnTheServerAndRemembersUidls() throws Exception {
        for (String t : List.of("one", "two", "three")) inbox.deliver(Inbox.message(t));
        Path maildir = dir.resolve("Maildir");
        Run first = getmail(false, maildir);
        assertThat(first.exit()).as(first.output()).isZero();
        assertThat(filesIn(maildir.resolve("new"))).as(first.output()).isEqualTo(3);
        assertThat(contentsOf(maildir.resolve("new"))).contains("body of two", "\n.line starting with a dot");

        Run second = getmail(false, maildir);
        assertThat(second.exit()).as(second.output()).isZero();
        assertThat(filesIn(maildir.resolve("new"))).as(second.output()).isEqualTo(3);
        assertThat(inbox.messages()).hasSize(3);

        inbox.deliver(Inbox.message("four"));
        Run third = getmail(false, maildir);
        assertThat(filesIn(maildir.resolve("new"))).as(third.output()).isEqualTo(4);
    }

    @Test
    void getmailDeletesWhatItDownloaded() throws Exception {
        for (String t : List.of("one", "two")) inbox.deliver(Inbox.message(t));
        Path maildir = dir.resolve("Maildir");
        Run r = getmail(true, maildir);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(filesIn(maildir.resolve("new"))).isEqualTo(2);
        assertThat(inbox.messages()).as(r.output()).isEmpty();
    }

    // ---- curl ----

    private Run curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "--cacert",
                server.certificatePem().toString(), "-u", USER + ":" + PASSWORD));
        cmd.addAll(List.of(args));
        return run(cmd, Map.of());
    }

    @Test
    void curlOver995AndOverStls() throws Exception {
        inbox.deliver(Inbox.message("one"));
        long uid2 = inbox.deliver(Inbox.message("two"));
        String pop3s = "pop3s://localhost:" + server.pop3sPort() + "/";
        String pop3 = "pop3://localhost:" + server.pop3Port() + "/";

        Run list = curl(pop3s);
        assertThat(list.exit()).as(list.output()).isZero();
        assertThat(list.output()).isEqualTo("1 " + Inbox.message("one").length() + "\r\n2 "
                + Inbox.message("two").length() + "\r\n");

        Run retr = curl("--ssl-reqd", pop3 + "2");
        assertThat(retr.exit()).as(retr.output()).isZero();
        assertThat(retr.output()).isEqualTo(Inbox.message("two"));

        Run uidl = curl(pop3s, "-X", "UIDL");
        assertThat(uidl.exit()).as(uidl.output()).isZero();
        assertThat(uidl.output()).endsWith("2 " + inbox.inbox().uidValidity() + "." + uid2 + "\r\n");

        Run top = curl("--ssl-reqd", pop3, "-X", "TOP 1 0");
        assertThat(top.exit()).as(top.output()).isZero();
        assertThat(top.output()).contains("Subject: one").doesNotContain("body of one");

        // Without TLS the password is never sent: curl fails rather than log in in clear.
        Run clear = curl(pop3);
        assertThat(clear.exit()).as(clear.output()).isNotZero();
    }

    // ---- Python poplib ----

    @Test
    void pythonPoplibOverStlsAnd995() throws Exception {
        inbox.deliver(Inbox.message("one"));
        inbox.deliver(Inbox.message("two"));
        String script = """
                import poplib, ssl, sys
                cafile, plain, implicit, user, pw = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
                ctx = ssl.create_default_context(cafile=cafile)
                p = poplib.POP3("127.0.0.1", plain, timeout=30)
                caps = p.capa()
                assert "STLS" in caps and "USER" not in caps, caps
                p.stls(ctx)
                caps = p.capa()
                assert "USER" in caps and "TOP" in caps and "UIDL" in caps and "PIPELINING" in caps, caps
                p.user(user); p.pass_(pw)
                count, size = p.stat()
                assert count == 2, count
                resp, lines, octets = p.retr(1)
                assert b"body of one" in lines and b".line starting with a dot" in lines, lines
                resp, lines, octets = p.top(2, 0)
                assert b"Subject: two" in lines and b"body of two" not in lines, lines
                uidl_before = p.uidl()[1]
                p.dele(1)
                try:
                    p.retr(1); raise SystemExit("RETR of a deleted message worked")
                except poplib.error_proto as e:
                    assert b"deleted" in e.args[0], e
                p.rset(); p.quit()
                q = poplib.POP3_SSL("127.0.0.1", implicit, context=ctx, timeout=30)
                q.user(user); q.pass_(pw)
                assert q.uidl()[1] == uidl_before, (q.uidl()[1], uidl_before)
                q.dele(2); q.quit()
                print("poplib: ok")
                """;
        Path file = dir.resolve("poplib_check.py");
        Files.writeString(file, script);
        Run r = run(List.of("python3", file.toString(), server.certificatePem().toString(),
                String.valueOf(server.pop3Port()), String.valueOf(server.pop3sPort()), USER, PASSWORD), Map.of());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("poplib: ok");
        assertThat(inbox.messages()).extracting(MessageRecord::uid).hasSize(1);
    }
}
