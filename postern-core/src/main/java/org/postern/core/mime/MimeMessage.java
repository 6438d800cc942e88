// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import java.util.Arrays;

/** A parsed message: the stored bytes (not copied) and the part tree over them. */
public final class MimeMessage {
    private final byte[] raw;
    private final MimePart root;

    MimeMessage(byte[] raw, MimePart root) {
        this.raw = raw;
        this.root = root;
    }

    /** The bytes as given to the parser; callers must not modify them. */
    public byte[] raw() {
        return raw;
    }

    public MimePart root() {
        return root;
    }

    /** The top-level header fields. */
    public Headers headers() {
        return root.headers();
    }

    /** A copy of {@code raw[start, end)}. */
    public byte[] slice(int start, int end) {
        return Arrays.copyOfRange(raw, start, end);
    }

    /** The part's body with its transfer encoding removed. */
    public byte[] decodedBody(MimePart part) {
        return ContentDecoder.decode(raw, part.bodyStart(), part.bodySize(), part.contentTransferEncoding());
    }

    /**
     * The part with an IMAP section number (RFC 9051 §6.4.5): {@code part()} is the root; inside a
     * message/rfc822 the numbers address the nested message's parts, and part 1 of a non-multipart
     * message is its body. Null when there is no such part.
     */
    public MimePart part(int... path) {
        MimePart p = root;
        for (int n : path) {
            if (p.isMessage()) p = p.encapsulated();
            if (p.isMultipart()) {
                if (n < 1 || n > p.children().size()) return null;
                p = p.children().get(n - 1);
            } else if (n != 1) {
                return null;
            }
        }
        return p;
    }
}
