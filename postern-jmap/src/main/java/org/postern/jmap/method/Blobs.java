// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.postern.core.mime.MimeMessage;
import org.postern.core.mime.MimePart;
import org.postern.jmap.CallContext;

/**
 * Blob ids the client sees: a store blob id (a whole message or an upload), or
 * "&lt;store blob id&gt;_&lt;partId&gt;" for one decoded body part of a message (RFC 8621 §4.1.4
 * EmailBodyPart.blobId). Access is always checked against the account: a blob of another account is
 * indistinguishable from one that does not exist (HOSTILE.md A61).
 */
public final class Blobs {
    private Blobs() {}

    /** The content of a readable blob and the type it was found with (null when unknown). */
    public record Content(byte[] bytes, String type) {}

    public static String partBlobId(String messageBlobId, String partId) {
        return messageBlobId + "_" + partId;
    }

    public static boolean readable(CallContext ctx, String blobId) {
        if (blobId == null || !blobId.matches("[A-Za-z0-9_-]{1,255}")) return false;
        int us = blobId.indexOf('_');
        return Messages.canRead(ctx, us < 0 ? blobId : blobId.substring(0, us));
    }

    /** The blob's bytes, or empty when it does not exist for this account. */
    public static Optional<Content> read(CallContext ctx, String blobId) throws IOException {
        if (!readable(ctx, blobId)) return Optional.empty();
        int us = blobId.indexOf('_');
        if (us < 0) {
            try (InputStream in = ctx.store().blobs().open(blobId)) {
                return Optional.of(new Content(in.readAllBytes(), null));
            }
        }
        // "<blob>_<part>_<part>...": each further part id is inside the message/rfc822 part before it.
        String[] path = blobId.substring(us + 1).split("_", 8);
        MimeMessage m = ctx.messages().get(blobId.substring(0, us));
        byte[] bytes = null;
        String type = null;
        for (int i = 0; i < path.length; i++) {
            if (i > 0) m = org.postern.core.mime.MessageParser.parse(bytes);
            MimePart p = BodyParts.byPartId(m, path[i]);
            if (p == null) return Optional.empty();
            bytes = p.isMessage() ? m.slice(p.bodyStart(), p.bodyEnd()) : m.decodedBody(p);
            type = p.contentType().mimeType();
        }
        return Optional.of(new Content(bytes, type));
    }
}
