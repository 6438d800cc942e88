// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.postern.core.mime.MimeMessage;
import org.postern.core.mime.MimePart;
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
    /** Server-wide renderings of ENVELOPE/BODY/BODYSTRUCTURE; null when there is none. */
    private final StructureCache structures;
    private final java.util.Map<String, Long> threadIds;
    private final long ownerId;

    public FetchEngine(BlobStore blobs, MessageCache cache) {
        this(blobs, cache, null, java.util.Map.of(), 0);
    }

    public FetchEngine(BlobStore blobs, MessageCache cache, StructureCache structures) {
        this(blobs, cache, structures, java.util.Map.of(), 0);
    }

    /**
     * {@code threadIds}: store thread ids by blob id of the owner's account {@code ownerId}, for
     * THREADID (RFC 8474 §5.2); a message without one is NIL.
     */
    public FetchEngine(BlobStore blobs, MessageCache cache, StructureCache structures,
            java.util.Map<String, Long> threadIds, long ownerId) {
        this.blobs = blobs;
        this.cache = cache;
        this.structures = structures;
        this.threadIds = threadIds;
        this.ownerId = ownerId;
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
        byte[] raw = null;
        // By StructureCache.Item ordinal: renderings found in (or made for) the server-wide cache.
        byte[][] rendered = null;
        boolean needsParse = false;
        int wholes = 0;
        for (FetchItem item : items) {
            if (item instanceof FetchItem.Simple s) {
                switch (s.kind()) {
                    case UID, FLAGS, INTERNALDATE, RFC822_SIZE, MODSEQ, SAVEDATE, EMAILID, THREADID -> { }
                    case PREVIEW -> needsParse = true;
                    case RFC822 -> wholes++;
                    case ENVELOPE, BODY, BODYSTRUCTURE -> {
                        StructureCache.Item ci = cacheItem(s.kind());
                        byte[] b = structures == null ? null : structures.get(r.blobId(), ci);
                        if (b == null) {
                            needsParse = true;
                        } else {
                            if (rendered == null) rendered = new byte[ITEMS][];
                            rendered[ci.ordinal()] = b;
                        }
                    }
                    default -> needsParse = true;
                }
            } else if (item instanceof FetchItem.Binary) {
                needsParse = true;
            } else if (item instanceof FetchItem.BodySection b) {
                if (b.section().part().isEmpty() && b.section().spec() == Section.Spec.NONE && b.partialStart() < 0) {
                    wholes++;
                } else {
                    needsParse = true;
                }
            }
        }
        try {
            if (!needsParse && wholes > 0) parsed = cache.peek(r.blobId());
            if (parsed != null) {
                // this session parsed it already: its bytes are at hand
            } else if (needsParse || (wholes > 1 && r.size() > STREAM_THRESHOLD)) {
                parsed = cache.get(blobs, r.blobId(), r.size());
            } else if (wholes > 0 && r.size() <= STREAM_THRESHOLD) {
                // Every structural item came from the server-wide cache: the bytes without a parse.
                raw = MessageCache.read(blobs, r.blobId(), r.size());
            } else if (wholes > 0) {
                stream = blobs.open(r.blobId());
            }
        } catch (IOException | RuntimeException e) {
            throw new MessageUnavailableException(r.uid(), e);
        }
        if (parsed != null) {
            boolean fresh = false;
            for (FetchItem item : items) {
                if (item instanceof FetchItem.Simple s
                        && (s.kind() == Kind.ENVELOPE || s.kind() == Kind.BODY || s.kind() == Kind.BODYSTRUCTURE)) {
                    StructureCache.Item ci = cacheItem(s.kind());
                    if (rendered == null) rendered = new byte[ITEMS][];
                    if (rendered[ci.ordinal()] != null) continue;
                    rendered[ci.ordinal()] = StructureCache.render(ci, parsed);
                    fresh = true;
                }
            }
            if (structures != null && fresh) structures.putAll(r.blobId(), rendered);
        }
        java.util.Map<FetchItem, byte[]> binaries = new java.util.HashMap<>();
        for (FetchItem item : items) {
            if (item instanceof FetchItem.Binary b) {
                byte[] data = binary(parsed, b);
                if (data == null) {
                    if (stream != null) stream.close();
                    throw new UnknownCteException(r.uid());
                }
                binaries.put(item, data);
            }
        }
        try {
            writeItems(out, seq, r, flags, items, withUid, parsed, raw, stream, rendered, binaries);
        } finally {
            if (stream != null) stream.close();
        }
    }

    /**
     * RFC 3516 §4.2: the decoded content of a part; null for a transfer encoding we cannot undo
     * (UNKNOWN-CTE); empty for a part that does not exist. Multiparts and messages are not encoded.
     */
    private static byte[] binary(MimeMessage m, FetchItem.Binary b) {
        int[] path = b.part().stream().mapToInt(Integer::intValue).toArray();
        if (path.length == 0) return m.raw();
        MimePart p = m.part(path);
        if (p == null) return new byte[0];
        if (p.isMultipart() || p.isMessage()) return m.slice(p.bodyStart(), p.bodyEnd());
        String cte = p.contentTransferEncoding();
        String enc = cte == null ? "" : cte.strip().toLowerCase(Locale.ROOT);
        return switch (enc) {
            case "", "7bit", "8bit", "binary", "base64", "quoted-printable" -> m.decodedBody(p);
            default -> null;
        };
    }

    private void writeItems(ResponseWriter out, int seq, MessageRecord r, String flags, List<FetchItem> items,
            boolean withUid, MimeMessage parsed, byte[] raw, InputStream stream, byte[][] rendered,
            java.util.Map<FetchItem, byte[]> binaries) throws IOException {
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
                        case MODSEQ -> out.raw("MODSEQ (" + r.modSeq() + ")");
                        case SAVEDATE -> out.raw(r.savedDate() == null ? "SAVEDATE NIL"
                                : "SAVEDATE \"" + INTERNALDATE.format(r.savedDate()) + "\"");
                        case EMAILID -> out.raw("EMAILID (" + org.postern.imap.ObjectIds.emailId(r.blobId()) + ")");
                        case THREADID -> {
                            Long t = threadIds.get(r.blobId());
                            out.raw(t == null ? "THREADID NIL" : "THREADID (" + org.postern.imap.ObjectIds.threadId(ownerId, t) + ")");
                        }
                        case PREVIEW -> {
                            out.raw("PREVIEW ");
                            out.string(preview(parsed));
                        }
                        case ENVELOPE -> out.raw(ENVELOPE).raw(rendered[StructureCache.Item.ENVELOPE.ordinal()]);
                        case BODY -> out.raw(BODY).raw(rendered[StructureCache.Item.BODY.ordinal()]);
                        case BODYSTRUCTURE -> out.raw(BODYSTRUCTURE).raw(rendered[StructureCache.Item.BODYSTRUCTURE.ordinal()]);
                        case RFC822 -> {
                            out.raw("RFC822 ");
                            whole(out, r, parsed, raw, stream);
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
                case FetchItem.Binary b -> {
                    byte[] data = binaries.get(b);
                    if (b.sizeOnly()) {
                        out.raw("BINARY.SIZE[" + b.wire() + "] " + data.length);
                        continue;
                    }
                    out.raw("BINARY[" + b.wire() + "]");
                    int start = 0;
                    int len = data.length;
                    if (b.partialStart() >= 0) {
                        out.raw("<" + b.partialStart() + ">");
                        start = (int) Math.min(b.partialStart(), data.length);
                        len = (int) Math.min(b.partialLength(), data.length - start);
                    }
                    out.raw(' ');
                    // RFC 3516 §4.2: literal8 only when the content holds NUL, which a literal cannot.
                    boolean nul = false;
                    for (int i = start; i < start + len && !nul; i++) nul = data[i] == 0;
                    if (nul) out.raw('~');
                    out.literal(data, start, len);
                }
                case FetchItem.BodySection b -> {
                    // RFC 3501 §7.4.2: the response names BODY[section]<origin>, never BODY.PEEK.
                    out.raw("BODY[" + b.section().wire() + "]");
                    if (b.partialStart() >= 0) out.raw("<" + b.partialStart() + ">");
                    out.raw(' ');
                    if (b.section().part().isEmpty() && b.section().spec() == Section.Spec.NONE && b.partialStart() < 0) {
                        whole(out, r, parsed, raw, stream);
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

    /**
     * RFC 8970 §3.1: at most 256 characters of the message's text, whitespace collapsed, without
     * splitting a surrogate pair; empty text gives "".
     */
    static String preview(MimeMessage m) {
        String text = org.postern.core.mime.TextExtractor.text(m, 4096).replaceAll("\\s+", " ").strip();
        if (text.length() <= PREVIEW_CHARS) return text;
        int end = PREVIEW_CHARS;
        if (Character.isHighSurrogate(text.charAt(end - 1))) end--;
        return text.substring(0, end);
    }

    private static final int PREVIEW_CHARS = 200;

    /** RFC 3516 §4.3: a part's Content-Transfer-Encoding is not one we can decode. */
    public static final class UnknownCteException extends IOException {
        public UnknownCteException(long uid) {
            super("message " + uid + " has an unknown transfer encoding");
        }
    }

    /** The stored content of a message cannot be read (typically: expunged by another session). */
    public static final class MessageUnavailableException extends IOException {
        public MessageUnavailableException(long uid, Throwable cause) {
            super("message " + uid + " unavailable", cause);
        }
    }

    private static final int ITEMS = StructureCache.Item.values().length;

    private static StructureCache.Item cacheItem(Kind k) {
        return switch (k) {
            case ENVELOPE -> StructureCache.Item.ENVELOPE;
            case BODY -> StructureCache.Item.BODY;
            case BODYSTRUCTURE -> StructureCache.Item.BODYSTRUCTURE;
            default -> throw new IllegalArgumentException("not a structural item: " + k);
        };
    }

    private static final byte[] ENVELOPE = "ENVELOPE ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] BODY = "BODY ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] BODYSTRUCTURE = "BODYSTRUCTURE ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The whole message: streamed from the blob when large, else from the bytes read or the parsed copy. */
    private static void whole(ResponseWriter out, MessageRecord r, MimeMessage parsed, byte[] raw, InputStream stream)
            throws IOException {
        if (parsed != null) {
            out.literal(parsed.raw());
        } else if (raw != null) {
            out.literal(raw);
        } else {
            out.literal(stream, r.size());
        }
    }
}
