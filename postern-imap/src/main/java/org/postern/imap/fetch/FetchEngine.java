// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.postern.core.mime.MimeMessage;
import org.postern.imap.codec.ResponseWriter;
import org.postern.imap.parse.FetchItem;
import org.postern.imap.parse.FetchItem.Kind;
import org.postern.imap.parse.FetchItem.Section;
import org.postern.store.BlobStore;
import org.postern.store.MessageRecord;

/**
 * Writes one message's FETCH response (RFC 3501 §7.4.2) for a list of items. Used by FETCH and, later,
 * by unsolicited reporting (IDLE, NOTIFY). Whole-message bodies of large messages are streamed from
 * the blob as a literal instead of being loaded (HOSTILE C4 output amplification).
 */
public final class FetchEngine {
    /** BODY[] / RFC822 above this size are streamed rather than parsed. */
    static final long STREAM_THRESHOLD = 256 * 1024;
    private static final DateTimeFormatter INTERNALDATE =
            DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final BlobStore blobs;
    private final MessageCache cache;

    public FetchEngine(BlobStore blobs, MessageCache cache) {
        this.blobs = blobs;
        this.cache = cache;
    }

    /**
     * Writes {@code * seq FETCH (...)}. {@code flags} is the flag list as the session reports it
     * (with \Recent where it applies). Throws IOException when the message's blob cannot be read.
     */
    public void write(ResponseWriter out, int seq, MessageRecord r, String flags, List<FetchItem> items, boolean withUid)
            throws IOException {
        // Everything that can fail is read before the first byte of the response is written, so a
        // vanished message (expunged meanwhile) never leaves a half-written response behind.
        MimeMessage parsed = null;
        InputStream stream = null;
        boolean needsParse = false;
        int wholes = 0;
        for (FetchItem item : items) {
            if (item instanceof FetchItem.Simple s) {
                switch (s.kind()) {
                    case UID, FLAGS, INTERNALDATE, RFC822_SIZE -> { }
                    case RFC822 -> wholes++;
                    default -> needsParse = true;
                }
            } else if (item instanceof FetchItem.BodySection b) {
                if (b.section().part().isEmpty() && b.section().spec() == Section.Spec.NONE && b.partialStart() < 0) {
                    wholes++;
                } else {
                    needsParse = true;
                }
            }
        }
        try {
            if (needsParse || (wholes > 0 && (r.size() <= STREAM_THRESHOLD || wholes > 1))) {
                parsed = cache.get(blobs, r.blobId(), r.size());
            } else if (wholes > 0) {
                stream = blobs.open(r.blobId());
            }
        } catch (IOException | RuntimeException e) {
            throw new MessageUnavailableException(r.uid(), e);
        }
        try {
            writeItems(out, seq, r, flags, items, withUid, parsed, stream);
        } finally {
            if (stream != null) stream.close();
        }
    }

    private void writeItems(ResponseWriter out, int seq, MessageRecord r, String flags, List<FetchItem> items,
            boolean withUid, MimeMessage parsed, InputStream stream) throws IOException {
        out.raw("* " + seq + " FETCH (");
        boolean first = true;
        if (withUid && items.stream().noneMatch(i -> i instanceof FetchItem.Simple s && s.kind() == Kind.UID)) {
            out.raw("UID " + r.uid());
            first = false;
        }
        for (FetchItem item : items) {
            if (!first) out.raw(' ');
            first = false;
            switch (item) {
                case FetchItem.Simple s -> {
                    switch (s.kind()) {
                        case UID -> out.raw("UID " + r.uid());
                        case FLAGS -> out.raw("FLAGS " + flags);
                        case INTERNALDATE -> out.raw("INTERNALDATE \"" + INTERNALDATE.format(r.internalDate()) + "\"");
                        case RFC822_SIZE -> out.raw("RFC822.SIZE " + r.size());
                        case ENVELOPE -> {
                                                        out.raw("ENVELOPE ");
                            EnvelopeWriter.write(out, parsed.headers());
                        }
                        case BODY, BODYSTRUCTURE -> {
                                                        out.raw(s.kind() == Kind.BODY ? "BODY " : "BODYSTRUCTURE ");
                            BodyStructureWriter.write(out, parsed, s.kind() == Kind.BODYSTRUCTURE);
                        }
                        case RFC822 -> {
                            out.raw("RFC822 ");
                            whole(out, r, parsed, stream);
                        }
                        case RFC822_HEADER, RFC822_TEXT -> {
                                                        boolean header = s.kind() == Kind.RFC822_HEADER;
                            out.raw(header ? "RFC822.HEADER " : "RFC822.TEXT ");
                            byte[] b = SectionReader.read(parsed,
                                    new Section(List.of(), header ? Section.Spec.HEADER : Section.Spec.TEXT, List.of()));
                            out.literal(b);
                        }
                    }
                }
                case FetchItem.BodySection b -> {
                    // RFC 3501 §7.4.2: the response names BODY[section]<origin>, never BODY.PEEK.
                    out.raw("BODY[" + b.section().wire() + "]");
                    if (b.partialStart() >= 0) out.raw("<" + b.partialStart() + ">");
                    out.raw(' ');
                    if (b.section().part().isEmpty() && b.section().spec() == Section.Spec.NONE && b.partialStart() < 0) {
                        whole(out, r, parsed, stream);
                        continue;
                    }
                                        byte[] data = SectionReader.read(parsed, b.section());
                    if (data == null) {
                        out.raw("NIL");
                    } else if (b.partialStart() >= 0) {
                        long start = Math.min(b.partialStart(), data.length);
                        long len = Math.min(b.partialLength(), data.length - start);
                        out.literal(data, (int) start, (int) len);
                    } else {
                        out.literal(data);
                    }
                }
            }
        }
        out.raw(')').crlf();
    }

    /** The stored content of a message cannot be read (typically: expunged by another session). */
    public static final class MessageUnavailableException extends IOException {
        public MessageUnavailableException(long uid, Throwable cause) {
            super("message " + uid + " unavailable", cause);
        }
    }

    /** The whole message: streamed from the blob when large, else from the parsed copy. */
    private static void whole(ResponseWriter out, MessageRecord r, MimeMessage parsed, InputStream stream)
            throws IOException {
        if (parsed != null) {
            out.literal(parsed.raw());
        } else {
            out.literal(stream, r.size());
        }
    }
}
