// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.fetch;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.postern.core.mime.Header;
import org.postern.core.mime.MimeMessage;
import org.postern.core.mime.MimePart;
import org.postern.imap.parse.FetchItem.Section;

/**
 * The octets of a BODY[section] (RFC 3501 §6.4.5), byte-exact from the stored message. Returns null
 * for a part that does not exist (sent as NIL).
 */
public final class SectionReader {
    private static final byte[] CRLF = {'\r', '\n'};

    private SectionReader() {}

    public static byte[] read(MimeMessage m, Section s) {
        int[] path = s.part().stream().mapToInt(Integer::intValue).toArray();
        MimePart p = path.length == 0 ? m.root() : m.part(path);
        if (p == null) return null;
        return switch (s.spec()) {
            case NONE -> path.length == 0 ? m.raw() : m.slice(p.bodyStart(), p.bodyEnd());
            case MIME -> m.slice(p.headerStart(), p.headerEnd());
            case HEADER, TEXT, HEADER_FIELDS, HEADER_FIELDS_NOT -> {
                // With a part number these address the message inside a message/rfc822 part.
                MimePart msg = path.length == 0 ? p : p.encapsulated();
                if (msg == null) yield new byte[0];
                yield switch (s.spec()) {
                    case HEADER -> m.slice(msg.headerStart(), msg.headerEnd());
                    case TEXT -> m.slice(msg.bodyStart(), msg.bodyEnd());
                    default -> fields(m, msg, s.fields(), s.spec() == Section.Spec.HEADER_FIELDS_NOT);
                };
            }
        };
    }

    /** The chosen fields in their original order, each with its line end, then the blank line. */
    static byte[] fields(MimeMessage m, MimePart p, List<String> names, boolean not) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] raw = m.raw();
        for (Header h : p.headers().all()) {
            boolean listed = false;
            for (String n : names) {
                if (n.equalsIgnoreCase(h.name())) {
                    listed = true;
                    break;
                }
            }
            if (listed != not) {
                out.write(raw, h.start(), h.end() - h.start());
                if (h.end() < 2 || raw[h.end() - 1] != '\n') out.writeBytes(CRLF);
            }
        }
        out.writeBytes(CRLF);
        return out.toByteArray();
    }
}
