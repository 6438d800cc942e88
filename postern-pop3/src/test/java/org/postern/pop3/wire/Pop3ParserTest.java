// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.pop3.wire.Pop3Command.*;

class Pop3ParserTest {
    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("USER alice@example.org", new User("alice@example.org")),
                Arguments.of("user alice", new User("alice")),
                Arguments.of("PASS secret", new Pass("secret")),
                Arguments.of("PASS  two  spaces ", new Pass(" two  spaces ")), // RFC 1939 §7: rest of line
                Arguments.of("PASS pässwörd", new Pass("pässwörd")),
                Arguments.of("AUTH", new AuthList()),
                Arguments.of("AUTH plain", new Auth("PLAIN", null)),
                Arguments.of("AUTH PLAIN AGFsaWNlAHNlY3JldA==", new Auth("PLAIN", "AGFsaWNlAHNlY3JldA==")),
                Arguments.of("AUTH PLAIN =", new Auth("PLAIN", "=")),
                Arguments.of("AUTH SCRAM-SHA-256", new Auth("SCRAM-SHA-256", null)),
                Arguments.of("STLS", new Stls()),
                Arguments.of("capa", new Capa()),
                Arguments.of("UTF8", new Utf8()),
                Arguments.of("STAT", new Stat()),
                Arguments.of("LIST", new List(0)),
                Arguments.of("LIST 7", new List(7)),
                Arguments.of("LIST 7 ", new List(7)),
                Arguments.of("LIST 2147483647", new List(Integer.MAX_VALUE)),
                Arguments.of("RETR 1", new Retr(1)),
                Arguments.of("RETR 001", new Retr(1)),
                Arguments.of("DELE 3", new Dele(3)),
                Arguments.of("TOP 1 0", new Top(1, 0)),
                Arguments.of("TOP 1 999999999999", new Top(1, 999_999_999_999L)),
                Arguments.of("UIDL", new Uidl(0)),
                Arguments.of("UIDL 2", new Uidl(2)),
                Arguments.of("NOOP", new Noop()),
                Arguments.of("RSET", new Rset()),
                Arguments.of("QUIT", new Quit()),
                Arguments.of("quit", new Quit()));
    }

    @ParameterizedTest
    @MethodSource
    void valid(String line, Pop3Command expected) {
        assertThat(Pop3Parser.parse(line.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
    }

    /** Hostile and malformed lines (HOSTILE.md A30, A41): always Invalid, never an exception. */
    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("", "Unknown command"),
                Arguments.of("GET / HTTP/1.1", "Unknown command"),
                Arguments.of("POST / HTTP/1.1", "Unknown command"),
                Arguments.of("APOP alice c4c9334bac560ecc979e58001b3e22fb", "APOP"),
                Arguments.of("RETR", "message number"),
                Arguments.of("RETR 0", "No such message"),
                Arguments.of("RETR -1", "Invalid message number"),
                Arguments.of("RETR +1", "Invalid message number"),
                Arguments.of("RETR 1x", "Invalid message number"),
                Arguments.of("RETR 99999999999", "No such message"),
                Arguments.of("RETR 2147483648", "No such message"),
                Arguments.of("RETR 99999999999999999999999999999", "No such message"),
                Arguments.of("RETR 1 2", "message number"),
                Arguments.of("RETR  1", "one space"),
                Arguments.of("DELE", "message number"),
                Arguments.of("LIST a", "Invalid message number"),
                Arguments.of("TOP 1", "line count"),
                Arguments.of("TOP 1 -1", "Invalid line count"),
                Arguments.of("TOP 1 9999999999999999999", "Invalid line count"),
                Arguments.of("TOP 0 1", "No such message"),
                Arguments.of("STAT now", "no arguments"),
                Arguments.of("QUIT please", "no arguments"),
                Arguments.of("STLS x", "no arguments"),
                Arguments.of("USER", "USER needs"),
                Arguments.of("USER a b", "USER needs"),
                Arguments.of("PASS", "password"),
                Arguments.of("PASS ", "password"),
                Arguments.of("AUTH PL@IN", "mechanism"),
                Arguments.of("AUTH PLAIN a b", "AUTH takes"),
                Arguments.of("USER al\u0000ice", "Invalid characters"),
                Arguments.of("NOOP\u001b[31m", "Invalid characters"),
                Arguments.of("X".repeat(254), "too long"));
    }

    @ParameterizedTest
    @MethodSource
    void invalid(String line, String replyContains) {
        Pop3Command c = Pop3Parser.parse(line.getBytes(StandardCharsets.UTF_8));
        assertThat(c).isInstanceOf(Invalid.class);
        assertThat(((Invalid) c).reply()).containsIgnoringCase(replyContains);
    }

    @Test
    void repliesNeverEchoTheClientsText() {
        for (String line : new String[] {"GET /<script>alert(1)</script> HTTP/1.1", "XYZZY secret-token",
                "RETR <script>"}) {
            Invalid c = (Invalid) Pop3Parser.parse(line.getBytes(StandardCharsets.UTF_8));
            assertThat(c.reply()).doesNotContain("script", "secret-token", "XYZZY", "GET");
        }
    }

    @Test
    void invalidUtf8IsRejected() {
        byte[] line = {'U', 'S', 'E', 'R', ' ', (byte) 0xC3, (byte) 0x28};
        assertThat(Pop3Parser.parse(line)).isEqualTo(new Invalid("Invalid UTF-8 in command"));
    }

    @Test
    void longestAllowedLineParses() {
        String pass = "p".repeat(Pop3Parser.MAX_LINE - 5);
        assertThat(Pop3Parser.parse(("PASS " + pass).getBytes(StandardCharsets.US_ASCII))).isEqualTo(new Pass(pass));
    }

    static Stream<Arguments> saslResponses() {
        return Stream.of(
                Arguments.of("*", "Cancel"),
                Arguments.of("", "Data:"),
                Arguments.of("AGFsaWNlAHNlY3JldA==", "Data:\u0000alice\u0000secret"),
                Arguments.of("AGFsaWNl!", "Malformed"),
                Arguments.of("abc", "Malformed"),
                Arguments.of("a===", "Malformed"),
                Arguments.of("**", "Malformed"));
    }

    @ParameterizedTest
    @MethodSource
    void saslResponses(String line, String expected) {
        String got = switch (Pop3Parser.parseSaslResponse(line.getBytes(StandardCharsets.US_ASCII))) {
            case Pop3Parser.SaslResponse.Cancel c -> "Cancel";
            case Pop3Parser.SaslResponse.Malformed m -> "Malformed";
            case Pop3Parser.SaslResponse.Data d -> "Data:" + new String(d.bytes(), StandardCharsets.UTF_8);
        };
        assertThat(got).isEqualTo(expected);
    }

    @Test
    void initialResponseEqualsSignIsEmpty() {
        assertThat(Pop3Parser.decodeInitialResponse("=")).isInstanceOfSatisfying(Pop3Parser.SaslResponse.Data.class,
                d -> assertThat(d.bytes()).isEmpty());
        assertThat(Pop3Parser.decodeInitialResponse("*")).isInstanceOf(Pop3Parser.SaslResponse.Malformed.class);
    }
}
