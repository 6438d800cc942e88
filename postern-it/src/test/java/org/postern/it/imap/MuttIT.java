// SPDX-License-Identifier: Apache-2.0
package org.postern.it.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.Account;
import org.postern.store.MessageRecord;
import org.postern.testkit.TestServer;

/**
 * mutt (Debian package mutt) against the whole server: in batch mode it sends over submissions and
 * files the copy in Sent over IMAPS (APPEND); driven by pushed keys under a pseudo-terminal
 * (util-linux script) it opens INBOX, saves the message to Archive and expunges it (SELECT, FETCH,
 * COPY or MOVE, STORE, EXPUNGE).
 *
 * <p>IMAP logs in with SCRAM-SHA-256 through Cyrus SASL (authzid in the gs2-header); submission
 * with PLAIN, so both mechanisms meet a client nobody here wrote.
 */
class MuttIT {
    static final String USER = "mutt@example.test";
    static final String PASSWORD = "mutt-password-1";

    @TempDir
    Path dir;
    TestServer server;
    Account account;
    Path rc;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start();
        account = server.createUser(USER, PASSWORD);
        rc = dir.resolve("muttrc");
        String user = USER.replace("@", "%40");
        Files.writeString(rc, """
                set folder="imaps://%s@localhost:%d/"
                set imap_pass="%s"
                set spoolfile="+INBOX"
                set record="+Sent"
                set copy=yes
                set certificate_file="%s"
                set smtp_url="smtps://%s@localhost:%d/"
                set smtp_pass="%s"
                set from="%s"
                set use_from=yes
                set realname="Mutt Tester"
                set confirmappend=no
                set confirmcreate=no
                set delete=yes
                set move=no
                set mark_old=no
                set wait_key=no
                set imap_passive=no
                set timeout=5
                set smtp_authenticators="plain"
                set imap_authenticators="scram-sha-256"
                set header_cache=""
                set message_cachedir=""
                """.formatted(user, server.imapsPort(), PASSWORD, server.certificatePem(), user,
                server.submissionsPort(), PASSWORD, USER));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private List<MessageRecord> messages(String mailbox) {
        long id = server.store().mailboxes().find(account.id(), mailbox).orElseThrow().id();
        return server.store().mailboxes().snapshot(account.id(), id).messages();
    }

    private String run(List<String> cmd, Path stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile());
        pb.environment().put("HOME", dir.toString());
        pb.environment().put("TERM", "vt100");
        if (stdin != null) pb.redirectInput(stdin.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void batchSendFilesToSentThenSaveToArchiveAndExpunge() throws Exception {
        Path body = dir.resolve("body.txt");
        Files.writeString(body, "Hello from mutt in batch mode.\n");
        run(List.of("mutt", "-n", "-F", rc.toString(), "-s", "batch hello", "--", USER), body);
        assertThat(messages("Sent")).hasSize(1);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (messages("INBOX").isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(messages("INBOX")).as("delivered to INBOX").hasSize(1);

        // s = save-message (copy to Archive, mark deleted), $ = sync-mailbox (expunge), q = quit.
        String keys = "push '<save-message>=Archive<enter><sync-mailbox><quit>'";
        String mutt = "mutt -n -F " + rc + " -e \"" + keys + "\"";
        run(List.of("script", "-qec", mutt, "/dev/null"), null);
        assertThat(messages("INBOX")).isEmpty();
        List<MessageRecord> archive = messages("Archive");
        assertThat(archive).hasSize(1);
    }
}
