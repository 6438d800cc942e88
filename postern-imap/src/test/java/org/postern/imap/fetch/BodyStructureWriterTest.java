// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.core.mime.MessageParser;
import org.postern.core.mime.MimeMessage;
import org.postern.imap.codec.ResponseWriter;
import org.postern.imap.parse.FetchItem.Section;

class BodyStructureWriterTest {
    static final String MIXED = String.join("\r\n",
            "From: \"Doe, John\" <john@example.org>",
            "To: a@example.org, Team: b@example.org, c@example.org;",
            "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"XX\"",
            "",
            "preamble",
            "--XX",
            "Content-Type: text/plain; charset=utf-8",
            "",
            "Hello",
            "--XX",
            "Content-Type: application/pdf; name=\"a.pdf\"",
            "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC%20rates.pdf",
            "",
            "AAAA",
            "--XX",
            "Content-Type: message/rfc822",
            "",
            "From: inner@example.org",
            "Subject: inner",
            "",
            "inner body",
            "--XX--",
            "");

    static String write(IOCall call) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        call.run(new ResponseWriter(b));
        return b.toString(StandardCharsets.UTF_8);
    }

    interface IOCall {
        void run(ResponseWriter w) throws IOException;
    }

    static MimeMessage parse(String s) {
        return MessageParser.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void bodyStructureOfMultipartWithAttachmentAndNestedMessage() throws IOException {
        MimeMessage m = parse(MIXED);
        String bs = write(w -> BodyStructureWriter.write(w, m, true));
        assertThat(bs).isEqualTo("((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 5 1 NIL NIL NIL NIL)"
                + "(\"APPLICATION\" \"PDF\" (\"NAME\" \"a.pdf\") NIL NIL \"BASE64\" 4 NIL"
                + " (\"ATTACHMENT\" (\"FILENAME*\" \"utf-8''%E2%82%AC%20rates.pdf\")) NIL NIL)"
                + "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 53"
                + " (NIL \"inner\" ((NIL NIL \"inner\" \"example.org\")) ((NIL NIL \"inner\" \"example.org\"))"
                + " ((NIL NIL \"inner\" \"example.org\")) NIL NIL NIL NIL NIL)"
                + " (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL) 4 NIL NIL NIL NIL)"
                + " \"MIXED\" (\"BOUNDARY\" \"XX\") NIL NIL NIL)");
        String body = write(w -> BodyStructureWriter.write(w, m, false));
        assertThat(body).startsWith("((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 5 1)").endsWith(" \"MIXED\")");
    }

    @Test
    void envelopeWithGroupAndQuotedName() throws IOException {
        MimeMessage m = parse(MIXED);
        String env = write(w -> EnvelopeWriter.write(w, m.headers()));
        assertThat(env).isEqualTo("(NIL \"=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\""
                + " ((\"Doe, John\" NIL \"john\" \"example.org\")) ((\"Doe, John\" NIL \"john\" \"example.org\"))"
                + " ((\"Doe, John\" NIL \"john\" \"example.org\"))"
                + " ((NIL NIL \"a\" \"example.org\")(NIL NIL \"Team\" NIL)(NIL NIL \"b\" \"example.org\")"
                + "(NIL NIL \"c\" \"example.org\")(NIL NIL NIL NIL)) NIL NIL NIL NIL)");
    }

    @Test
    void stringsWithLineBreaksOrQuotesCannotInjectResponses() throws IOException {
        // HOSTILE A67: a CR/LF inside echoed data becomes a literal, quotes are escaped.
        assertThat(write(w -> w.string("a\r\n* OK [ALERT] x"))).isEqualTo("{17}\r\na\r\n* OK [ALERT] x");
        assertThat(write(w -> w.string("say \"hi\""))).isEqualTo("\"say \\\"hi\\\"\"");
        assertThat(write(w -> w.nstring(null))).isEqualTo("NIL");
    }

    @Test
    void sectionsAreByteExact() {
        MimeMessage m = parse(MIXED);
        assertThat(text(SectionReader.read(m, new Section(List.of(1), Section.Spec.NONE, List.of())))).isEqualTo("Hello");
        assertThat(text(SectionReader.read(m, new Section(List.of(3), Section.Spec.HEADER, List.of()))))
                .isEqualTo("From: inner@example.org\r\nSubject: inner\r\n\r\n");
        assertThat(text(SectionReader.read(m, new Section(List.of(3), Section.Spec.TEXT, List.of())))).isEqualTo("inner body");
        assertThat(text(SectionReader.read(m, new Section(List.of(2), Section.Spec.MIME, List.of()))))
                .startsWith("Content-Type: application/pdf").endsWith("\r\n\r\n");
        assertThat(text(SectionReader.read(m, new Section(List.of(), Section.Spec.HEADER_FIELDS, List.of("subject", "X-None")))))
                .isEqualTo("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n\r\n");
        assertThat(SectionReader.read(m, new Section(List.of(9), Section.Spec.NONE, List.of()))).isNull();
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
