// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;

/**
 * Parses a whole stored message (RFC 5322, CRLF line ends; bare LF tolerated) into a {@link MimePart}
 * tree of offsets. Never throws on bad input.
 *
 * <p>One forward pass over the lines, with an explicit stack of open parts instead of recursion. A
 * line is a boundary when, after trailing transport padding is removed, it is {@code --} plus the
 * boundary of an open multipart, optionally followed by {@code --} (RFC 2046 §5.1.1). The lookup is a
 * hash of the line, so the cost per line does not grow with nesting; when several open multiparts
 * match, the innermost wins. A boundary line ends every part opened inside its multipart, which is how
 * a missing close delimiter is tolerated.
 */
public final class MessageParser {
    /** RFC 2046 §5.1.1 allows 70 characters; Dovecot tolerates 70 + 10 (HOSTILE A36). */
    static final int MAX_BOUNDARY = 80;

    private MessageParser() {}

    public static MimeMessage parse(byte[] message) {
        return parse(message, MimeLimits.DEFAULT);
    }

    public static MimeMessage parse(byte[] message, MimeLimits limits) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(limits, "limits");
        return new MimeMessage(message, new Scan(message, limits).run());
    }

    private static final class Scan {
        private final byte[] b;
        private final int len;
        private final MimeLimits limits;
        private int pos;
        /** Line ends (LF) before {@link #pos}; every position the scan stops at is a line start. */
        private int line;
        private int parts;
        private final ArrayList<MimePart> open = new ArrayList<>();
        /** Boundary -> the open multiparts using it, innermost last (broken mail reuses boundaries). */
        private final HashMap<String, ArrayList<MimePart>> active = new HashMap<>();

        // The last boundary line found.
        private int mStart;
        private int mNext;
        private int mLine;
        private MimePart mOwner;
        private boolean mClose;

        Scan(byte[] b, MimeLimits limits) {
            this.b = b;
            this.len = b.length;
            this.limits = limits;
        }

        MimePart run() {
            MimePart root = newPart(0);
            open.add(root);
            boolean found = startPart(root, ContentType.DEFAULT);
            while (true) {
                if (!found && !scanBody()) {
                    for (int k = open.size() - 1; k >= 0; k--) end(open.get(k), len, line);
                    open.clear();
                    return root;
                }
                found = false;
                MimePart owner = mOwner;
                // RFC 2046 §5.1.1: the line end before the boundary line belongs to the boundary.
                int term = mStart >= 2 && b[mStart - 2] == '\r' && b[mStart - 1] == '\n' ? 2
                        : mStart >= 1 && b[mStart - 1] == '\n' ? 1 : 0;
                int endPos = mStart - term;
                int lfBefore = term > 0 ? mLine - 1 : mLine;
                while (open.get(open.size() - 1) != owner) {
                    MimePart q = open.remove(open.size() - 1);
                    end(q, endPos, lfBefore);
                    if (q.bodyEnd > endPos) {
                        // A header block cut by this boundary kept its line end; the enclosing
                        // parts must still contain it.
                        endPos = q.bodyEnd;
                        lfBefore = mLine;
                    }
                }
                pos = mNext;
                line = mNext > 0 && b[mNext - 1] == '\n' ? mLine + 1 : mLine;
                if (mClose) {
                    deactivate(owner);
                    continue;
                }
                if (parts >= limits.maxParts()) {
                    // Part bomb: the rest of this multipart becomes epilogue (HOSTILE A36, A70).
                    owner.truncated = true;
                    deactivate(owner);
                    continue;
                }
                MimePart child = newPart(owner.depth + 1);
                owner.children.add(child);
                open.add(child);
                ContentType dflt = owner.declaredType.is("multipart", "digest")
                        ? ContentType.MESSAGE_RFC822 : ContentType.DEFAULT;
                found = startPart(child, dflt);
            }
        }

        private MimePart newPart(int depth) {
            parts++;
            return new MimePart(depth);
        }

        /**
         * Reads the header block of {@code p} and decides how its body is parsed; follows a chain of
         * message/rfc822 parts iteratively. True when a boundary line ended the header block.
         */
        private boolean startPart(MimePart p, ContentType dflt) {
            while (true) {
                boolean found = headerBlock(p);
                ContentType declared = ParameterParser.contentType(p.headers.first("Content-Type"));
                if (declared == null) declared = dflt;
                p.declaredType = declared;
                p.contentType = declared;
                if (declared.isMultipart()) {
                    String boundary = validBoundary(declared.param("boundary"));
                    if (boundary == null) {
                        p.contentType = ContentType.DEFAULT;
                    } else if (p.depth >= limits.maxDepth()) {
                        p.contentType = ContentType.OCTET_STREAM;
                        p.truncated = true;
                    } else {
                        p.boundary = boundary;
                        active.computeIfAbsent(boundary, k -> new ArrayList<>(1)).add(p);
                    }
                    return found;
                }
                if (declared.isMessage()) {
                    // RFC 2046 §5.2.1: only an identity encoding leaves the nested message parseable.
                    String cte = p.contentTransferEncoding();
                    if (!cte.equals("7bit") && !cte.equals("8bit") && !cte.equals("binary")) {
                        p.contentType = ContentType.OCTET_STREAM;
                        return found;
                    }
                    if (p.depth >= limits.maxDepth() || parts >= limits.maxParts()) {
                        p.contentType = ContentType.OCTET_STREAM;
                        p.truncated = true;
                        return found;
                    }
                    MimePart inner = newPart(p.depth + 1);
                    p.encapsulated = inner;
                    open.add(inner);
                    p = inner;
                    dflt = ContentType.DEFAULT;
                    continue;
                }
                return found;
            }
        }

        private static String validBoundary(String s) {
            if (s == null || s.isEmpty() || s.length() > MAX_BOUNDARY) return null;
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                if (c < 32 || c > 126) return null;
            }
            // Lines are compared after their trailing padding is removed (RFC 2046 §5.1.1 bchars).
            return s.charAt(s.length() - 1) == ' ' ? null : s;
        }

        private void deactivate(MimePart p) {
            if (p.boundary == null) return;
            ArrayList<MimePart> users = active.get(p.boundary);
            if (users != null) {
                users.remove(p);
                if (users.isEmpty()) active.remove(p.boundary);
            }
            p.boundary = null;
        }

        private void end(MimePart p, int endPos, int lfBeforeEnd) {
            p.bodyEnd = Math.max(p.bodyStart, endPos);
            if (p.bodyEnd > p.bodyStart) {
                p.bodyLines = lfBeforeEnd - p.bodyStartLine + (b[p.bodyEnd - 1] != '\n' ? 1 : 0);
            }
            deactivate(p);
            if (p.contentType.isMultipart() && p.children.isEmpty()) {
                // No boundary line at all: the body is preamble only (RFC 2046 requires one part).
                p.contentType = p.truncated ? ContentType.OCTET_STREAM : ContentType.DEFAULT;
            }
        }

        private int lineEnd(int from) {
            for (int k = from; k < len; k++) {
                if (b[k] == '\n') return k;
            }
            return len;
        }

        /** Lines up to the next boundary of an open multipart (true, pos at it) or the end (false). */
        private boolean scanBody() {
            if (active.isEmpty()) {
                for (int k = pos; k < len; k++) {
                    if (b[k] == '\n') line++;
                }
                pos = len;
                return false;
            }
            while (pos < len) {
                int le = lineEnd(pos);
                if (b[pos] == '-' && isBoundary(pos, le)) return true;
                if (le < len) {
                    line++;
                    pos = le + 1;
                } else {
                    pos = len;
                }
            }
            return false;
        }

        private boolean isBoundary(int ls, int le) {
            if (active.isEmpty()) return false;
            int te = le < len && le > ls && b[le - 1] == '\r' ? le - 1 : le;
            if (te - ls < 3 || b[ls] != '-' || b[ls + 1] != '-') return false;
            while (te > ls + 2 && (b[te - 1] == ' ' || b[te - 1] == '\t')) te--;
            int n = te - ls - 2;
            if (n < 1 || n > MAX_BOUNDARY + 2) return false;
            String s = new String(b, ls + 2, n, StandardCharsets.ISO_8859_1);
            MimePart owner = innermost(s);
            boolean close = false;
            if (n >= 3 && b[te - 1] == '-' && b[te - 2] == '-') {
                MimePart c = innermost(s.substring(0, n - 2));
                if (c != null && (owner == null || c.depth > owner.depth)) {
                    owner = c;
                    close = true;
                }
            }
            if (owner == null) return false;
            mStart = ls;
            mNext = le < len ? le + 1 : len;
            mLine = line;
            mOwner = owner;
            mClose = close;
            return true;
        }

        private MimePart innermost(String boundary) {
            ArrayList<MimePart> users = active.get(boundary);
            return users == null ? null : users.get(users.size() - 1);
        }

        /**
         * Reads fields up to the blank line (included in the block), a boundary line (excluded) or the
         * end. Lines that are neither fields nor continuations stay in the block but yield no field.
         */
        private boolean headerBlock(MimePart p) {
            p.headerStart = pos;
            List<Header> fields = new ArrayList<>();
            int fieldStart = -1;
            boolean found = false;
            while (true) {
                if (pos >= len) {
                    addField(p, fields, fieldStart, len);
                    p.headerEnd = len;
                    break;
                }
                int ls = pos;
                int le = lineEnd(ls);
                int next = le < len ? le + 1 : len;
                int ce = le < len && le > ls && b[le - 1] == '\r' ? le - 1 : le;
                if (ce == ls) {
                    addField(p, fields, fieldStart, ls);
                    p.headerEnd = next;
                    pos = next;
                    if (le < len) line++;
                    break;
                }
                if (b[ls] == '-' && isBoundary(ls, le)) {
                    addField(p, fields, fieldStart, ls);
                    p.headerEnd = ls;
                    found = true;
                    break;
                }
                if (b[ls] != ' ' && b[ls] != '\t') {
                    addField(p, fields, fieldStart, ls);
                    fieldStart = ls;
                }
                pos = next;
                if (le < len) line++;
            }
            p.headers = new Headers(fields);
            p.bodyStart = pos;
            p.bodyStartLine = line;
            return found;
        }

        private void addField(MimePart p, List<Header> fields, int fs, int fe) {
            if (fs < 0 || fields.size() >= limits.maxHeaders() || fe - p.headerStart > limits.maxHeaderBytes()) {
                return;
            }
            int colon = fs;
            while (colon < fe && b[colon] != ':' && b[colon] != '\n') colon++;
            if (colon >= fe || b[colon] != ':') return;
            int ne = colon;
            // RFC 5322 §4.5: obsolete syntax allows white space before the colon.
            while (ne > fs && (b[ne - 1] == ' ' || b[ne - 1] == '\t')) ne--;
            if (ne == fs) return;
            for (int k = fs; k < ne; k++) {
                if (b[k] <= 32 || b[k] == 127) return;
            }
            int ve = fe;
            if (ve > colon + 1 && b[ve - 1] == '\n') {
                ve--;
                if (ve > colon + 1 && b[ve - 1] == '\r') ve--;
            }
            String name = new String(b, fs, ne - fs, StandardCharsets.ISO_8859_1);
            String value = Charsets.headerText(b, colon + 1, ve - colon - 1);
            fields.add(new Header(name, value, fs, fe));
        }
    }
}
