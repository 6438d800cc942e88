// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BINARY (RFC 3516, part of RFC 9051 §6.4.5): decoded part content, sizes, partials, UNKNOWN-CTE. */
class BinaryFetchTest {
    static final String MULTIPART = "From: a@example.org\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
            + "--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe\r\n"
            + "--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8Ad29ybGQ=\r\n"
            + "--XX\r\nContent-Type: application/x-odd\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644\r\n"
            + "--XX--\r\n";

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

    @Test
    void binarySectionsAreDecoded() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            c.append("INBOX", MULTIPART);
            c.cmd("a SELECT INBOX");
            c.exchange("b FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])",
                    "* 1 FETCH (BINARY[1] {7}\r\nGrüße BINARY.SIZE[1] 7)", "b OK FETCH completed");
            // RFC 3516 §4.2: content with NUL goes out as literal8.
            c.exchange("c FETCH 1 (BINARY.PEEK[2])", "* 1 FETCH (BINARY[2] ~{11}\r\nhello\0world)", "c OK FETCH completed");
            c.exchange("d FETCH 1 (BINARY.PEEK[2]<6.5>)", "* 1 FETCH (BINARY[2]<6> {5}\r\nworld)", "d OK FETCH completed");
            c.exchange("e FETCH 1 (BINARY.PEEK[3])", "e NO [UNKNOWN-CTE] Cannot decode a part's transfer encoding");
            c.exchange("f FETCH 1 (FLAGS)", "* 1 FETCH (FLAGS ())", "f OK FETCH completed");
            // Without .PEEK the message becomes \Seen, as with BODY[].
            c.exchange("g FETCH 1 (BINARY.SIZE[2] BINARY[1])",
                    "* 1 FETCH (BINARY.SIZE[2] 11 BINARY[1] {7}\r\nGrüße FLAGS (\\Seen))", "g OK FETCH completed");
            c.exchange("h FETCH 1 (BINARY[1.x])", "h BAD Expected a number");
        }
    }
}
