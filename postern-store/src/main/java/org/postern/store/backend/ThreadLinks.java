// SPDX-License-Identifier: Apache-2.0
package org.postern.store.backend;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postern.core.mime.Headers;
import org.postern.core.mime.MessageParser;
import org.postern.store.BlobStore;
import org.postern.store.ThreadStore;

/**
 * The one reading of a message's thread links (RFC 5322 §3.6.4 Message-ID, References, In-Reply-To;
 * RFC 5256 §4 REFERENCES step 1): backends thread a message as it is stored, and IMAP THREADID
 * (RFC 8474 §5.2), JMAP threadId (RFC 8621 §3) and IMAP THREAD read links the same way for
 * messages stored before that. msg-ids are kept without angle brackets, at most
 * {@value #MAX_REFERENCES} per field; only the header section is read, at most {@value #MAX_HEADER}
 * octets of it.
 */
public final class ThreadLinks {
    public static final int MAX_REFERENCES = 100;
    public static final int MAX_HEADER = 256 * 1024;
    private static final Pattern MSG_ID = Pattern.compile("<([^<>\\s]{1,250})>");

    private ThreadLinks() {}

    /** The links of a message from its header fields (null headers: no links, a thread of its own). */
    public static ThreadStore.Links of(String blobId, Headers h) {
        List<String> refs = new ArrayList<>(ids(h, "References"));
        String irt = first(h, "In-Reply-To");
        // In-Reply-To last: the parent, when References was cut or is missing (RFC 5322 §3.6.4).
        if (irt != null && !refs.contains(irt)) refs.add(irt);
        return new ThreadStore.Links(blobId, first(h, "Message-ID"), refs);
    }

    /** The msg-ids of the first {@code field}, without angle brackets, at most {@value #MAX_REFERENCES}. */
    public static List<String> ids(Headers h, String field) {
        List<String> out = new ArrayList<>();
        String v = h == null ? null : h.first(field);
        if (v == null) return out;
        Matcher m = MSG_ID.matcher(v);
        while (m.find() && out.size() < MAX_REFERENCES) out.add(m.group(1));
        return out;
    }

    public static String first(Headers h, String field) {
        List<String> l = ids(h, field);
        return l.isEmpty() ? null : l.getFirst();
    }

    /** The links of a stored body, reading its header section only; null when it cannot be read. */
    public static ThreadStore.Links read(BlobStore blobs, String blobId) {
        Headers h = headers(blobs, blobId);
        return h == null ? null : of(blobId, h);
    }

    /** The header section of a stored body (up to the first empty line, bounded), or null when unreadable. */
    public static Headers headers(BlobStore blobs, String blobId) {
        try (InputStream in = blobs.open(blobId)) {
            return MessageParser.parse(headerSection(in)).headers();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Bytes up to and including the empty line that ends the header section, at most {@value #MAX_HEADER}.
     * Read in blocks and scanned in place: every new message passes here (thread links, sort keys).
     */
    static byte[] headerSection(InputStream in) throws IOException {
        byte[] b = new byte[8192];
        int n = 0;
        while (n < MAX_HEADER) {
            if (n == b.length) b = Arrays.copyOf(b, Math.min(b.length * 2, MAX_HEADER));
            int got = in.read(b, n, b.length - n);
            if (got < 0) break;
            // An LF ending an empty line: LF LF or LF CR LF, the first line included only from its end.
            for (int i = Math.max(1, n); i < n + got; i++) {
                if (b[i] == '\n' && (b[i - 1] == '\n' || (i >= 2 && b[i - 1] == '\r' && b[i - 2] == '\n'))) {
                    return Arrays.copyOf(b, i + 1);
                }
            }
            n += got;
        }
        return Arrays.copyOf(b, n);
    }
}
