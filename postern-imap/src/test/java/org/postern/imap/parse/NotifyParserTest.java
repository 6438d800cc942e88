// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The grammar of NOTIFY (RFC 5465 §8), with hostile variants (HOSTILE: nesting, NUL, huge lists). */
class NotifyParserTest {
    static Request parse(String s) throws ParseException {
        return CommandParser.parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static Command.NotifyGroup group(String filter, List<String> mailboxes, List<String> events, List<FetchItem> fetch) {
        return new Command.NotifyGroup(filter, mailboxes, events, fetch);
    }

    static Stream<Arguments> valid() {
        FetchItem uid = new FetchItem.Simple(FetchItem.Kind.UID);
        FetchItem flags = new FetchItem.Simple(FetchItem.Kind.FLAGS);
        return Stream.of(
                Arguments.of("a NOTIFY NONE", new Command.Notify(false, null)),
                Arguments.of("a notify none", new Command.Notify(false, null)),
                Arguments.of("a NOTIFY SET (selected (MessageNew (uid flags) messageExpunge))",
                        new Command.Notify(false, List.of(group("SELECTED", List.of(), List.of("MESSAGENEW", "MESSAGEEXPUNGE"),
                                List.of(uid, flags))))),
                Arguments.of("a NOTIFY SET STATUS (Selected-Delayed (MessageNew MessageExpunge)) (personal NONE)",
                        new Command.Notify(true, List.of(
                                group("SELECTED-DELAYED", List.of(), List.of("MESSAGENEW", "MESSAGEEXPUNGE"), List.of()),
                                group("PERSONAL", List.of(), List.of(), List.of())))),
                Arguments.of("a NOTIFY SET (subtree Lists (MessageNew MessageExpunge FlagChange))",
                        new Command.Notify(false, List.of(group("SUBTREE", List.of("Lists"),
                                List.of("MESSAGENEW", "MESSAGEEXPUNGE", "FLAGCHANGE"), List.of())))),
                // §6.6: no wildcard expansion; "*" is not an astring character anyway, so it must be quoted.
                Arguments.of("a NOTIFY SET (mailboxes (inbox \"a*b\" \"Other Users/x\") (MailboxName))",
                        new Command.Notify(false, List.of(group("MAILBOXES", List.of("INBOX", "a*b", "Other Users/x"),
                                List.of("MAILBOXNAME"), List.of())))),
                // §3.1's own example names one event without parentheses.
                Arguments.of("a NOTIFY SET (subtree Lists MessageNew)",
                        new Command.Notify(false, List.of(group("SUBTREE", List.of("Lists"), List.of("MESSAGENEW"), List.of())))),
                Arguments.of("a NOTIFY SET (inboxes (Unknown))",
                        new Command.Notify(false, List.of(group("INBOXES", List.of(), List.of("UNKNOWN"), List.of())))));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void parsesValid(String line, Command expected) throws ParseException {
        assertThat(parse(line).command()).isEqualTo(expected);
    }

    static Stream<String> invalid() {
        return Stream.of("a NOTIFY", "a NOTIFY SET", "a NOTIFY SET ()", "a NOTIFY SET (personal)", "a NOTIFY SET (personal ())",
                "a NOTIFY SET (personal (MailboxName)", "a NOTIFY SET (subtree (MailboxName))",
                "a NOTIFY SET (mailboxes () (MailboxName))", "a NOTIFY SET (selected (MessageNew (NOSUCH) MessageExpunge))",
                "a NOTIFY SET (selected (MessageNew () MessageExpunge))", "a NOTIFY SET (everything (MailboxName))",
                "a NOTIFY NONE extra", "a NOTIFY SET (personal (Mailbox\0Name))", "a NOTIFY SET (personal (MailboxName)) ",
                "a NOTIFY SET STATUS", "a NOTIFY SET (personal ((MailboxName)))",
                "a NOTIFY SET " + "(personal (MailboxName)) ".repeat(40).strip(),
                "a NOTIFY SET (mailboxes (" + "x ".repeat(300).strip() + ") (MailboxName))",
                "a NOTIFY SET (personal (" + "MailboxName ".repeat(20).strip() + "))");
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void refusesInvalid(String line) {
        assertThatThrownBy(() -> parse(line)).isInstanceOf(ParseException.class);
    }
}
