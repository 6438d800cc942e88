// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.fetch;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.postern.core.mime.ContentDisposition;
import org.postern.core.mime.ContentType;
import org.postern.core.mime.MimeMessage;
import org.postern.core.mime.MimePart;
import org.postern.imap.codec.ResponseWriter;

/**
 * BODY and BODYSTRUCTURE (RFC 3501 §7.4.2 and the body grammar of §9). BODYSTRUCTURE adds the
 * extension data: body-fld-md5 (non-multipart), body-fld-dsp, body-fld-lang, body-fld-loc. Parameter
 * values that the MIME parser decoded to non-ASCII (RFC 2231, RFC 2047) are sent in RFC 2231 form
 * ({@code NAME*} = {@code utf-8''%XX...}) so 7-bit clients see standard syntax. Recursion follows the
 * part tree, whose depth the MIME parser bounds (HOSTILE A32).
 */
public final class BodyStructureWriter {
    private BodyStructureWriter() {}

    public static void write(ResponseWriter out, MimeMessage m, boolean extensible) throws IOException {
        part(out, m.root(), extensible);
    }

    static void part(ResponseWriter out, MimePart p, boolean ext) throws IOException {
        ContentType ct = p.contentType();
        if (p.isMultipart()) {
            out.raw('(');
            for (MimePart child : p.children()) part(out, child, ext);
            out.raw(' ').string(ct.subtype().toUpperCase(Locale.ROOT));
            if (ext) {
                out.raw(' ');
                params(out, ct.params());
                out.raw(' ');
                extension(out, p);
            }
            out.raw(')');
            return;
        }
        out.raw('(').string(ct.type().toUpperCase(Locale.ROOT)).raw(' ').string(ct.subtype().toUpperCase(Locale.ROOT)).raw(' ');
        params(out, ct.params());
        out.raw(' ').nstring(p.contentId()).raw(' ').nstring(p.contentDescription()).raw(' ');
        out.string(p.contentTransferEncoding().toUpperCase(Locale.ROOT)).raw(' ').number(p.bodySize());
        if (p.isMessage() && ct.isMessage()) {
            // body-type-msg: envelope, body and lines of the encapsulated message.
            MimePart inner = p.encapsulated();
            out.raw(' ');
            EnvelopeWriter.write(out, inner.headers());
            out.raw(' ');
            part(out, inner, ext);
            out.raw(' ').number(p.bodyLines());
        } else if (ct.type().equals("text")) {
            out.raw(' ').number(p.bodyLines());
        }
        if (ext) {
            out.raw(' ').nstring(p.contentMd5()).raw(' ');
            extension(out, p);
        }
        out.raw(')');
    }

    /** body-fld-dsp SP body-fld-lang SP body-fld-loc. */
    private static void extension(ResponseWriter out, MimePart p) throws IOException {
        ContentDisposition d = p.disposition();
        if (d == null) {
            out.raw("NIL");
        } else {
            out.raw('(').string(d.type().toUpperCase(Locale.ROOT)).raw(' ');
            params(out, d.params());
            out.raw(')');
        }
        out.raw(' ');
        List<String> lang = p.contentLanguage();
        if (lang.isEmpty()) {
            out.raw("NIL");
        } else if (lang.size() == 1) {
            out.string(lang.getFirst());
        } else {
            out.raw('(');
            for (int i = 0; i < lang.size(); i++) {
                if (i > 0) out.raw(' ');
                out.string(lang.get(i));
            }
            out.raw(')');
        }
        out.raw(' ').nstring(p.contentLocation());
    }

    /** body-fld-param = "(" string SP string *(SP string SP string) ")" / nil. */
    static void params(ResponseWriter out, Map<String, String> params) throws IOException {
        if (params.isEmpty()) {
            out.raw("NIL");
            return;
        }
        out.raw('(');
        boolean first = true;
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (!first) out.raw(' ');
            first = false;
            String name = e.getKey().toUpperCase(Locale.ROOT);
            String value = e.getValue();
            if (isAscii(value)) {
                out.string(name).raw(' ').string(value);
            } else {
                // RFC 2231 §4: extended value, charset UTF-8, no language.
                String enc = URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
                out.string(name + "*").raw(' ').string("utf-8''" + enc);
            }
        }
        out.raw(')');
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0x7e || (c < 0x20 && c != '\t')) return false;
        }
        return true;
    }
}
