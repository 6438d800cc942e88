// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 5321 §4.5.2 transparency, §4.4 no Return-Path when relaying, and only CRLF on the wire. */
class MessageFramerTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "plain                  | A: b\\r\\n\\r\\nbody\\r\\n                | A: b\\r\\n\\r\\nbody\\r\\n.\\r\\n",
        "return-path dropped    | Return-Path: <a@b>\\r\\nA: b\\r\\n\\r\\nx\\r\\n | A: b\\r\\n\\r\\nx\\r\\n.\\r\\n",
        "folded return-path     | return-path: <a@b>\\r\\n <c>\\r\\nA: b\\r\\n\\r\\nx\\r\\n | A: b\\r\\n\\r\\nx\\r\\n.\\r\\n",
        "later return-path kept | A: b\\r\\nReturn-Path: <x>\\r\\n\\r\\n      | A: b\\r\\nReturn-Path: <x>\\r\\n\\r\\n.\\r\\n",
        "dot stuffing           | A: b\\r\\n\\r\\n.\\r\\n..x\\r\\n.y\\r\\n      | A: b\\r\\n\\r\\n..\\r\\n...x\\r\\n..y\\r\\n.\\r\\n",
        "missing final CRLF     | A: b\\r\\n\\r\\nend                       | A: b\\r\\n\\r\\nend\\r\\n.\\r\\n",
        "bare LF normalized     | A: b\\n\\nx\\n.\\n                          | A: b\\r\\n\\r\\nx\\r\\n..\\r\\n.\\r\\n",
        "bare CR normalized     | A: b\\r\\r\\nx\\r.y\\r                      | A: b\\r\\n\\r\\nx\\r\\n..y\\r\\n.\\r\\n",
        "smuggling LF.LF        | A: b\\r\\n\\r\\nx\\n.\\nMAIL FROM:<e>\\r\\n  | A: b\\r\\n\\r\\nx\\r\\n..\\r\\nMAIL FROM:<e>\\r\\n.\\r\\n",
        "smuggling CR.CR        | A: b\\r\\n\\r\\nx\\r.\\rRSET\\r\\n           | A: b\\r\\n\\r\\nx\\r\\n..\\r\\nRSET\\r\\n.\\r\\n",
        "empty                  | ''                                       | .\\r\\n",
    })
    void frames(String name, String input, String expected) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageFramer.Content c = MessageFramer.frame(new ByteArrayInputStream(unescape(input)), out);
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(new String(unescape(expected), StandardCharsets.ISO_8859_1));
        assertThat(c.eightBit()).isFalse();
    }

    @org.junit.jupiter.api.Test
    void eightBitIsDetected() throws Exception {
        MessageFramer.Content c = MessageFramer.scan(new ByteArrayInputStream("A: b\r\n\r\nGrüße\r\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(c.eightBit()).isTrue();
    }

    private static byte[] unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").getBytes(StandardCharsets.ISO_8859_1);
    }
}
