// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The grammar of COMPRESS (RFC 4978), QUOTA (RFC 9208 §7), METADATA (RFC 5464 §5) and ACL
 * (RFC 4314 §3), with hostile variants (HOSTILE A67, A69: NUL, CR/LF, wildcards, huge numbers).
 */
class AccessExtensionsParserTest {
    static Request parse(String s) throws ParseException {
        return CommandParser.parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static Stream<Arguments> valid() {
        Map<String, Long> limits = new LinkedHashMap<>();
        limits.put("STORAGE", 512L);
        limits.put("MESSAGE", 1000L);
        return Stream.of(
                Arguments.of("a COMPRESS DEFLATE", new Command.Compress("DEFLATE")),
                Arguments.of("a compress deflate", new Command.Compress("deflate")),
                Arguments.of("a GETQUOTA \"\"", new Command.GetQuota("")),
                Arguments.of("a GETQUOTA \"#user/alice\"", new Command.GetQuota("#user/alice")),
                Arguments.of("a GETQUOTAROOT inbox", new Command.GetQuotaRoot("INBOX")),
                Arguments.of("a SETQUOTA \"\" (storage 512 MESSAGE 1000)", new Command.SetQuota("", limits)),
                Arguments.of("a SETQUOTA \"\" ()", new Command.SetQuota("", Map.of())),
                Arguments.of("a GETMETADATA \"\" /shared/comment", new Command.GetMetadata("", List.of("/shared/comment"), -1, 0)),
                Arguments.of("a GETMETADATA INBOX (/Shared/Comment /private/comment)",
                        new Command.GetMetadata("INBOX", List.of("/shared/comment", "/private/comment"), -1, 0)),
                Arguments.of("a GETMETADATA (MAXSIZE 1024 DEPTH infinity) INBOX /private/x",
                        new Command.GetMetadata("INBOX", List.of("/private/x"), 1024, -1)),
                Arguments.of("a GETMETADATA INBOX (DEPTH 1) (/private/filters/values)",
                        new Command.GetMetadata("INBOX", List.of("/private/filters/values"), -1, 1)),
                Arguments.of("a GETMETADATA INBOX /private/a /private/b",
                        new Command.GetMetadata("INBOX", List.of("/private/a", "/private/b"), -1, 0)),
                Arguments.of("a SETACL INBOX bob@example.org +lrs", new Command.SetAcl("INBOX", "bob@example.org", "+lrs")),
                Arguments.of("a SETACL INBOX anyone \"\"", new Command.SetAcl("INBOX", "anyone", "")),
                Arguments.of("a DELETEACL Work bob", new Command.DeleteAcl("Work", "bob")),
                Arguments.of("a GETACL \"Other Users/bob@example.org/INBOX\"", new Command.GetAcl("Other Users/bob@example.org/INBOX")),
                Arguments.of("a LISTRIGHTS INBOX anyone", new Command.ListRights("INBOX", "anyone")),
                Arguments.of("a MYRIGHTS INBOX", new Command.MyRights("INBOX")));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void parsesValid(String line, Command expected) throws ParseException {
        assertThat(parse(line).command()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a COMPRESS",
        "a COMPRESS DEFLATE extra",
        "a GETQUOTA",
        "a SETQUOTA \"\" (STORAGE)",
        "a SETQUOTA \"\" (STORAGE -1)",
        "a SETQUOTA \"\" (STORAGE 99999999999999999999)",
        "a SETQUOTA \"\" (STORAGE 1 STORAGE 2)",
        "a SETQUOTA \"\" STORAGE 1",
        "a GETMETADATA INBOX",
        "a GETMETADATA INBOX ()",
        "a GETMETADATA INBOX /comment",
        "a GETMETADATA INBOX /shared",
        "a GETMETADATA INBOX /shared/",
        "a GETMETADATA INBOX /shared//x",
        "a GETMETADATA INBOX \"/shared/a*\"",
        "a GETMETADATA INBOX \"/shared/a%b\"",
        "a GETMETADATA INBOX \"/shared/\u00e9\"",
        "a GETMETADATA INBOX {13}\r\n/shared/a\r\nb",
        "a GETMETADATA (DEPTH 2) INBOX /shared/x",
        "a GETMETADATA (MAXSIZE -1) INBOX /shared/x",
        "a GETMETADATA (DEPTH 1 DEPTH 0) INBOX /shared/x",
        "a SETMETADATA INBOX /shared/x \"v\"",
        "a SETMETADATA INBOX (/shared/x)",
        "a SETMETADATA INBOX (/shared/x \"a\" /shared/x \"b\")",
        "a SETMETADATA INBOX (/shared/x \"a\0b\")",
        "a SETACL INBOX bob",
        "a DELETEACL INBOX",
        "a GETACL",
        "a MYRIGHTS INBOX extra",
    })
    void rejectsInvalid(String line) {
        assertThatThrownBy(() -> parse(line)).isInstanceOf(ParseException.class);
    }

    @Test
    void setMetadataValuesAreOctets() throws ParseException {
        Command.SetMetadata c = (Command.SetMetadata) parse(
                "a SETMETADATA INBOX (/private/comment {12}\r\nline\r\nline 2 /shared/bin ~{3}\r\nx\0y /shared/gone NIL)").command();
        assertThat(c.mailbox()).isEqualTo("INBOX");
        assertThat(c.values().keySet()).containsExactly("/private/comment", "/shared/bin", "/shared/gone");
        assertThat(new String(c.values().get("/private/comment"), StandardCharsets.UTF_8)).isEqualTo("line\r\nline 2");
        assertThat(c.values().get("/shared/bin")).containsExactly('x', 0, 'y');
        assertThat(c.values().get("/shared/gone")).isNull();
    }

    @Test
    void entryCountIsBounded() {
        StringBuilder sb = new StringBuilder("a GETMETADATA INBOX (");
        for (int i = 0; i <= MetadataParser.MAX_ENTRIES; i++) sb.append(i == 0 ? "" : " ").append("/shared/e").append(i);
        assertThatThrownBy(() -> parse(sb + ")")).isInstanceOf(ParseException.class).hasMessageContaining("Too many entries");
        String longName = "/shared/" + "x".repeat(MetadataParser.MAX_ENTRY_NAME);
        assertThatThrownBy(() -> parse("a GETMETADATA INBOX " + longName)).hasMessageContaining("Entry name too long");
    }
}
