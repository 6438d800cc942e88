// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE and CREATE-SPECIAL-USE (RFC 6154),
 * the \Noselect / \NonExistent parent the store leaves behind a deleted mailbox with children, and
 * LSUB's "%" rule (RFC 3501 §6.3.9). The account starts with INBOX, Drafts, Sent, Trash, Junk and
 * Archive, all subscribed.
 */
class ListExtendedTest {
    @TempDir
    Path dir;
    ImapFixture server;

    @BeforeEach
    void setUp() throws Exception {
        server = new ImapFixture(dir);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    /** A session keeps its last LIST response (ListMemo): the same LIST again shows every change since. */
    @Test
    void aRepeatedListShowsEveryChangeSinceTheLast() throws Exception {
        try (ImapFixture.Session c = server.login(); ImapFixture.Session other = server.login()) {
            c.exchange("a CREATE Lists/java", "a OK [MAILBOXID (M8)] CREATE completed");
            for (String tag : List.of("b", "c")) {
                c.exchange(tag + " LIST \"\" L*",
                        "* LIST (\\HasChildren) \"/\" \"Lists\"",
                        "* LIST (\\HasNoChildren) \"/\" \"Lists/java\"",
                        tag + " OK LIST completed");
            }
            c.exchange("d LSUB \"\" L*", "d OK LSUB completed");
            other.exchange("e SUBSCRIBE Lists/java", "e OK SUBSCRIBE completed");
            c.exchange("f LSUB \"\" L*", "* LSUB (\\HasNoChildren) \"/\" \"Lists/java\"", "f OK LSUB completed");
            other.exchange("g RENAME Lists/java Lists/caf&AOk-", "g OK RENAME completed");
            c.exchange("h LSUB \"\" L*", "* LSUB (\\HasNoChildren) \"/\" \"Lists/caf&AOk-\"", "h OK LSUB completed");
            // 8-bit names go as literals, which every client reads (RFC 6855 §3 allows quoted UTF-8 too).
            c.exchange("i ENABLE UTF8=ACCEPT", "* ENABLED UTF8=ACCEPT", "i OK ENABLE completed");
            c.exchange("j LSUB \"\" L*", "* LSUB (\\HasNoChildren) \"/\" {11}\r\nLists/café", "j OK LSUB completed");
            // A new message changes no LIST line: the same answer.
            assertThat(other.cmd("k APPEND Lists/caf&AOk- {2+}\r\nhi").getLast()).startsWith("k OK [APPENDUID ");
            c.exchange("l LSUB \"\" L*", "* LSUB (\\HasNoChildren) \"/\" {11}\r\nLists/café", "l OK LSUB completed");
        }
    }

    @Test
    void deletedParentIsNoselectInRev1AndNonExistentInExtendedList() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            c.exchange("a CREATE Projects/2024/Q1", "a OK [MAILBOXID (M9)] CREATE completed");
            c.exchange("b DELETE Projects", "b OK DELETE completed");
            c.exchange("c LIST \"\" Projects*",
                    "* LIST (\\Noselect \\HasChildren) \"/\" \"Projects\"",
                    "* LIST (\\HasChildren) \"/\" \"Projects/2024\"",
                    "* LIST (\\HasNoChildren) \"/\" \"Projects/2024/Q1\"",
                    "c OK LIST completed");
            c.exchange("d LIST \"\" %",
                    "* LIST (\\HasNoChildren) \"/\" \"INBOX\"",
                    "* LIST (\\HasNoChildren \\Archive) \"/\" \"Archive\"",
                    "* LIST (\\HasNoChildren \\Drafts) \"/\" \"Drafts\"",
                    "* LIST (\\HasNoChildren \\Junk) \"/\" \"Junk\"",
                    "* LIST (\\Noselect \\HasChildren) \"/\" \"Projects\"",
                    "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"",
                    "* LIST (\\HasNoChildren \\Trash) \"/\" \"Trash\"",
                    "d OK LIST completed");
            c.exchange("e LIST () \"\" (Projects Projects/%)",
                    "* LIST (\\NonExistent \\HasChildren) \"/\" \"Projects\"",
                    "* LIST (\\HasChildren) \"/\" \"Projects/2024\"",
                    "e OK LIST completed");
            c.exchange("f SELECT Projects", "f NO [NONEXISTENT] Mailbox does not exist");
            c.exchange("g DELETE Projects", "g NO [NONEXISTENT] Mailbox does not exist");
        }
    }

    @Test
    void subscribedSelectionWithRecursiveMatchAndLsubPercentRule() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            c.cmd("a CREATE Lists/java");
            c.cmd("b CREATE Lists/rust");
            c.exchange("c SUBSCRIBE Lists/java", "c OK SUBSCRIBE completed");
            c.exchange("d LIST (SUBSCRIBED) \"\" L*",
                    "* LIST (\\HasNoChildren \\Subscribed) \"/\" \"Lists/java\"",
                    "d OK LIST completed");
            // RFC 5258 §3.5: the parent matched by "%" comes with CHILDINFO.
            c.exchange("e LIST (SUBSCRIBED RECURSIVEMATCH) \"\" %",
                    "* LIST (\\HasNoChildren \\Subscribed) \"/\" \"INBOX\"",
                    "* LIST (\\HasNoChildren \\Subscribed \\Archive) \"/\" \"Archive\"",
                    "* LIST (\\HasNoChildren \\Subscribed \\Drafts) \"/\" \"Drafts\"",
                    "* LIST (\\HasNoChildren \\Subscribed \\Junk) \"/\" \"Junk\"",
                    "* LIST (\\HasChildren) \"/\" \"Lists\" (\"CHILDINFO\" (\"SUBSCRIBED\"))",
                    "* LIST (\\HasNoChildren \\Subscribed \\Sent) \"/\" \"Sent\"",
                    "* LIST (\\HasNoChildren \\Subscribed \\Trash) \"/\" \"Trash\"",
                    "e OK LIST completed");
            c.exchange("f LIST (RECURSIVEMATCH) \"\" %", "f BAD RECURSIVEMATCH needs another option");
            c.exchange("g LSUB \"\" L%", "* LSUB (\\Noselect) \"/\" \"Lists\"", "g OK LSUB completed");
            c.exchange("h LSUB \"\" L*", "* LSUB (\\HasNoChildren) \"/\" \"Lists/java\"", "h OK LSUB completed");
            c.exchange("i LIST \"\" Lists/% RETURN (SUBSCRIBED CHILDREN)",
                    "* LIST (\\HasNoChildren \\Subscribed) \"/\" \"Lists/java\"",
                    "* LIST (\\HasNoChildren) \"/\" \"Lists/rust\"",
                    "i OK LIST completed");
        }
    }

    @Test
    void specialUseSelectionCreateUseAndListStatus() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            c.append("INBOX", ImapSessionTest.MSG);
            c.exchange("a CREATE Everything (USE (\\All))", "a OK [MAILBOXID (M7)] CREATE completed");
            c.exchange("b CREATE Odd (USE (\\Important))", "b NO [USEATTR] Unsupported special use");
            c.exchange("c CREATE Odd (USE (\\Sent \\Trash))", "c NO [USEATTR] Only one special use per mailbox");
            c.exchange("d LIST (SPECIAL-USE) \"\" *",
                    "* LIST (\\HasNoChildren \\Archive) \"/\" \"Archive\"",
                    "* LIST (\\HasNoChildren \\Drafts) \"/\" \"Drafts\"",
                    "* LIST (\\HasNoChildren \\All) \"/\" \"Everything\"",
                    "* LIST (\\HasNoChildren \\Junk) \"/\" \"Junk\"",
                    "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"",
                    "* LIST (\\HasNoChildren \\Trash) \"/\" \"Trash\"",
                    "d OK LIST completed");
            // RFC 5819: STATUS right after each selectable mailbox's LIST response.
            c.exchange("e LIST \"\" (INBOX Sent) RETURN (STATUS (MESSAGES UNSEEN SIZE))",
                    "* LIST (\\HasNoChildren) \"/\" \"INBOX\"",
                    "* STATUS INBOX (MESSAGES 1 UNSEEN 1 SIZE " + ImapSessionTest.MSG.length() + ")",
                    "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"",
                    "* STATUS Sent (MESSAGES 0 UNSEEN 0 SIZE 0)",
                    "e OK LIST completed");
            c.exchange("f LIST (REMOTE) \"\" Junk RETURN (SPECIAL-USE)",
                    "* LIST (\\HasNoChildren \\Junk) \"/\" \"Junk\"", "f OK LIST completed");
            c.exchange("g LIST (BOGUS) \"\" *", "g BAD Unknown LIST selection option BOGUS");
            c.exchange("h LIST \"\" \"\"", "* LIST (\\Noselect) \"/\" \"\"", "h OK LIST completed");
            c.exchange("i STATUS INBOX (APPENDLIMIT MAILBOXID DELETED)",
                    "* STATUS INBOX (APPENDLIMIT 52428800 MAILBOXID (M1) DELETED 0)", "i OK STATUS completed");
        }
    }
}
