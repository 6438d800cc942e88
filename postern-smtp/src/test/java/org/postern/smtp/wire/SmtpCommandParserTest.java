// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.core.MailAddress;

class SmtpCommandParserTest {

    static SmtpCommand parse(String line) {
        return SmtpCommandParser.parse(line.getBytes(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> valid() {
        MailAddress alice = new MailAddress("alice", "example.org");
        return Stream.of(
                Arguments.of("EHLO client.example", new SmtpCommand.Ehlo("client.example")),
                Arguments.of("ehlo [192.0.2.1]", new SmtpCommand.Ehlo("[192.0.2.1]")),
                Arguments.of("HELO x", new SmtpCommand.Helo("x")),
                Arguments.of("MAIL FROM:<alice@example.org>", new SmtpCommand.Mail(alice, MailParameters.NONE)),
                Arguments.of("mail from:<alice@EXAMPLE.org>", new SmtpCommand.Mail(alice, MailParameters.NONE)),
                Arguments.of("MAIL FROM: <alice@example.org>", new SmtpCommand.Mail(alice, MailParameters.NONE)),
                Arguments.of("MAIL FROM:<>", new SmtpCommand.Mail(null, MailParameters.NONE)),
                Arguments.of("MAIL FROM:<alice@example.org> SIZE=1000 BODY=8BITMIME SMTPUTF8",
                        new SmtpCommand.Mail(alice, new MailParameters(1000, BodyType.EIGHT_BIT_MIME, true))),
                Arguments.of("MAIL FROM:<alice@example.org> size=99999999999999999999",
                        new SmtpCommand.Mail(alice, new MailParameters(Long.MAX_VALUE, BodyType.SEVEN_BIT, false))),
                Arguments.of("MAIL FROM:<alice@example.org> BODY=7bit",
                        new SmtpCommand.Mail(alice, new MailParameters(-1, BodyType.SEVEN_BIT, false))),
                Arguments.of("RCPT TO:<alice@example.org>", new SmtpCommand.Rcpt(alice, false)),
                // RFC 5321 App. C: source route stripped, only the mailbox judged.
                Arguments.of("RCPT TO:<@hop1.example,@hop2.example:alice@example.org>", new SmtpCommand.Rcpt(alice, false)),
                Arguments.of("RCPT TO:<Postmaster>", new SmtpCommand.Rcpt(null, true)),
                // Quoted local parts that need no quotes are the same mailbox.
                Arguments.of("RCPT TO:<\"alice\"@example.org>", new SmtpCommand.Rcpt(alice, false)),
                // A15 forms are plain addresses, never routing.
                Arguments.of("RCPT TO:<victim%external.example@ours.example>",
                        new SmtpCommand.Rcpt(new MailAddress("victim%external.example", "ours.example"), false)),
                Arguments.of("RCPT TO:<external.example!victim@ours.example>",
                        new SmtpCommand.Rcpt(new MailAddress("external.example!victim", "ours.example"), false)),
                Arguments.of("RCPT TO:<\"victim@external.example\"@ours.example>",
                        new SmtpCommand.Rcpt(new MailAddress("\"victim@external.example\"", "ours.example"), false)),
                Arguments.of("RCPT TO:<victim@[1.2.3.4]>",
                        new SmtpCommand.Rcpt(new MailAddress("victim", "[1.2.3.4]"), false)),
                Arguments.of("RCPT TO:<\"a>b\"@example.org>",
                        new SmtpCommand.Rcpt(new MailAddress("\"a>b\"", "example.org"), false)),
                Arguments.of("RCPT TO:<用户@例子.example>",
                        new SmtpCommand.Rcpt(new MailAddress("用户", "例子.example"), false)),
                Arguments.of("DATA", new SmtpCommand.Data()),
                Arguments.of("rset", new SmtpCommand.Rset()),
                Arguments.of("NOOP whatever", new SmtpCommand.Noop()),
                Arguments.of("QUIT", new SmtpCommand.Quit()),
                Arguments.of("VRFY alice", new SmtpCommand.Vrfy("alice")),
                Arguments.of("EXPN list", new SmtpCommand.Expn("list")),
                Arguments.of("HELP", new SmtpCommand.Help("")),
                Arguments.of("STARTTLS", new SmtpCommand.StartTls()),
                Arguments.of("AUTH PLAIN", new SmtpCommand.Auth("PLAIN", null)),
                Arguments.of("auth plain AGFsaWNlAHNlY3JldA==", new SmtpCommand.Auth("PLAIN", "AGFsaWNlAHNlY3JldA==")),
                Arguments.of("AUTH PLAIN =", new SmtpCommand.Auth("PLAIN", "=")),
                Arguments.of("AUTH SCRAM-SHA-256", new SmtpCommand.Auth("SCRAM-SHA-256", null)),
                // RFC 3030 §2; HOSTILE A64: sizes beyond a long are "too big", never wrapped.
                Arguments.of("BDAT 100 LAST", new SmtpCommand.Bdat(100, true)),
                Arguments.of("bdat 0 last", new SmtpCommand.Bdat(0, true)),
                Arguments.of("BDAT 4096", new SmtpCommand.Bdat(4096, false)),
                Arguments.of("BDAT 000012", new SmtpCommand.Bdat(12, false)),
                Arguments.of("BDAT 99999999999999999999", new SmtpCommand.Bdat(Long.MAX_VALUE, false)),
                Arguments.of("BDAT 9223372036854775808 LAST", new SmtpCommand.Bdat(Long.MAX_VALUE, true)),
                Arguments.of("BDAT", new SmtpCommand.Bdat(-1, false)),
                Arguments.of("BDAT -5", new SmtpCommand.Bdat(-1, false)),
                Arguments.of("BDAT 10 FIRST", new SmtpCommand.Bdat(-1, false)),
                Arguments.of("BDAT 10 LAST x", new SmtpCommand.Bdat(-1, false)),
                Arguments.of("BDAT 1e3", new SmtpCommand.Bdat(-1, false)),
                Arguments.of("MAIL FROM:<alice@example.org> BODY=BINARYMIME",
                        new SmtpCommand.Mail(alice, new MailParameters(-1, BodyType.BINARY_MIME, false))),
                // RFC 3461 §4.3, §4.4 (xtext decoded); RFC 8689 §4.
                Arguments.of("MAIL FROM:<alice@example.org> RET=HDRS ENVID=QQ+2B1+3D2 REQUIRETLS",
                        new SmtpCommand.Mail(alice, new MailParameters(-1, BodyType.SEVEN_BIT, false,
                                MailParameters.Ret.HDRS, "QQ+1=2", true))),
                Arguments.of("MAIL FROM:<alice@example.org> ret=full ENVID=" + "x".repeat(100),
                        new SmtpCommand.Mail(alice, new MailParameters(-1, BodyType.SEVEN_BIT, false,
                                MailParameters.Ret.FULL, "x".repeat(100), false))),
                // RFC 3461 §4.1, §4.2.
                Arguments.of("RCPT TO:<alice@example.org> NOTIFY=NEVER", new SmtpCommand.Rcpt(alice, false,
                        new RcptParameters(java.util.Set.of(RcptParameters.Notify.NEVER), null, null))),
                Arguments.of("RCPT TO:<alice@example.org> notify=success,Delay ORCPT=rfc822;bob+2Bx@example.org",
                        new SmtpCommand.Rcpt(alice, false, new RcptParameters(java.util.Set.of(
                                RcptParameters.Notify.SUCCESS, RcptParameters.Notify.DELAY), "rfc822", "bob+x@example.org"))),
                Arguments.of("RCPT TO:<alice@example.org> ORCPT=RFC822;alice@example.org", new SmtpCommand.Rcpt(alice, false,
                        new RcptParameters(java.util.Set.of(), "rfc822", "alice@example.org"))));
    }

    @ParameterizedTest
    @MethodSource
    void valid(String line, SmtpCommand expected) {
        assertThat(parse(line)).isEqualTo(expected);
    }

    static Stream<Arguments> invalid() {
        String local65 = "a".repeat(65);
        String domain256 = ("d".repeat(63) + ".").repeat(4) + "dddd"; // 256 octets
        return Stream.of(
                Arguments.of("", "500 5.5.1"),
                Arguments.of("FOO bar", "500 5.5.1"),
                Arguments.of("GET / HTTP/1.1", "500 5.5.1"),
                Arguments.of("EHLO", "501 5.5.4"),
                Arguments.of("HELO ", "501 5.5.4"),
                Arguments.of("MAIL alice@example.org", "501 5.5.4"),
                Arguments.of("MAIL FROM:alice@example.org", "501 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org", "501 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org>junk", "501 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org> FOO=bar", "555 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org> BODY=BINARY", "555 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org> RET=ALL", "501 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org> RET", "501 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org> ENVID=" + "x".repeat(101), "501 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org> ENVID=ab+2", "501 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org> ENVID=ab+2g", "501 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org> ENVID=ab+0D+0A", "501 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org> ENVID", "501 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org> REQUIRETLS=yes", "501 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org> RET=HDRS RET=FULL", "501 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org> SIZE=abc", "501 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org> SIZE=1 SIZE=2", "501 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org> SMTPUTF8=yes", "501 5.5.4"),
                Arguments.of("MAIL FROM:<alice@example.org> =x", "501 5.5.4"),
                Arguments.of("MAIL FROM:<alice@>", "501 5.1.7"),
                Arguments.of("MAIL FROM:<alice>", "501 5.1.7"),
                Arguments.of("RCPT TO:<>", "501 5.1.3"),
                Arguments.of("RCPT TO:<alice@example.org> FOO=bar", "555 5.5.4"),
                Arguments.of("RCPT TO:<alice@example.org> NOTIFY=NEVER,SUCCESS", "501 5.5.4"),
                Arguments.of("RCPT TO:<alice@example.org> NOTIFY=SUCCESS,SUCCESS", "501 5.5.4"),
                Arguments.of("RCPT TO:<alice@example.org> NOTIFY=SOMETIMES", "501 5.5.4"),
                Arguments.of("RCPT TO:<alice@example.org> NOTIFY=", "501 5.5.4"),
                Arguments.of("RCPT TO:<alice@example.org> NOTIFY=SUCCESS,", "501 5.5.4"),
                Arguments.of("RCPT TO:<alice@example.org> NOTIFY", "501 5.5.4"),
                Arguments.of("RCPT TO:<alice@example.org> ORCPT=alice@example.org", "501 5.5.4"),
                Arguments.of("RCPT TO:<alice@example.org> ORCPT=;alice@example.org", "501 5.5.4"),
                Arguments.of("RCPT TO:<alice@example.org> ORCPT=rfc822;", "501 5.5.4"),
                Arguments.of("RCPT TO:<alice@example.org> ORCPT=rfc822;a+ZZ", "501 5.5.4"),
                Arguments.of("RCPT TO:<alice@example.org> ORCPT=rfc822;" + "a".repeat(600), "501 5.5.4"),
                Arguments.of("RCPT TO:<alice@example.org> NOTIFY=NEVER NOTIFY=NEVER", "501 5.5.4"),
                Arguments.of("RCPT alice@example.org", "501 5.5.4"),
                Arguments.of("RCPT TO:alice@example.org", "501 5.5.4"),
                // HOSTILE A15 forms that are not even addresses.
                Arguments.of("RCPT TO:<external.example!victim>", "501 5.1.3"),
                Arguments.of("RCPT TO:<\"victim@external.example\">", "501 5.1.3"),
                Arguments.of("RCPT TO:<victim@external.example@ours.example>", "501 5.1.3"),
                Arguments.of("RCPT TO:<victim@ours.example.>", "501 5.1.3"),
                Arguments.of("RCPT TO:<victim@[999.1.1.1]>", "501 5.1.3"),
                Arguments.of("RCPT TO:<@hop:>", "501 5.1.3"),
                Arguments.of("RCPT TO:<@:victim@ours.example>", "501 5.1.3"),
                Arguments.of("RCPT TO:<a..b@ours.example>", "501 5.1.3"),
                // HOSTILE A10: limits refuse, never truncate.
                Arguments.of("RCPT TO:<" + local65 + "@example.org>", "501 5.1.3"),
                Arguments.of("RCPT TO:<a@" + domain256 + ">", "501 5.1.3"),
                Arguments.of("RCPT TO:<" + "a".repeat(64) + "@" + "b".repeat(60) + "." + "c".repeat(60) + "."
                        + "d".repeat(60) + "." + "e".repeat(60) + ">", "501 5.1.3"),
                Arguments.of("DATA now", "501 5.5.4"),
                Arguments.of("RSET x", "501 5.5.4"),
                Arguments.of("QUIT x", "501 5.5.4"),
                Arguments.of("STARTTLS x", "501 5.5.4"),
                Arguments.of("VRFY", "501 5.5.4"),
                Arguments.of("AUTH", "501 5.5.4"),
                Arguments.of("AUTH PLAIN a b", "501 5.5.4"),
                Arguments.of("AUTH PL@IN", "501 5.5.4"),
                // HOSTILE A07: CR or LF inside a line is never a line end.
                Arguments.of("EHLO x\nMAIL FROM:<a@b.example>", "500 5.5.2"),
                Arguments.of("EHLO x\rMAIL FROM:<a@b.example>", "500 5.5.2"),
                Arguments.of("NOOP \0", "500 5.5.2"),
                // HOSTILE A09.
                Arguments.of("MAIL FROM:<" + "a".repeat(5000) + ">", "500 5.5.2"),
                Arguments.of("NOOP " + "x".repeat(4090), "500 5.5.2"));
    }

    @ParameterizedTest
    @MethodSource
    void invalid(String line, String expectedPrefix) {
        SmtpCommand c = parse(line);
        assertThat(c).isInstanceOf(SmtpCommand.Invalid.class);
        SmtpReply r = ((SmtpCommand.Invalid) c).reply();
        assertThat(r.code() + " " + r.enhanced()).isEqualTo(expectedPrefix);
    }

    @Test
    void lineLimitIsExactly4096OctetsWithCrlf() {
        String atLimit = "NOOP " + "x".repeat(SmtpCommandParser.MAX_LINE - 5);
        assertThat(parse(atLimit)).isEqualTo(new SmtpCommand.Noop());
        assertThat(parse(atLimit + "x")).isInstanceOf(SmtpCommand.Invalid.class);
    }

    @Test
    void authMayCarryLongInitialResponse() {
        String ir = "A".repeat(8000);
        assertThat(parse("AUTH PLAIN " + ir)).isEqualTo(new SmtpCommand.Auth("PLAIN", ir));
    }

    @Test
    void pathLimitsAtTheBoundaryAreAccepted() {
        String local64 = "a".repeat(64);
        assertThat(parse("RCPT TO:<" + local64 + "@example.org>"))
                .isEqualTo(new SmtpCommand.Rcpt(new MailAddress(local64, "example.org"), false));
    }

    @Test
    void invalidUtf8IsRefused() {
        byte[] line = {'E', 'H', 'L', 'O', ' ', (byte) 0xC3, (byte) 0x28};
        assertThat(SmtpCommandParser.parse(line)).isEqualTo(new SmtpCommand.Invalid(SmtpReply.BAD_UTF8));
    }

    @Test
    void neverThrowsOnArbitraryBytes() {
        java.util.Random r = new java.util.Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[r.nextInt(80)];
            r.nextBytes(b);
            String prefix = switch (i % 4) {
                case 0 -> "MAIL FROM:<";
                case 1 -> "RCPT TO:<";
                case 2 -> "AUTH ";
                default -> "";
            };
            byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
            byte[] line = new byte[p.length + b.length];
            System.arraycopy(p, 0, line, 0, p.length);
            System.arraycopy(b, 0, line, p.length, b.length);
            assertThat(SmtpCommandParser.parse(line)).isNotNull();
        }
    }

    @Test
    void replyRendersEnhancedCodeOnEveryLine() {
        SmtpReply r = new SmtpReply(250, "2.0.0", java.util.List.of("one", "two"));
        assertThat(r.render()).isEqualTo("250-2.0.0 one\r\n250 2.0.0 two\r\n");
    }
}
