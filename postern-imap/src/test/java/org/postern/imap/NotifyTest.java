// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;
import org.postern.store.MetadataStore;
import org.postern.store.sqlite.SqliteMailStore;

/**
 * NOTIFY (RFC 5465) as transcripts with two sessions: one changes things, the other is told without
 * asking, between commands and during IDLE. Lines the watching session receives unasked are read
 * with {@code expectLines}; a NOOP afterwards proves nothing else was sent.
 */
class NotifyTest {
    static final String MSG = "From: a@example.org\r\nSubject: hello\r\n\r\nbody\r\n";
    static final String ALL_EVENTS = "MessageNew MessageExpunge FlagChange AnnotationChange MailboxName SubscriptionChange"
            + " MailboxMetadataChange ServerMetadataChange";

    @TempDir
    Path dir;
    ImapFixture server;

    @AfterEach
    void tearDown() {
        if (server != null) server.close();
    }

    private ImapFixture start() throws Exception {
        server = new ImapFixture(dir);
        return server;
    }

    @Test
    void commandSyntaxAndEventRules() throws Exception {
        try (ImapFixture.Session a = start().login()) {
            assertThat(a.cmd("c CAPABILITY").getFirst()).contains(" NOTIFY ");
            // RFC 5465 §5: MessageNew and MessageExpunge together; FlagChange only with both.
            a.exchange("a NOTIFY SET (selected (MessageNew))", "a BAD MessageNew and MessageExpunge go together");
            a.exchange("b NOTIFY SET (personal (FlagChange))",
                    "b BAD FlagChange and AnnotationChange need MessageNew and MessageExpunge");
            // §3.1: an unknown event is NO with BADEVENT listing every supported one, not BAD.
            a.exchange("c NOTIFY SET (personal (MessageNew MessageExpunge Foo))",
                    "c NO [BADEVENT (" + ALL_EVENTS + ")] Unsupported event");
            // §6.1: only message events for the selected mailbox, and only one selected group.
            a.exchange("d NOTIFY SET (selected (MailboxName))", "d BAD Only message events for the selected mailbox");
            a.exchange("e NOTIFY SET (selected (MessageNew MessageExpunge)) (selected-delayed (MessageNew MessageExpunge))",
                    "e BAD Only one of SELECTED and SELECTED-DELAYED");
            // §8: fetch attributes only for the selected mailbox.
            a.exchange("f NOTIFY SET (personal (MessageNew (UID) MessageExpunge))",
                    "f BAD Fetch attributes only for the selected mailbox");
            a.exchange("g NOTIFY SET (elsewhere (MailboxName))", "g BAD Unknown mailbox filter ELSEWHERE");
            a.exchange("h NOTIFY SET", "h BAD Missing argument");
            a.exchange("i NOTIFY SET (mailboxes (INBOX Nowhere) (MessageNew MessageExpunge)) (subscribed NONE)",
                    "i OK NOTIFY completed");
            a.exchange("j NOTIFY NONE", "j OK NOTIFY completed");
            a.exchange("k NOTIFY", "k BAD Missing argument");
            a.exchange("l NOTIFY GET", "l BAD Expected NOTIFY SET or NOTIFY NONE");
        }
    }

    @Test
    void otherMailboxesGetStatusAndTheSelectedOneFetchBetweenCommands() throws Exception {
        try (ImapFixture.Session a = start().login(); ImapFixture.Session b = server.login()) {
            a.cmd("c1 CREATE Lists/A");
            a.capture("UV", "s STATUS Lists/A (UIDVALIDITY)", "UIDVALIDITY (\\d+)");
            a.capture("UV0", "s STATUS Lists (UIDVALIDITY)", "UIDVALIDITY (\\d+)");
            // §3.1: STATUS for every watched mailbox with message events, before the OK.
            a.exchange("a NOTIFY SET STATUS (selected (MessageNew (UID BODY.PEEK[HEADER.FIELDS (Subject)]) MessageExpunge))"
                    + " (subtree Lists (MessageNew MessageExpunge))",
                    "* STATUS Lists (MESSAGES 0 UIDNEXT 1 UIDVALIDITY ${UV0})",
                    "* STATUS Lists/A (MESSAGES 0 UIDNEXT 1 UIDVALIDITY ${UV})", "a OK NOTIFY completed");
            assertThat(a.cmd("b SELECT INBOX").getLast()).startsWith("b OK [READ-WRITE]");

            // §5.2 in another mailbox: STATUS (UIDNEXT MESSAGES), with no command in progress.
            b.append("Lists/A", MSG);
            a.expectLines("* STATUS Lists/A (MESSAGES 1 UIDNEXT 2)");
            // §5.2 in the selected mailbox: EXISTS, then FETCH of what NOTIFY asked for.
            b.append("INBOX", MSG);
            a.expectLines("* 1 EXISTS", "* 1 RECENT",
                    "* 1 FETCH (UID 1 BODY[HEADER.FIELDS (Subject)] {18}\r\nSubject: hello\r\n\r\n)");
            // No FlagChange asked: a flag change waits for the next command, with the UID (§5.1).
            b.cmd("s SELECT INBOX");
            b.exchange("t STORE 1 +FLAGS.SILENT (\\Flagged)", "t OK STORE completed");
            a.exchange("c NOOP", "* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))", "c OK NOOP completed");
            // §5.3 with SELECTED: EXPUNGE at once.
            b.exchange("u STORE 1 +FLAGS.SILENT (\\Deleted)", "u OK STORE completed");
            b.exchange("v EXPUNGE", "* 1 EXPUNGE", "v OK EXPUNGE completed");
            a.expectLines("* 1 EXPUNGE");
            // §5: what this session does itself is not reported back to it.
            a.append("Lists/A", MSG);
            a.exchange("d NOOP", "d OK NOOP completed");
            // NOTIFY NONE: the other mailboxes are quiet again; the selected one reports as usual.
            a.exchange("e NOTIFY NONE", "e OK NOTIFY completed");
            b.append("Lists/A", MSG);
            b.append("INBOX", MSG);
            // One recent message before and after: no new RECENT.
            a.exchange("f NOOP", "* 1 EXISTS", "f OK NOOP completed");
        }
    }

    @Test
    void selectedDelayedHoldsExpungeUntilACommandAllowsIt() throws Exception {
        try (ImapFixture.Session a = start().login(); ImapFixture.Session b = server.login()) {
            a.append("INBOX", MSG);
            a.cmd("s SELECT INBOX");
            a.exchange("a NOTIFY SET (selected-delayed (MessageNew MessageExpunge FlagChange))", "a OK NOTIFY completed");
            b.cmd("s SELECT INBOX");
            b.exchange("t STORE 1 +FLAGS.SILENT (\\Answered)", "t OK STORE completed");
            a.expectLines("* 1 FETCH (UID 1 FLAGS (\\Answered))");
            b.append("INBOX", MSG);
            a.expectLines("* 2 EXISTS", "* 1 RECENT");
            b.exchange("u STORE 1 +FLAGS.SILENT (\\Deleted)", "u OK STORE completed");
            a.expectLines("* 1 FETCH (UID 1 FLAGS (\\Answered \\Deleted))");
            b.exchange("v EXPUNGE", "* 1 EXPUNGE", "v OK EXPUNGE completed");
            // RFC 3501 §7.4.1: not during FETCH; NOOP may say it.
            a.exchange("b FETCH 1 (UID)", "* 1 FETCH (UID 1)", "b OK FETCH completed");
            a.exchange("c NOOP", "* 1 EXPUNGE", "c OK NOOP completed");
        }
    }

    @Test
    void mailboxNamesAndSubscriptionsAsList() throws Exception {
        try (ImapFixture.Session a = start().login(); ImapFixture.Session b = server.login()) {
            a.exchange("a NOTIFY SET (personal (MailboxName SubscriptionChange))", "a OK NOTIFY completed");
            b.cmd("b CREATE Foo");
            a.expectLines("* LIST (\\HasNoChildren) \"/\" Foo");
            b.cmd("c SUBSCRIBE Foo");
            a.expectLines("* LIST (\\HasNoChildren \\Subscribed) \"/\" Foo");
            b.cmd("d CREATE Foo/Kid");
            // §5.4: "the mailbox itself and its direct parent" are affected; Foo now has children.
            a.expectLines("* LIST (\\HasNoChildren) \"/\" Foo/Kid", "* LIST (\\HasChildren \\Subscribed) \"/\" Foo");
            // §5.4: one LIST with OLDNAME for the renamed mailbox, none for its children.
            b.cmd("e RENAME Foo Bar");
            a.expectLines("* LIST (\\HasChildren \\Subscribed) \"/\" Bar (\"OLDNAME\" (Foo))");
            b.cmd("f DELETE Bar/Kid");
            a.expectLines("* LIST (\\NonExistent) \"/\" Bar/Kid", "* LIST (\\HasNoChildren \\Subscribed) \"/\" Bar");
            // The watcher's own CREATE is not echoed back.
            assertThat(a.cmd("g CREATE Mine")).singleElement().asString().startsWith("g OK ");
            a.exchange("h NOOP", "h OK NOOP completed");
        }
    }

    @Test
    void parentOfACreatedOrDeletedMailboxIsAffectedEvenWhenItDoesNotExist() throws Exception {
        try (ImapFixture.Session a = start().login(); ImapFixture.Session b = server.login()) {
            assertThat(b.cmd("a CREATE Top/Mid")).last().asString().startsWith("a OK");
            // RFC 3501 §6.3.4: Top goes, its child stays.
            assertThat(b.cmd("b DELETE Top")).last().asString().startsWith("b OK");
            a.exchange("c NOTIFY SET (subtree Top (MailboxName))", "c OK NOTIFY completed");
            b.cmd("d DELETE Top/Mid");
            // §5.4: the direct parent is affected "whether it is an existing mailbox or not".
            a.expectLines("* LIST (\\NonExistent) \"/\" Top/Mid", "* LIST (\\NonExistent) \"/\" Top");
            // Outside the watched subtree nothing is reported, parents included.
            b.cmd("g CREATE Elsewhere/Kid");
            a.exchange("h NOOP", "h OK NOOP completed");
        }
    }

    @Test
    void metadataChangesOfOtherSessions() throws Exception {
        try (ImapFixture.Session a = start().login(); ImapFixture.Session b = server.login()) {
            a.exchange("a NOTIFY SET (personal (MailboxMetadataChange ServerMetadataChange))", "a OK NOTIFY completed");
            b.exchange("b SETMETADATA INBOX (/shared/comment \"hi\" /private/x \"y\")", "b OK SETMETADATA completed");
            a.expectLines("* METADATA INBOX /shared/comment", "* METADATA INBOX /private/x");
            b.exchange("c SETMETADATA \"\" (/private/vendor/x \"1\")", "c OK SETMETADATA completed");
            a.expectLines("* METADATA \"\" /private/vendor/x");
            a.exchange("d NOOP", "d OK NOOP completed");
        }
    }

    @Test
    void metadataWrittenOutsideThisServerReachesNotifyThroughTheFeed() throws Exception {
        try (ImapFixture.Session a = start().login()) {
            long alice = server.store.directory().account(ImapFixture.USER).orElseThrow().id();
            long bob = server.store.directory().createAccount("bob@example.org",
                    new Passwords(PasswordHasher.Cost.TEST).record("pw"), false).id();
            long inbox = server.store.mailboxes().find(alice, "INBOX").orElseThrow().id();
            a.exchange("a NOTIFY SET (personal (MailboxMetadataChange ServerMetadataChange))", "a OK NOTIFY completed");
            // RFC 5465 §5: a session's own change is not reported back to it.
            a.exchange("b SETMETADATA INBOX (/private/mine \"1\")", "b OK SETMETADATA completed");
            a.exchange("c NOOP", "c OK NOOP completed");
            // Another process on the same store (the CLI, JMAP Settings on another node) writes.
            try (SqliteMailStore other = SqliteMailStore.open(dir.resolve("data"))) {
                other.metadata().apply(Map.of(MetadataStore.Scope.serverPrivate(alice),
                        Map.of("/private/vendor/postern/webmail", "{}".getBytes(StandardCharsets.UTF_8))));
                // §5.10 ServerMetadataChange: mailbox name "" (RFC 5464 §4.4.2 unsolicited form).
                a.expectLines("* METADATA \"\" /private/vendor/postern/webmail");
                other.metadata().apply(Map.of(MetadataStore.Scope.serverShared(),
                        Map.of("/shared/admin", "mailto:postmaster@example.org".getBytes(StandardCharsets.UTF_8))));
                a.expectLines("* METADATA \"\" /shared/admin");
                // Bob's private entries are his alone (RFC 5464 §3.2): the next line is about INBOX.
                other.metadata().apply(Map.of(MetadataStore.Scope.serverPrivate(bob),
                        Map.of("/private/comment", "bob's".getBytes(StandardCharsets.UTF_8))));
                Map<String, byte[]> removal = new HashMap<>();
                removal.put("/private/mine", null);
                other.metadata().apply(Map.of(MetadataStore.Scope.mailboxPrivate(alice, inbox, alice), removal));
                // §5.9 MailboxMetadataChange, for a removal too.
                a.expectLines("* METADATA INBOX /private/mine");
            }
            a.exchange("d NOOP", "d OK NOOP completed");
        }
    }

    @Test
    void idleSendsExactlyTheNotifyEvents() throws Exception {
        try (ImapFixture.Session a = start().login(); ImapFixture.Session b = server.login()) {
            a.cmd("c CREATE Other");
            a.cmd("s SELECT INBOX");
            a.exchange("a NOTIFY SET (selected (MessageNew MessageExpunge)) (personal (MessageNew MessageExpunge))",
                    "a OK NOTIFY completed");
            a.client.send("b IDLE");
            a.expectLines("+ idling");
            b.append("INBOX", MSG);
            a.expectLines("* 1 EXISTS", "* 1 RECENT");
            b.append("Other", MSG);
            a.expectLines("* STATUS Other (MESSAGES 1 UIDNEXT 2)");
            a.client.send("DONE");
            assertThat(a.client.until("b").getLast()).isEqualTo("b OK IDLE terminated");
            a.exchange("c NOOP", "c OK NOOP completed");
        }
    }

    @Test
    void sharedMailboxWithoutReadRightIsNoAccess() throws Exception {
        try (ImapFixture.Session a = start().login()) {
            server.store.directory().createAccount("bob@example.org", new Passwords(PasswordHasher.Cost.TEST).record("pw"), false);
            a.cmd("c CREATE Secret");
            a.exchange("d SETACL Secret bob@example.org l", "d OK SETACL completed");
            try (ImapFixture.Session b = new ImapFixture.Session(new ImapClient(server.listener.port()))) {
                b.client.line();
                b.cmd("l LOGIN bob@example.org pw");
                // RFC 5465 §3.1: listable but without "r", the events cannot be had: \NoAccess.
                b.exchange("a NOTIFY SET STATUS (mailboxes \"Other Users/alice@example.org/Secret\" (MessageNew MessageExpunge))",
                        "* LIST (\\NoAccess) \"/\" \"Other Users/alice@example.org/Secret\"", "a OK NOTIFY completed");
                a.append("Secret", MSG);
                b.exchange("b NOOP", "b OK NOOP completed");
                // With "r" the owner's changes reach bob at once (the owner's feed, not the 10 s poll).
                a.exchange("e SETACL INBOX bob@example.org lr", "e OK SETACL completed");
                b.exchange("c NOTIFY SET (mailboxes \"Other Users/alice@example.org/INBOX\" (MessageNew MessageExpunge FlagChange))",
                        "c OK NOTIFY completed");
                a.append("INBOX", MSG);
                b.expectLines("* STATUS \"Other Users/alice@example.org/INBOX\" (MESSAGES 1 UIDNEXT 2)");
                // §5.1 without CONDSTORE: alice reading her message changes nothing bob would see (his \Seen
                // is his own), so nothing is sent.
                a.cmd("f SELECT INBOX");
                a.exchange("g STORE 1 +FLAGS.SILENT (\\Seen)", "g OK STORE completed");
                b.exchange("d NOOP", "d OK NOOP completed");
            }
        }
    }

    @Test
    void overflowEndsNotify() throws Exception {
        server = new ImapFixture(dir, c -> c.withNotifyLimit(2));
        try (ImapFixture.Session a = server.login(); ImapFixture.Session b = server.login()) {
            a.cmd("c CREATE One");
            a.cmd("d CREATE Two");
            // More mailboxes than the limit for message events: refused at once (§3.1).
            a.exchange("a NOTIFY SET (personal (MessageNew MessageExpunge))",
                    "a NO [NOTIFICATIONOVERFLOW] Too many mailboxes to watch");
            a.exchange("b NOTIFY SET (personal (MailboxName))", "b OK NOTIFY completed");
            // One CREATE making three mailboxes is more than two notifications at once (§5.8).
            b.cmd("e CREATE X/Y/Z");
            a.expectLines("* OK [NOTIFICATIONOVERFLOW] Too many changes at once; notifications are off");
            b.cmd("f CREATE Later");
            a.exchange("e NOOP", "e OK NOOP completed");
        }
    }
}
