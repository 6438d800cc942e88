// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;

/** QUOTA (RFC 9208): roots, limits set by an administrator, OVERQUOTA for APPEND and COPY. */
class QuotaTest {
    static final String MSG = "From: a@example.org\r\nSubject: q\r\n\r\n" + "x".repeat(63) + "\r\n"; // 100 octets

    @TempDir
    Path dir;
    ImapFixture server;

    @BeforeEach
    void setUp() throws Exception {
        server = new ImapFixture(dir);
        server.store.directory().createAccount("root@example.org", new Passwords(PasswordHasher.Cost.TEST).record("pw"), true);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private ImapFixture.Session admin() throws Exception {
        ImapFixture.Session s = new ImapFixture.Session(new ImapClient(server.listener.port()));
        s.client.line();
        assertThat(s.cmd("l LOGIN root@example.org pw").getLast()).startsWith("l OK ");
        return s;
    }

    @Test
    void unlimitedUntilAnAdministratorSetsLimits() throws Exception {
        assertThat(MSG).hasSize(100);
        try (ImapFixture.Session c = server.login(); ImapFixture.Session root = admin()) {
            assertThat(c.cmd("c CAPABILITY").getFirst()).contains(" QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE QUOTASET ");
            c.exchange("a GETQUOTAROOT INBOX", "* QUOTAROOT INBOX \"\"", "* QUOTA \"\" ()", "a OK GETQUOTAROOT completed");
            c.exchange("b GETQUOTA \"\"", "* QUOTA \"\" ()", "b OK GETQUOTA completed");
            c.exchange("c GETQUOTAROOT Nowhere", "c NO [NONEXISTENT] Mailbox does not exist");
            // Users cannot raise their own limits, nor learn about other roots.
            c.exchange("d SETQUOTA \"\" (STORAGE 999999)", "d NO [NOPERM] Only administrators can set quotas");
            c.exchange("e SETQUOTA \"#user/root@example.org\" ()", "e NO [NONEXISTENT] No such quota root");
            c.exchange("f GETQUOTA \"#user/root@example.org\"", "f NO [NONEXISTENT] No such quota root");
            c.exchange("g GETQUOTA \"#user/nobody@example.org\"", "g NO [NONEXISTENT] No such quota root");

            root.exchange("h SETQUOTA \"#user/alice@example.org\" (STORAGE 1 MESSAGE 2)",
                    "* QUOTA \"#user/alice@example.org\" (STORAGE 0 1 MESSAGE 0 2)", "h OK SETQUOTA completed");
            root.exchange("i SETQUOTA \"#user/alice@example.org\" (MAILBOX 3)",
                    "i NO [CANNOT] Resource MAILBOX cannot be limited here");
            root.exchange("j SETQUOTA \"#user/nobody@example.org\" (STORAGE 1)", "j NO [NONEXISTENT] No such quota root");
            root.exchange("k SETQUOTA \"\" (STORAGE 10 10)", "k BAD Expected a single space");

            c.append("INBOX", MSG);
            c.exchange("l GETQUOTA \"\"", "* QUOTA \"\" (STORAGE 1 1 MESSAGE 1 2)", "l OK GETQUOTA completed");
            // Synchronizing: refused before "+", no octets sent.
            String big = MSG.repeat(10);
            c.exchange("m APPEND INBOX {" + big.length() + "}", "m NO [OVERQUOTA] Quota exceeded");
            // LITERAL+: the octets are read and dropped, then the refusal.
            c.client.send("n APPEND INBOX {" + big.length() + "+}");
            c.client.sendRaw(big + "\r\n");
            c.expectLines("n NO [OVERQUOTA] Quota exceeded");
            c.cmd("s SELECT INBOX");
            c.capture("UV", "u STATUS Archive (UIDVALIDITY)", "UIDVALIDITY (\\d+)");
            c.exchange("o COPY 1 Archive", "o OK [COPYUID ${UV} 1 1] COPY completed");
            c.exchange("p COPY 1 Archive", "p NO [OVERQUOTA] Quota exceeded");
            // MOVE adds nothing to the account.
            assertThat(c.cmd("q MOVE 1 Trash").getLast()).isEqualTo("q OK MOVE completed");
            c.exchange("r STATUS Archive (MESSAGES DELETED DELETED-STORAGE)",
                    "* STATUS Archive (MESSAGES 1 DELETED 0 DELETED-STORAGE 0)", "r OK STATUS completed");

            // Clearing all limits: unlimited again.
            root.exchange("t SETQUOTA \"#user/alice@example.org\" ()", "* QUOTA \"#user/alice@example.org\" ()",
                    "t OK SETQUOTA completed");
            c.append("INBOX", big);
        }
    }
}
