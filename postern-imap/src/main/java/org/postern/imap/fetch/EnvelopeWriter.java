// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.fetch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.postern.core.mime.Address;
import org.postern.core.mime.AddressParser;
import org.postern.core.mime.Headers;
import org.postern.imap.codec.ResponseWriter;

/**
 * ENVELOPE (RFC 3501 §7.4.2): date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to,
 * message-id. Header values go out as the message has them (clients decode RFC 2047 themselves);
 * a display name that the address parser already decoded to non-ASCII is re-encoded as an RFC 2047
 * word so 7-bit IMAP4rev1 clients read it right.
 */
public final class EnvelopeWriter {
    private EnvelopeWriter() {}

    public static void write(ResponseWriter out, Headers h) throws IOException {
        out.raw('(');
        out.nstring(nonEmpty(h.first("Date"))).raw(' ');
        out.nstring(nonEmpty(h.first("Subject"))).raw(' ');
        List<Address> from = addresses(h, "From");
        writeAddresses(out, from);
        out.raw(' ');
        // "If the Sender or Reply-To lines are absent ... or are present but empty, the server sets
        // the corresponding member of the envelope to be the same value as the from member."
        List<Address> sender = addresses(h, "Sender");
        writeAddresses(out, sender.isEmpty() ? from : sender);
        out.raw(' ');
        List<Address> replyTo = addresses(h, "Reply-To");
        writeAddresses(out, replyTo.isEmpty() ? from : replyTo);
        out.raw(' ');
        writeAddresses(out, addresses(h, "To"));
        out.raw(' ');
        writeAddresses(out, addresses(h, "Cc"));
        out.raw(' ');
        writeAddresses(out, addresses(h, "Bcc"));
        out.raw(' ');
        out.nstring(nonEmpty(h.first("In-Reply-To"))).raw(' ');
        out.nstring(nonEmpty(h.first("Message-ID")));
        out.raw(')');
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static List<Address> addresses(Headers h, String field) {
        String v = h.first(field);
        if (v == null || v.isBlank()) return List.of();
        return AddressParser.parseList(v);
    }

    /** address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"; groups per RFC 3501 §7.4.2. */
    static void writeAddresses(ResponseWriter out, List<Address> list) throws IOException {
        if (list.isEmpty()) {
            out.raw("NIL");
            return;
        }
        out.raw('(');
        for (Address a : list) {
            if (a.isGroupStart()) {
                out.raw("(NIL NIL ").string(a.group()).raw(" NIL)");
            } else if (a.isGroupEnd()) {
                out.raw("(NIL NIL NIL NIL)");
            } else {
                out.raw('(').nstring(encodeWord(a.displayName())).raw(" NIL ");
                out.string(a.localPart() == null ? "" : a.localPart()).raw(' ');
                // NIL host would mean a group marker; an address without domain gets "".
                out.string(a.domain() == null ? "" : a.domain()).raw(')');
            }
        }
        out.raw(')');
    }

    /** RFC 2047 "B" encoding of non-ASCII text (one word; long names stay one word, clients cope). */
    static String encodeWord(String s) {
        if (s == null || s.isEmpty()) return s == null ? null : null;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7e || s.charAt(i) < 0x20) {
                return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)) + "?=";
            }
        }
        return s;
    }
}
