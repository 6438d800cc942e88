// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 5321 §4.2 reply lines and RFC 2034 enhanced codes, including what a hostile server might send. */
class ReplyParserTest {
    private static ClientReply parse(String... lines) throws Exception {
        List<ReplyParser.Line> parsed = new java.util.ArrayList<>();
        for (String l : lines) parsed.add(ReplyParser.line(l.getBytes(StandardCharsets.UTF_8)));
        return ReplyParser.reply(parsed);
    }

    @Test
    void multiLineEhlo() throws Exception {
        ClientReply r = parse("250-mx.test Hello", "250-PIPELINING", "250-SIZE 1000", "250 STARTTLS");
        assertThat(r.code()).isEqualTo(250);
        assertThat(ReplyParser.extensions(r)).containsExactly("PIPELINING", "SIZE 1000", "STARTTLS");
    }

    @Test
    void enhancedCodeIsTakenOnlyWhenItsClassMatches() throws Exception {
        assertThat(parse("550 5.1.1 User unknown").enhanced()).isEqualTo("5.1.1");
        assertThat(parse("550 5.1.1 User unknown").summary()).isEqualTo("550 5.1.1 User unknown");
        assertThat(parse("451 5.1.1 confused").enhanced()).isNull();
        assertThat(parse("451 5.1.1 confused").status()).isEqualTo("4.0.0");
        assertThat(parse("250").lines()).containsExactly("");
    }

    @Test
    void malformedLinesAreRefused() {
        for (String bad : List.of("", "25", "abc text", "250x", "199 too low", "600 too high", "2500 text")) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(ReplyParser.Malformed.class);
        }
        assertThatThrownBy(() -> parse("250-a", "550 b")).isInstanceOf(ReplyParser.Malformed.class);
    }

    @Test
    void controlCharactersNeverReachDiagnostics() throws Exception {
        assertThat(parse("550 5.7.1 bad\u0000\u0007 thing").summary()).isEqualTo("550 5.7.1 bad   thing");
    }
}
