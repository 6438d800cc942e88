// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * One part of a parsed message: offsets into the original bytes plus the facts IMAP BODYSTRUCTURE
 * needs. {@code [headerStart, headerEnd)} is the header block including its blank line (if any),
 * {@code [bodyStart, bodyEnd)} the body; the CRLF before a boundary line belongs to the boundary
 * (RFC 2046 §5.1.1), so a body never includes it. Built only by {@link MessageParser}.
 */
public final class MimePart {
    int headerStart;
    int headerEnd;
    int bodyStart;
    int bodyEnd;
    int bodyLines;
    final int depth;
    Headers headers = Headers.EMPTY;
    ContentType declaredType;
    ContentType contentType;
    final ArrayList<MimePart> children = new ArrayList<>(0);
    MimePart encapsulated;
    boolean truncated;
    // Parser state: the line count at bodyStart and this multipart's boundary while it is open.
    int bodyStartLine;
    String boundary;

    MimePart(int depth) {
        this.depth = depth;
    }

    public Headers headers() {
        return headers;
    }

    public int headerStart() {
        return headerStart;
    }

    public int headerEnd() {
        return headerEnd;
    }

    public int bodyStart() {
        return bodyStart;
    }

    public int bodyEnd() {
        return bodyEnd;
    }

    /** Body size in octets (IMAP body-fld-octets). */
    public int bodySize() {
        return bodyEnd - bodyStart;
    }

    /** Nesting depth: 0 for the root, +1 per multipart child or encapsulated message. */
    public int depth() {
        return depth;
    }

    /**
     * The type to report: the declared type defaulted per RFC 2045 §5.2 (text/plain; charset=us-ascii,
     * or message/rfc822 inside multipart/digest), except that a multipart without a usable boundary
     * or without any boundary line is text/plain, and a multipart or message part cut off by a
     * {@link MimeLimits} cap is application/octet-stream.
     */
    public ContentType contentType() {
        return contentType;
    }

    /** The type as declared by the header (defaulted when absent or invalid), before any fallback. */
    public ContentType declaredContentType() {
        return declaredType;
    }

    /** Lower-case transfer encoding, "7bit" when absent (RFC 2045 §6.1). */
    public String contentTransferEncoding() {
        String v = headers.first("Content-Transfer-Encoding");
        if (v == null) return "7bit";
        v = stripComment(v).toLowerCase(Locale.ROOT);
        return v.isEmpty() ? "7bit" : v;
    }

    public String contentId() {
        return headers.first("Content-ID");
    }

    public String contentDescription() {
        return headers.first("Content-Description");
    }

    public String contentMd5() {
        return headers.first("Content-MD5");
    }

    /** The Content-Disposition (RFC 2183), or null when absent or invalid. */
    public ContentDisposition disposition() {
        return ParameterParser.disposition(headers.first("Content-Disposition"));
    }

    /** Language tags of Content-Language (RFC 3282), empty when absent. */
    public List<String> contentLanguage() {
        String v = headers.first("Content-Language");
        if (v == null) return List.of();
        List<String> out = new ArrayList<>();
        for (String t : stripComment(v).split("[,\\s]+")) {
            if (!t.isEmpty() && out.size() < 64) out.add(t);
        }
        return List.copyOf(out);
    }

    /** Content-Location (RFC 2557 §4.2), unfolded, or null. */
    public String contentLocation() {
        String v = headers.first("Content-Location");
        return v == null ? null : v.replaceAll("\\s+", "");
    }

    /** Children of a multipart, in order; empty for every other part. */
    public List<MimePart> children() {
        return Collections.unmodifiableList(children);
    }

    /** For message/rfc822 and message/global: the nested message's top part; else null. */
    public MimePart encapsulated() {
        return encapsulated;
    }

    /** Lines in the body (IMAP body-fld-lines): line ends, plus one for an unterminated last line. */
    public int bodyLines() {
        return bodyLines;
    }

    public boolean isMultipart() {
        return !children.isEmpty();
    }

    public boolean isMessage() {
        return encapsulated != null;
    }

    /** True when a {@link MimeLimits} cap stopped the parser from looking inside this part. */
    public boolean truncated() {
        return truncated;
    }

    private static String stripComment(String v) {
        int p = v.indexOf('(');
        return (p >= 0 ? v.substring(0, p) : v).strip();
    }

    @Override
    public String toString() {
        return "MimePart[" + contentType.mimeType() + " h=" + headerStart + ".." + headerEnd
                + " b=" + bodyStart + ".." + bodyEnd + " children=" + children.size() + "]";
    }
}
