// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;

/**
 * ACL with RIGHTS=texk (RFC 4314) as transcripts: alice shares mailboxes, bob and carol see them
 * under "Other Users/" with exactly the rights granted, each keeping their own \Seen, and a
 * mailbox they may not see answers exactly as one that does not exist.
 */
class AclTest {
    static final String MSG1 = "From: a@example.org\r\nSubject: one\r\n\r\nfirst\r\n";
    static final String MSG2 = "From: a@example.org\r\nSubject: two\r\n\r\nsecond\r\n";
    static final String SHARED = "\"Other Users/alice@example.org/INBOX\"";

    @TempDir
    Path dir;
    ImapFixture server;

    @BeforeEach
    void setUp() throws Exception {
        server = new ImapFixture(dir);
        server.store.directory().createAccount("bob@example.org", new Passwords(PasswordHasher.Cost.TEST).record("pw"), false);
        server.store.directory().createAccount("carol@example.org", new Passwords(PasswordHasher.Cost.TEST).record("pw"), false);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private ImapFixture.Session login(String user) throws Exception {
        ImapFixture.Session s = new ImapFixture.Session(new ImapClient(server.listener.port()));
        s.client.line();
        assertThat(s.cmd("l LOGIN " + user + " pw").getLast()).startsWith("l OK ");
        return s;
    }

    @Test
    void aRepeatedListShowsAGrantAndItsRevocation() throws Exception {
        try (ImapFixture.Session a = server.login(); ImapFixture.Session b = login("bob@example.org")) {
            b.exchange("a LIST \"\" \"Other Users/*\"", "a OK LIST completed");
            b.exchange("b LIST \"\" \"Other Users/*\"", "b OK LIST completed");
            a.exchange("c SETACL INBOX bob@example.org lr", "c OK SETACL completed");
            b.exchange("d LIST \"\" \"Other Users/*\"",
                    "* LIST (\\Noselect \\HasChildren) \"/\" \"Other Users/alice@example.org\"",
                    "* LIST (\\HasNoChildren) \"/\" " + SHARED, "d OK LIST completed");
            a.exchange("e SETACL INBOX bob@example.org \"\"", "e OK SETACL completed");
            b.exchange("f LIST \"\" \"Other Users/*\"", "f OK LIST completed");
        }
    }

    @Test
    void ownerManagesTheAcl() throws Exception {
        try (ImapFixture.Session a = server.login()) {
            assertThat(a.cmd("c CAPABILITY").getFirst()).contains(" ACL RIGHTS=texk ");
            a.exchange("a MYRIGHTS INBOX", "* MYRIGHTS INBOX lrswipkxteacd", "a OK MYRIGHTS completed");
            a.exchange("b GETACL INBOX", "* ACL INBOX alice@example.org lrswipkxteacd", "b OK GETACL completed");
            a.exchange("c SETACL INBOX Bob@Example.org lrs", "c OK SETACL completed");
            a.exchange("d SETACL INBOX bob@example.org +wd", "d OK SETACL completed");
            a.exchange("e GETACL INBOX", "* ACL INBOX alice@example.org lrswipkxteacd bob@example.org lrswxted",
                    "e OK GETACL completed");
            a.exchange("f SETACL INBOX bob@example.org -xt", "f OK SETACL completed");
            a.exchange("g SETACL INBOX anyone l", "g OK SETACL completed");
            a.exchange("h GETACL INBOX", "* ACL INBOX alice@example.org lrswipkxteacd anyone l bob@example.org lrswed",
                    "h OK GETACL completed");
            // RFC 4314 §3.1: unknown or upper-case rights are BAD, never ignored.
            a.exchange("i SETACL INBOX bob@example.org lrQ", "i BAD Unsupported right Q");
            a.exchange("j SETACL INBOX bob@example.org lrq", "j BAD Unsupported right q");
            a.exchange("k SETACL INBOX alice@example.org l", "k NO [CANNOT] The owner's rights cannot be changed");
            a.exchange("l SETACL INBOX -bob@example.org l", "l NO [CANNOT] Negative rights are not supported");
            a.exchange("m SETACL INBOX \"\" l", "m BAD Invalid identifier");
            a.exchange("n LISTRIGHTS INBOX bob@example.org",
                    "* LISTRIGHTS INBOX bob@example.org \"\" l r s w i p k x t e a c d", "n OK LISTRIGHTS completed");
            a.exchange("o LISTRIGHTS INBOX alice@example.org", "* LISTRIGHTS INBOX alice@example.org lrswipkxteacd",
                    "o OK LISTRIGHTS completed");
            a.exchange("p DELETEACL INBOX anyone", "p OK DELETEACL completed");
            a.exchange("q GETACL Nowhere", "q NO [NONEXISTENT] Mailbox does not exist");
            a.exchange("r GETACL INBOX", "* ACL INBOX alice@example.org lrswipkxteacd bob@example.org lrswed",
                    "r OK GETACL completed");
            a.exchange("s CREATE \"Other Users\"", "s NO [CANNOT] names under Other Users are other users' mailboxes");
            a.exchange("t CREATE \"Other Users/x\"", "t NO [NOPERM] Cannot create mailboxes there");
            a.exchange("u RENAME Archive \"Other Users\"", "u NO [CANNOT] names under Other Users are other users' mailboxes");
        }
    }

    @Test
    void sharedMailboxWithOwnSeenAndRightsEnforced() throws Exception {
        try (ImapFixture.Session a = server.login(); ImapFixture.Session b = login("bob@example.org");
                ImapFixture.Session c = login("carol@example.org")) {
            a.append("INBOX", MSG1);
            a.append("INBOX", "(\\Seen) ", MSG2);
            assertThat(a.cmd("b CREATE Secret").getLast()).startsWith("b OK ");
            a.exchange("c SETACL INBOX bob@example.org lrsw", "c OK SETACL completed");
            a.exchange("d SETACL Secret carol@example.org lr", "d OK SETACL completed");

            b.exchange("a NAMESPACE", "* NAMESPACE ((\"\" \"/\")) ((\"Other Users/\" \"/\")) NIL", "a OK NAMESPACE completed");
            b.exchange("b LIST \"Other Users/\" *",
                    "* LIST (\\Noselect \\HasChildren) \"/\" \"Other Users/alice@example.org\"",
                    "* LIST (\\HasNoChildren) \"/\" \"Other Users/alice@example.org/INBOX\"", "b OK LIST completed");
            b.exchange("c MYRIGHTS " + SHARED, "* MYRIGHTS \"Other Users/alice@example.org/INBOX\" lrsw", "c OK MYRIGHTS completed");
            b.exchange("d GETACL " + SHARED, "d NO [NOPERM] Permission denied");
            b.exchange("e STATUS " + SHARED + " (MESSAGES UNSEEN)",
                    "* STATUS \"Other Users/alice@example.org/INBOX\" (MESSAGES 2 UNSEEN 2)", "e OK STATUS completed");
            List<String> sel = b.cmd("f SELECT " + SHARED);
            assertThat(sel).contains("* 2 EXISTS").last().asString().startsWith("f OK [READ-WRITE]");
            // Alice's \Seen on message 2 is hers: bob sees both unseen, then marks his own.
            b.exchange("g FETCH 1:* (UID FLAGS)", "* 1 FETCH (UID 1 FLAGS ())",
                    "* 2 FETCH (UID 2 FLAGS ())", "g OK FETCH completed");
            b.exchange("h STORE 1 +FLAGS (\\Seen $Work)", "* 1 FETCH (FLAGS ($Work \\Seen))", "h OK STORE completed");
            // No "t" right: \Deleted is silently left alone (RFC 4314 §4 STORE); the FETCH shows so.
            b.exchange("i STORE 2 +FLAGS (\\Deleted)", "* 2 FETCH (FLAGS ())", "i OK STORE completed");
            b.exchange("j EXPUNGE", "j NO [NOPERM] Missing right 'e' on this mailbox");
            b.exchange("k FETCH 2 BODY[TEXT]", "* 2 FETCH (BODY[TEXT] {8}\r\nsecond\r\n FLAGS (\\Seen))", "k OK FETCH completed");
            b.exchange("l STATUS " + SHARED + " (UNSEEN)", "* STATUS \"Other Users/alice@example.org/INBOX\" (UNSEEN 0)",
                    "l OK STATUS completed");

            // Alice's own state did not change: message 1 still unseen for her, $Work visible to both.
            a.cmd("s SELECT INBOX");
            a.exchange("e FETCH 1:* (FLAGS)", "* 1 FETCH (FLAGS ($Work))", "* 2 FETCH (FLAGS (\\Seen))", "e OK FETCH completed");
            a.exchange("f STATUS Secret (MESSAGES)", "* STATUS Secret (MESSAGES 0)", "f OK STATUS completed");

            // No existence oracle: a mailbox bob may not see answers like one that does not exist.
            b.cmd("z UNSELECT");
            for (String name : new String[] {"\"Other Users/alice@example.org/Secret\"", "\"Other Users/alice@example.org/Nope\"",
                    "\"Other Users/nobody@example.org/INBOX\"", "\"Other Users/bob@example.org/INBOX\""}) {
                b.exchange("m SELECT " + name, "m NO [NONEXISTENT] Mailbox does not exist");
                b.exchange("n STATUS " + name + " (MESSAGES)", "n NO [NONEXISTENT] Mailbox does not exist");
                b.exchange("o MYRIGHTS " + name, "o NO [NONEXISTENT] Mailbox does not exist");
                b.exchange("p GETMETADATA " + name + " /shared/comment", "p NO [NONEXISTENT] Mailbox does not exist");
                b.exchange("q APPEND " + name + " {3}", "q NO [TRYCREATE] Mailbox does not exist");
            }
            // Carol sees Secret (lr) but not INBOX; read-only rights keep her from appending.
            c.exchange("a LIST \"\" \"Other Users/*\"",
                    "* LIST (\\Noselect \\HasChildren) \"/\" \"Other Users/alice@example.org\"",
                    "* LIST (\\HasNoChildren) \"/\" \"Other Users/alice@example.org/Secret\"", "a OK LIST completed");
            c.exchange("b SELECT " + SHARED, "b NO [NONEXISTENT] Mailbox does not exist");
            c.exchange("c APPEND \"Other Users/alice@example.org/Secret\" {3+}\r\nabc", "c NO [NOPERM] Missing right 'i' on this mailbox");

            // Bob copies a shared message into his own mailbox; it takes his view of the flags.
            b.cmd("y SELECT " + SHARED);
            b.capture("UV", "u STATUS Archive (UIDVALIDITY)", "UIDVALIDITY (\\d+)");
            b.exchange("r COPY 1 Archive", "r OK [COPYUID ${UV} 1 1] COPY completed");
            b.exchange("s MOVE 1 Archive", "s NO [NOPERM] Missing right 't' on this mailbox");
            b.exchange("t DELETE " + SHARED, "t NO [NOPERM] Missing right 'x' on this mailbox");
            b.cmd("u SELECT Archive");
            b.exchange("v FETCH 1 (FLAGS BODY.PEEK[TEXT])", "* 1 FETCH (FLAGS ($Work \\Seen) BODY[TEXT] {7}\r\nfirst\r\n)",
                    "v OK FETCH completed");

            // Revoked: gone for bob, exactly like a mailbox that never existed.
            a.exchange("g DELETEACL INBOX bob@example.org", "g OK DELETEACL completed");
            b.exchange("w SELECT " + SHARED, "* OK [CLOSED] Previous mailbox is now closed", "w NO [NONEXISTENT] Mailbox does not exist");
            b.exchange("x LIST \"\" \"Other Users/*\"", "x OK LIST completed");
        }
    }

    @Test
    void appendFiltersFlagsByRightsAndIdleSeesTheOwnersChanges() throws Exception {
        try (ImapFixture.Session a = server.login(); ImapFixture.Session b = login("bob@example.org")) {
            a.exchange("a SETACL INBOX bob@example.org lrsi", "a OK SETACL completed");
            // RFC 4314 §4: "i" lets bob append; flags he may not set are dropped, \Seen is his own.
            b.client.send("b APPEND " + SHARED + " (\\Seen \\Deleted $X) {" + MSG1.length() + "+}");
            b.client.sendRaw(MSG1 + "\r\n");
            assertThat(b.client.until("b").getLast()).matches("b OK \\[APPENDUID \\d+ 1\\] APPEND completed");
            a.cmd("s SELECT INBOX");
            a.exchange("c FETCH 1 FLAGS", "* 1 FETCH (FLAGS ())", "c OK FETCH completed");
            assertThat(b.cmd("d SELECT " + SHARED)).contains("* 1 EXISTS");
            b.exchange("e FETCH 1 FLAGS", "* 1 FETCH (FLAGS (\\Seen))", "e OK FETCH completed");
            // The owner's change wakes bob's IDLE at once (well before the 10 s fallback poll).
            b.client.timeout(5000);
            b.client.send("f IDLE");
            b.expectLines("+ idling");
            a.append("INBOX", MSG2);
            b.expectLines("* 2 EXISTS");
            b.client.send("DONE");
            assertThat(b.client.until("f").getLast()).isEqualTo("f OK IDLE terminated");
            // Subscriptions to shared mailboxes are bob's own.
            b.exchange("i SUBSCRIBE " + SHARED, "i OK SUBSCRIBE completed");
            b.exchange("j LSUB \"\" \"Other Users/*\"", "* LSUB (\\HasNoChildren) \"/\" \"Other Users/alice@example.org/INBOX\"",
                    "j OK LSUB completed");
            a.exchange("k LSUB \"\" \"Other Users/*\"", "k OK LSUB completed");
            b.exchange("l UNSUBSCRIBE " + SHARED, "l OK UNSUBSCRIBE completed");
            b.exchange("m LSUB \"\" \"Other Users/*\"", "m OK LSUB completed");
            // With "i" bob adds to alice's storage: he sees her quota root (as Dovecot reports the owner's).
            b.exchange("n GETQUOTAROOT " + SHARED, "* QUOTAROOT \"Other Users/alice@example.org/INBOX\" \"#user/alice@example.org\"",
                    "* QUOTA \"#user/alice@example.org\" ()", "n OK GETQUOTAROOT completed");
            // Alice reading message 2 does not mark it read for bob.
            a.exchange("g STORE 2 +FLAGS.SILENT (\\Seen)", "g OK STORE completed");
            b.exchange("h FETCH 2 FLAGS", "* 2 FETCH (FLAGS (\\Recent))", "h OK FETCH completed");
        }
    }

    /**
     * RFC 4314 §5.2: without "i", "e", or a flag right the selection is READ-ONLY and STORE and
     * EXPUNGE are refused; PERMANENTFLAGS lists only what the rights allow; FETCH and COPY out of
     * the shared mailbox work with "r"; the quota root is shown only to those who can add ("i").
     */
    @Test
    void readOnlyRightsSelectReadOnlyAndQuotaRootFollowsInsert() throws Exception {
        try (ImapFixture.Session a = server.login(); ImapFixture.Session b = login("bob@example.org");
                ImapFixture.Session c = login("carol@example.org")) {
            a.append("INBOX", MSG1);
            a.exchange("a SETACL INBOX bob@example.org lr", "a OK SETACL completed");
            a.exchange("b SETACL INBOX carol@example.org lrs", "b OK SETACL completed");

            List<String> sel = b.cmd("a SELECT " + SHARED);
            assertThat(sel).contains("* OK [PERMANENTFLAGS ()] Read-only mailbox");
            assertThat(sel.getLast()).isEqualTo("a OK [READ-ONLY] SELECT completed");
            b.exchange("b STORE 1 +FLAGS (\\Seen)", "b NO [READ-ONLY] Mailbox is read-only");
            b.exchange("c EXPUNGE", "c NO [NOPERM] Missing right 'e' on this mailbox");
            // Reading does not mark read in a read-only selection (RFC 3501 §6.3.2).
            b.exchange("d FETCH 1 (BODY[TEXT])", "* 1 FETCH (BODY[TEXT] {7}\r\nfirst\r\n)", "d OK FETCH completed");
            b.exchange("e FETCH 1 (FLAGS)", "* 1 FETCH (FLAGS ())", "e OK FETCH completed");
            b.capture("UV", "f STATUS INBOX (UIDVALIDITY)", "UIDVALIDITY (\\d+)");
            b.exchange("g UID COPY 1 INBOX", "g OK [COPYUID ${UV} 1 1] UID COPY completed");
            b.exchange("h UID SEARCH SUBJECT one", "* SEARCH 1", "h OK UID SEARCH completed");
            b.exchange("i GETQUOTAROOT " + SHARED, "* QUOTAROOT \"Other Users/alice@example.org/INBOX\"",
                    "i OK GETQUOTAROOT completed");
            b.exchange("j GETQUOTA \"#user/alice@example.org\"", "j NO [NONEXISTENT] No such quota root");

            // "s" alone: READ-WRITE (the user's own \Seen can change), and only \Seen is permanent.
            sel = c.cmd("a SELECT " + SHARED);
            assertThat(sel).contains("* OK [PERMANENTFLAGS (\\Seen)] Flags permitted");
            assertThat(sel.getLast()).isEqualTo("a OK [READ-WRITE] SELECT completed");
            c.exchange("b STORE 1 +FLAGS (\\Seen \\Flagged)", "* 1 FETCH (FLAGS (\\Seen))", "b OK STORE completed");

            a.exchange("c SETACL INBOX bob@example.org +i", "c OK SETACL completed");
            b.exchange("k GETQUOTA \"#user/alice@example.org\"", "* QUOTA \"#user/alice@example.org\" ()", "k OK GETQUOTA completed");
        }
    }
}
