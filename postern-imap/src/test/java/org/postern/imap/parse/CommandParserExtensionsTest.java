// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postern.imap.parse.Command.SearchReturn;
import org.postern.imap.parse.FetchItem.Kind;

/**
 * The grammar of the extensions: RFC 7162 (CONDSTORE/QRESYNC), RFC 4731/5182 (ESEARCH, SEARCHRES),
 * RFC 5032, RFC 5258/5819 (extended LIST), RFC 6154 §3, RFC 3516, RFC 8474, RFC 8514; and the
 * hostile variants of each.
 */
class CommandParserExtensionsTest {
    static Request parse(String s) throws ParseException {
        return CommandParser.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    static final SequenceSet ALL = SequenceSet.of(1, SequenceSet.STAR);

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("a SELECT INBOX (CONDSTORE)", new Command.Select("INBOX", false, true, null)),
                Arguments.of("a EXAMINE INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))",
                        new Command.Select("INBOX", true, false, new Command.Qresync(67890007, 90060115194045000L,
                                new SequenceSet(List.of(new SequenceSet.Range(41, 211), new SequenceSet.Range(214, 541)))))),
                Arguments.of("a SELECT INBOX (QRESYNC (1 2 1:9 (1:3,5 2:4,8)) CONDSTORE)",
                        new Command.Select("INBOX", false, true, new Command.Qresync(1, 2, SequenceSet.of(1, 9)))),
                Arguments.of("a SELECT INBOX (QRESYNC (1 2))", new Command.Select("INBOX", false, false, new Command.Qresync(1, 2, null))),
                Arguments.of("a FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)", new Command.Fetch(false, ALL,
                        List.of(new FetchItem.Simple(Kind.FLAGS), new FetchItem.Simple(Kind.MODSEQ)), 12345, false)),
                Arguments.of("a UID FETCH 1:* (FLAGS MODSEQ) (VANISHED CHANGEDSINCE 9)", new Command.Fetch(true, ALL,
                        List.of(new FetchItem.Simple(Kind.FLAGS), new FetchItem.Simple(Kind.MODSEQ)), 9, true)),
                Arguments.of("a FETCH $ (EMAILID THREADID SAVEDATE)", new Command.Fetch(false, SequenceSet.SAVED,
                        List.of(new FetchItem.Simple(Kind.EMAILID), new FetchItem.Simple(Kind.THREADID),
                                new FetchItem.Simple(Kind.SAVEDATE)))),
                Arguments.of("a FETCH 1 (BINARY.PEEK[1.2]<0.10> BINARY.SIZE[] BINARY[3])", new Command.Fetch(false,
                        SequenceSet.of(1, 1), List.of(new FetchItem.Binary(List.of(1, 2), true, false, 0, 10),
                                new FetchItem.Binary(List.of(), true, true, -1, 0),
                                new FetchItem.Binary(List.of(3), false, false, -1, 0)))),
                Arguments.of("a STORE 1:3 (UNCHANGEDSINCE 0) +FLAGS.SILENT (\\Seen)", new Command.Store(false,
                        SequenceSet.of(1, 3), Command.StoreMode.ADD, true, List.of("\\Seen"), 0)),
                Arguments.of("a SEARCH RETURN () ALL", new Command.Search(false, null, new SearchKey.All(),
                        EnumSet.of(SearchReturn.ALL))),
                Arguments.of("a UID SEARCH RETURN (SAVE MIN count) CHARSET UTF-8 UID $",
                        new Command.Search(true, "UTF-8", new SearchKey.Uid(SequenceSet.SAVED),
                                EnumSet.of(SearchReturn.SAVE, SearchReturn.MIN, SearchReturn.COUNT))),
                Arguments.of("a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338 YOUNGER 60 OLDER 5",
                        new Command.Search(false, null, new SearchKey.And(List.of(new SearchKey.ModSeq(620162338),
                                new SearchKey.Within(true, 60), new SearchKey.Within(false, 5))))),
                Arguments.of("a SEARCH SAVEDSINCE 1-Jan-2024 SAVEDATESUPPORTED EMAILID E12 THREADID T1",
                        new Command.Search(false, null, new SearchKey.And(List.of(
                                new SearchKey.SaveDate(SearchKey.DateOp.SINCE, LocalDate.of(2024, 1, 1)), new SearchKey.All(),
                                new SearchKey.ObjectId(false, "E12"), new SearchKey.ObjectId(true, "T1"))))),
                Arguments.of("a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (INBOX %) RETURN (CHILDREN STATUS (MESSAGES SIZE))",
                        new Command.ListMailboxes("", List.of("INBOX", "%"), false, new Command.ListOptions(true, false,
                                true, false, true, false, false, List.of("MESSAGES", "SIZE")))),
                Arguments.of("a LIST \"\" * RETURN ()", new Command.ListMailboxes("", List.of("*"), false,
                        new Command.ListOptions(false, false, false, false, false, false, false, List.of()))),
                Arguments.of("a CREATE Sent2 (USE (\\Sent))", new Command.Create("Sent2", List.of("\\Sent"))),
                Arguments.of("a STATUS x (HIGHESTMODSEQ SIZE DELETED APPENDLIMIT MAILBOXID)",
                        new Command.Status("x", List.of("HIGHESTMODSEQ", "SIZE", "DELETED", "APPENDLIMIT", "MAILBOXID"))),
                Arguments.of("a UID EXPUNGE $", new Command.Expunge(SequenceSet.SAVED)),
                Arguments.of("a ENABLE IMAP4rev2 utf8=accept", new Command.Enable(List.of("IMAP4REV2", "UTF8=ACCEPT"))),
                Arguments.of("a UID SORT (REVERSE DATE subject) utf-8 UNSEEN", new Command.Sort(true, List.of(
                        new Command.SortCriterion(Command.SortKey.DATE, true),
                        new Command.SortCriterion(Command.SortKey.SUBJECT, false)), "UTF-8",
                        new SearchKey.Flag("\\Seen", false), null)),
                Arguments.of("a SORT RETURN (MIN) (DISPLAYFROM) US-ASCII 1:5 ALL", new Command.Sort(false, List.of(
                        new Command.SortCriterion(Command.SortKey.DISPLAYFROM, false)), "US-ASCII",
                        new SearchKey.And(List.of(new SearchKey.Sequence(SequenceSet.of(1, 5)), new SearchKey.All())),
                        EnumSet.of(SearchReturn.MIN))),
                Arguments.of("a FETCH 1 (PREVIEW (lazy) FLAGS)", new Command.Fetch(false, SequenceSet.of(1, 1),
                        List.of(new FetchItem.Simple(Kind.PREVIEW), new FetchItem.Simple(Kind.FLAGS)))),
                Arguments.of("a FETCH 1 PREVIEW (CHANGEDSINCE 4)", new Command.Fetch(false, SequenceSet.of(1, 1),
                        List.of(new FetchItem.Simple(Kind.PREVIEW), new FetchItem.Simple(Kind.MODSEQ)), 4, false)),
                Arguments.of("a UID THREAD references UTF-8 SINCE 1-Feb-2024", new Command.Thread(true,
                        Command.ThreadAlgorithm.REFERENCES, "UTF-8",
                        new SearchKey.Date(SearchKey.DateOp.SINCE, LocalDate.of(2024, 2, 1), false))));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void parsesValidCommands(String line, Command expected) throws ParseException {
        assertThat(parse(line).command()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a SELECT INBOX ()",                                  // empty parameter list
        "a SELECT INBOX (QRESYNC (0 1))",                     // UIDVALIDITY 0
        "a SELECT INBOX (QRESYNC (1 0))",                     // MODSEQ 0 (mod-sequence-value is non-zero)
        "a SELECT INBOX (QRESYNC (1 99999999999999999999))",  // beyond 2^63-1
        "a SELECT INBOX (QRESYNC (1 2 1:*))",                 // "*" in known-uids
        "a SELECT INBOX (QRESYNC (1 2) QRESYNC (1 2))",
        "a SELECT INBOX (FROB)",
        "a FETCH 1 FLAGS (VANISHED)",                         // VANISHED without CHANGEDSINCE
        "a FETCH 1 FLAGS (CHANGEDSINCE 0)",
        "a FETCH 1 FLAGS (CHANGEDSINCE)",
        "a FETCH 1 FLAGS ()",
        "a FETCH 1 BINARY[1.TEXT]",                           // section-binary has numbers only
        "a FETCH 1 BINARY.SIZE[1]<0.5>",
        "a FETCH $,1 FLAGS",                                  // "$" only alone
        "a STORE 1 (UNCHANGEDSINCE -1) FLAGS \\Seen",
        "a STORE 1 (FROB 1) FLAGS \\Seen",
        "a SEARCH RETURN (MIN) ",
        "a SEARCH RETURN MIN ALL",
        "a SEARCH RETURN (PARTIAL) ALL",
        "a SEARCH MODSEQ \"/flags/x\" bogus 5",
        "a SEARCH YOUNGER 0",
        "a SEARCH YOUNGER 4294967296",
        "a LIST (RECURSIVEMATCH) \"\" *",
        "a LIST (SUBSCRIBED \"\" *",
        "a LIST \"\" () ",
        "a LIST \"\" * RETURN (STATUS)",
        "a LIST \"\" * RETURN (STATUS (BOGUS))",
        "a LIST \"\" * EXTRA (CHILDREN)",
        "a CREATE x (USE (Sent))",                            // USE attributes start with "\"
        "a CREATE x (FROB (\\Sent))",
        "a SORT () UTF-8 ALL",                                // no sort key
        "a SORT (REVERSE) UTF-8 ALL",
        "a SORT (SUBJECT) UTF-8",                             // no search key
        "a SORT RETURN (SAVE) (SUBJECT) UTF-8 ALL",           // SAVE is SEARCH's only
        "a SORT (SUBJECT SUBJECT SUBJECT SUBJECT SUBJECT SUBJECT SUBJECT SUBJECT SUBJECT SUBJECT SUBJECT SUBJECT"
                + " SUBJECT SUBJECT SUBJECT SUBJECT SUBJECT SUBJECT SUBJECT SUBJECT SUBJECT) UTF-8 ALL",
        "a FETCH 1 PREVIEW (EAGER)",
        "a THREAD X-SOMETHING UTF-8 ALL",
        "a THREAD REFERENCES UTF-8",
        "a THREAD REFERENCES KOI8-R",                         // charset, then a search key is still needed
        "a REPLACE 1 INBOX",
        "a UID REPLACE 1 INBOX",
    })
    void rejectsWithTaggedBad(String line) {
        assertThatThrownBy(() -> parse(line)).isInstanceOf(CommandParser.TaggedParseException.class);
    }

    @Test
    void boundsHoldForHugeOptionLists() {
        // HOSTILE A23-style amplification: many patterns or RETURN options stay bounded.
        String patterns = "a LIST \"\" (" + "x ".repeat(100).strip() + ")";
        assertThatThrownBy(() -> parse(patterns)).isInstanceOf(ParseException.class).hasMessage("Too many patterns");
        String enable = "a ENABLE" + " X".repeat(200);
        assertThatThrownBy(() -> parse(enable)).isInstanceOf(ParseException.class).hasMessage("Too many capabilities");
    }

    @Test
    void utf8NamesAreTakenAsTheyAreAfterEnable() throws ParseException {
        byte[] line = "a SELECT \"Entw&APw-rfe\"".getBytes(StandardCharsets.UTF_8);
        assertThat(CommandParser.parse(line).command()).isEqualTo(new Command.Select("Entwürfe", false));
        assertThat(CommandParser.parse(line, true).command()).isEqualTo(new Command.Select("Entw&APw-rfe", false));
        assertThat(CommandParser.parse("a SELECT \"Entwürfe\"".getBytes(StandardCharsets.UTF_8), true).command())
                .isEqualTo(new Command.Select("Entwürfe", false));
    }

    @Test
    void appendPrefixRecognizesReplaceAndMultiappendTails() throws ParseException {
        assertThat(CommandParser.appendPrefix("a UID REPLACE 7 Drafts (\\Draft) {12+}".getBytes(StandardCharsets.US_ASCII)))
                .contains(new Request("a", new Command.Replace(true, 7,
                        new Command.Append("Drafts", List.of("\\Draft"), null, 12, false, false))));
        assertThat(CommandParser.appendPrefix("a REPLACE * INBOX ~{5}".getBytes(StandardCharsets.US_ASCII)))
                .contains(new Request("a", new Command.Replace(false, SequenceSet.STAR,
                        new Command.Append("INBOX", List.of(), null, 5, true, false))));
        assertThat(CommandParser.appendPrefix("a UID FETCH 1 BODY[] {5}".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertThatThrownBy(() -> CommandParser.appendPrefix("a REPLACE 0 INBOX {5}".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(CommandParser.TaggedParseException.class);
        assertThat(CommandParser.appendNext(" (\\Seen) {3}".getBytes(StandardCharsets.US_ASCII), "INBOX"))
                .isEqualTo(new Command.Append("INBOX", List.of("\\Seen"), null, 3, true, false));
        assertThatThrownBy(() -> CommandParser.appendNext("garbage".getBytes(StandardCharsets.US_ASCII), "INBOX"))
                .isInstanceOf(ParseException.class);
    }

    @Test
    void catenateIsReadWholeAndParsedIntoParts() throws ParseException {
        String line = "a APPEND Drafts (\\Draft) CATENATE (TEXT {3}\r\nabc URL \"/INBOX/;UID=2\") ~{1}\r\nz";
        assertThat(CommandParser.appendPrefix("a APPEND Drafts (\\Draft) CATENATE (TEXT {3}".getBytes(StandardCharsets.US_ASCII)))
                .isEmpty();
        Command.Catenate c = (Command.Catenate) parse(line).command();
        assertThat(c.mailbox()).isEqualTo("Drafts");
        assertThat(c.messages()).hasSize(2);
        assertThat(c.messages().getFirst().flags()).containsExactly("\\Draft");
        assertThat(c.messages().getFirst().parts()).hasSize(2);
        assertThat(((Command.CatPart.Text) c.messages().getFirst().parts().getFirst()).data()).isEqualTo("abc".getBytes());
        assertThat(c.messages().getFirst().parts().get(1)).isEqualTo(new Command.CatPart.Url("/INBOX/;UID=2"));
        assertThat(((Command.CatPart.Text) c.messages().get(1).parts().getFirst()).data()).isEqualTo("z".getBytes());
        // A plain APPEND parsed whole (only when it could not be streamed) is one TEXT part.
        Command.Catenate plain = (Command.Catenate) parse("a APPEND INBOX {3}\r\nabc").command();
        assertThat(((Command.CatPart.Text) plain.messages().getFirst().parts().getFirst()).data()).isEqualTo("abc".getBytes());
        assertThatThrownBy(() -> parse("a APPEND Drafts CATENATE ()")).isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> parse("a APPEND Drafts CATENATE (TEXT \"quoted\")")).isInstanceOf(ParseException.class);
    }

    @Test
    void imapUrlsOfOwnMessages() throws ParseException {
        assertThat(CatenateParser.url("/INBOX;UIDVALIDITY=9/;UID=20/;SECTION=1.2.MIME/;PARTIAL=5.10"))
                .isEqualTo(new CatenateParser.ImapUrl("INBOX", 9, 20,
                        new FetchItem.Section(List.of(1, 2), FetchItem.Section.Spec.MIME, List.of()), 5, 10));
        assertThat(CatenateParser.url("imap://u@h:143/Entw%26APw-rfe/;uid=3"))
                .isEqualTo(new CatenateParser.ImapUrl("Entwürfe", -1, 3, null, -1, -1));
        assertThat(CatenateParser.url("/;UID=4")).isEqualTo(new CatenateParser.ImapUrl(null, -1, 4, null, -1, -1));
        for (String bad : List.of("INBOX/;UID=1", "/INBOX", "/INBOX/;UID=0", "/INBOX/;UID=1/;SECTION=1.X",
                "/INBOX/;UID=1/;URLAUTH=x", "/IN%2/;UID=1", "/INBOX/;UID=99999999999", "imap://host")) {
            assertThatThrownBy(() -> CatenateParser.url(bad)).as(bad).isInstanceOf(ParseException.class);
        }
    }
}
