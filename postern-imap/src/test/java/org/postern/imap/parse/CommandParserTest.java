// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postern.imap.parse.FetchItem.Kind;
import org.postern.imap.parse.FetchItem.Section;

class CommandParserTest {
    static Request parse(String s) throws ParseException {
        return CommandParser.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("a CAPABILITY", new Command.Capability()),
                Arguments.of("a noop", new Command.Noop()),
                Arguments.of("a LOGIN alice \"pass word\"", new Command.Login("alice", "pass word")),
                Arguments.of("a LOGIN {5}\r\nalice {3}\r\np\"w", new Command.Login("alice", "p\"w")),
                Arguments.of("a LOGIN alice \"p\\\\w\\\"\"", new Command.Login("alice", "p\\w\"")),
                Arguments.of("a AUTHENTICATE PLAIN", new Command.Authenticate("PLAIN", null)),
                Arguments.of("a AUTHENTICATE plain AGFsaWNlAHB3", new Command.Authenticate("PLAIN", "AGFsaWNlAHB3")),
                Arguments.of("a AUTHENTICATE PLAIN =", new Command.Authenticate("PLAIN", "")),
                Arguments.of("a SELECT inbox", new Command.Select("INBOX", false)),
                Arguments.of("a EXAMINE \"Entw&APw-rfe\"", new Command.Select("Entwürfe", true)),
                Arguments.of("a CREATE foo/bar", new Command.Create("foo/bar")),
                Arguments.of("a RENAME a b", new Command.Rename("a", "b")),
                Arguments.of("a SUBSCRIBE a", new Command.Subscribe("a", true)),
                Arguments.of("a LIST \"\" *", new Command.ListMailboxes("", "*", false)),
                Arguments.of("a LIST \"\" \"\"", new Command.ListMailboxes("", "", false)),
                Arguments.of("a LSUB foo/ %", new Command.ListMailboxes("foo/", "%", true)),
                Arguments.of("a STATUS INBOX (MESSAGES UNSEEN UIDNEXT)",
                        new Command.Status("INBOX", List.of("MESSAGES", "UNSEEN", "UIDNEXT"))),
                Arguments.of("a EXPUNGE", new Command.Expunge(null)),
                Arguments.of("a UID EXPUNGE 3:5", new Command.Expunge(SequenceSet.of(3, 5))),
                Arguments.of("a FETCH 1:* FAST", new Command.Fetch(false, SequenceSet.of(1, SequenceSet.STAR),
                        List.of(new FetchItem.Simple(Kind.FLAGS), new FetchItem.Simple(Kind.INTERNALDATE),
                                new FetchItem.Simple(Kind.RFC822_SIZE)))),
                Arguments.of("a UID FETCH 1 (UID BODY.PEEK[HEADER.FIELDS (From Subject)]<0.100>)",
                        new Command.Fetch(true, SequenceSet.of(1, 1), List.of(new FetchItem.Simple(Kind.UID),
                                new FetchItem.BodySection(new Section(List.of(), Section.Spec.HEADER_FIELDS,
                                        List.of("From", "Subject")), true, 0, 100)))),
                Arguments.of("a FETCH 2 (BODY[1.2.MIME] BODY[3] BODY[] BODY[2.TEXT])", new Command.Fetch(false,
                        SequenceSet.of(2, 2), List.of(
                                new FetchItem.BodySection(new Section(List.of(1, 2), Section.Spec.MIME, List.of()), false, -1, 0),
                                new FetchItem.BodySection(new Section(List.of(3), Section.Spec.NONE, List.of()), false, -1, 0),
                                new FetchItem.BodySection(Section.WHOLE, false, -1, 0),
                                new FetchItem.BodySection(new Section(List.of(2), Section.Spec.TEXT, List.of()), false, -1, 0)))),
                Arguments.of("a STORE 1,3:4 +FLAGS.SILENT (\\Seen \\deleted $Junk)", new Command.Store(false,
                        new SequenceSet(List.of(new SequenceSet.Range(1, 1), new SequenceSet.Range(3, 4))),
                        Command.StoreMode.ADD, true, List.of("\\Seen", "\\Deleted", "$Junk"))),
                Arguments.of("a UID STORE 5 FLAGS \\Seen", new Command.Store(true, SequenceSet.of(5, 5),
                        Command.StoreMode.REPLACE, false, List.of("\\Seen"))),
                Arguments.of("a UID COPY 1:2 Trash", new Command.Copy(true, SequenceSet.of(1, 2), "Trash", false)),
                Arguments.of("a MOVE 1 Archive", new Command.Copy(false, SequenceSet.of(1, 1), "Archive", true)),
                Arguments.of("a UID FETCH 0:* FLAGS", new Command.Fetch(true, SequenceSet.of(0, SequenceSet.STAR),
                        List.of(new FetchItem.Simple(Kind.FLAGS)))),
                Arguments.of("a IDLE", new Command.Idle()),
                Arguments.of("a ENABLE CONDSTORE", new Command.Enable(List.of("CONDSTORE"))),
                Arguments.of("a ID NIL", new Command.Id(null)),
                Arguments.of("a ID (\"name\" \"x\" \"version\" NIL)",
                        new Command.Id(new java.util.LinkedHashMap<>(java.util.Map.of("name", "x")) {{ put("version", null); }})),
                Arguments.of("a SEARCH UNSEEN", new Command.Search(false, null, new SearchKey.Flag("\\Seen", false))),
                Arguments.of("a UID SEARCH CHARSET UTF-8 OR FROM alice (SUBJECT \"hi there\" NOT 1:3)",
                        new Command.Search(true, "UTF-8", new SearchKey.Or(new SearchKey.Header("FROM", "alice"),
                                new SearchKey.And(List.of(new SearchKey.Header("SUBJECT", "hi there"),
                                        new SearchKey.Not(new SearchKey.Sequence(SequenceSet.of(1, 3)))))))),
                Arguments.of("a SEARCH CHARSET KOI8-R BODY x", new Command.Search(false, "KOI8-R", new SearchKey.All())),
                Arguments.of("a SEARCH SINCE 1-Feb-2024 LARGER 100",
                        new Command.Search(false, null, new SearchKey.And(List.of(
                                new SearchKey.Date(SearchKey.DateOp.SINCE, java.time.LocalDate.of(2024, 2, 1), false),
                                new SearchKey.Size(true, 100))))));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void parsesValidCommands(String line, Command expected) throws ParseException {
        Request r = parse(line);
        assertThat(r.tag()).isEqualTo("a");
        assertThat(r.command()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a FETCH 1:4294967296 FLAGS",     // number above 2^32-1 (HOSTILE A24)
        "a FETCH 0 FLAGS",                 // sequence number 0
        "a UID FETCH 0 FLAGS",             // UID 0 alone
        "a FETCH 99999999999999999999 FLAGS",
        "a LOGIN {5}",                     // literal announced, data missing
        "a LOGIN {4294967296}\r\nx",       // literal size overflow (HOSTILE A21)
        "a SELECT &AGE-",                  // invalid modified UTF-7 (HOSTILE A26)
        "a SELECT \"IN\0BOX\"",            // NUL in quoted string (HOSTILE A69)
        "a LOGIN us\u00e9r pw",            // 8-bit in an atom
        "a FROB",                          // unknown command
        "a FETCH 1 (FLAGS",                // unbalanced
        "a STORE 1 +FLAGS (\\Recent)",     // \Recent cannot be stored
        "a SEARCH BEFORE 30-Feb-2024",     // no such date
        "a APPEND INBOX",                  // APPEND without literal
        "a  NOOP",                         // double space
        "a NOOP extra",
        "a UID FROB 1",
        "a STATUS INBOX (BOGUS)",
    })
    void rejectsWithTaggedBad(String line) {
        assertThatThrownBy(() -> parse(line)).isInstanceOf(CommandParser.TaggedParseException.class)
                .satisfies(e -> assertThat(((CommandParser.TaggedParseException) e).tag()).isEqualTo("a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " NOOP", "+a NOOP", "(a NOOP", "*"})
    void rejectsMissingTag(String line) {
        assertThatThrownBy(() -> parse(line)).isInstanceOf(ParseException.class)
                .isNotInstanceOf(CommandParser.TaggedParseException.class);
        assertThat(CommandParser.tagOf(line.getBytes(StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void deepSearchNestingIsRefusedWithoutStackOverflow() {
        String deep = "a SEARCH " + "(".repeat(100_000) + "ALL" + ")".repeat(100_000);
        assertThatThrownBy(() -> parse(deep)).isInstanceOf(ParseException.class).hasMessageContaining("deep");
        String nots = "a SEARCH " + "NOT ".repeat(100_000) + "ALL";
        assertThatThrownBy(() -> parse(nots)).isInstanceOf(ParseException.class).hasMessageContaining("deep");
        String ors = "a SEARCH " + "OR ALL ".repeat(100_000) + "ALL";
        assertThatThrownBy(() -> parse(ors)).isInstanceOf(ParseException.class).hasMessageContaining("deep");
    }

    @Test
    void nestingWithinTheLimitIsAccepted() throws ParseException {
        assertThat(parse("a SEARCH " + "(".repeat(30) + "ALL" + ")".repeat(30)).command()).isInstanceOf(Command.Search.class);
    }

    @Test
    void hugeSequenceRangeStaysOneRange() throws ParseException {
        Command.Fetch f = (Command.Fetch) parse("a FETCH 1:4294967295 FLAGS").command();
        assertThat(f.set().resolve(10)).hasDimensions(1, 2);
        assertThat(f.set().resolve(10)[0]).containsExactly(1, 4294967295L);
    }

    @Test
    void tooManyRangesAreRefused() {
        String many = "a FETCH " + "1,".repeat(SequenceSet.MAX_RANGES + 1) + "1 FLAGS";
        assertThatThrownBy(() -> parse(many)).isInstanceOf(ParseException.class);
    }

    @Test
    void appendPrefixIsRecognized() throws ParseException {
        Request r = CommandParser.appendPrefix(
                "a APPEND Sent (\\Seen) \" 7-Feb-2024 10:11:12 +0100\" {310+}".getBytes(StandardCharsets.US_ASCII)).orElseThrow();
        Command.Append a = (Command.Append) r.command();
        assertThat(a.mailbox()).isEqualTo("Sent");
        assertThat(a.flags()).containsExactly("\\Seen");
        assertThat(a.size()).isEqualTo(310);
        assertThat(a.synchronizing()).isFalse();
        assertThat(a.internalDate().toString()).isEqualTo("2024-02-07T10:11:12+01:00");
        assertThat(CommandParser.appendPrefix("a LOGIN {5}".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertThat(CommandParser.appendPrefix("a APPEND INBOX {5}".getBytes(StandardCharsets.US_ASCII))).isPresent();
    }

    @Test
    void sequenceSetResolutionMergesAndClips() {
        SequenceSet s = new SequenceSet(List.of(new SequenceSet.Range(5, 3), new SequenceSet.Range(SequenceSet.STAR, SequenceSet.STAR),
                new SequenceSet.Range(4, 8)));
        long[][] r = s.resolve(20);
        assertThat(r).hasDimensions(2, 2);
        assertThat(r[0]).containsExactly(3, 8);
        assertThat(r[1]).containsExactly(20, 20);
        assertThat(SequenceSet.ordered(List.of(3L, 4L, 5L, 9L))).isEqualTo("3:5,9");
    }
}
