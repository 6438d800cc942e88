// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.content.InputStreamContentSource;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.postern.jmap.method.Blobs;
import org.postern.jmap.proto.JmapLimits;
import org.postern.jmap.proto.Json;
import org.postern.store.BlobStore;

/**
 * Upload (RFC 8620 §6.1) and download (§6.2). Uploads stream into the blob store and are cut off at
 * maxSizeUpload while reading, whatever Content-Length said (HOSTILE.md A62). Downloads are served only
 * for blobs of the authenticated account, always as an attachment with a sanitised file name and a
 * sandboxing CSP, so no blob can run script in our origin.
 */
final class BlobEndpoints {
    private static final Pattern TYPE = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]{0,63}/[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]{0,63}");
    private static final String LIMIT = RequestErrorTypes.LIMIT;

    private final Json json;
    private final JmapLimits limits;
    private final Uploads uploads;

    BlobEndpoints(Json json, JmapLimits limits, Uploads uploads) {
        this.json = json;
        this.limits = limits;
        this.uploads = uploads;
    }

    void upload(String rest, Request request, Response response, Callback callback, CallContext ctx) throws IOException {
        String accountId = rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
        if (!accountId.equals(ctx.accountId())) {
            HttpReplies.problem(response, callback, json, 404, "about:blank", "no such account", null);
            return;
        }
        if (request.getLength() > limits.maxSizeUpload()) {
            HttpReplies.problem(response, callback, json, 413, LIMIT, "the upload is larger than maxSizeUpload", "maxSizeUpload");
            return;
        }
        long acc = ctx.account().id();
        if (!uploads.begin(acc, limits.maxConcurrentUpload())) {
            HttpReplies.problem(response, callback, json, 429, LIMIT, "too many concurrent uploads", "maxConcurrentUpload");
            return;
        }
        try (BlobStore.BlobWriter w = ctx.store().blobs().create(); InputStream in = Content.Source.asInputStream(request)) {
            OutputStream out = w.stream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > limits.maxSizeUpload()) {
                    HttpReplies.problem(response, callback, json, 413, LIMIT, "the upload is larger than maxSizeUpload",
                            "maxSizeUpload");
                    return; // closing the writer abandons the partial blob
                }
                out.write(buf, 0, n);
            }
            String blobId = w.commit();
            uploads.record(acc, blobId, total);
            String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
            ObjectNode o = Json.object();
            o.put("accountId", ctx.accountId());
            o.put("blobId", blobId);
            o.put("type", type == null || type.length() > 255 ? "application/octet-stream" : type);
            o.put("size", total);
            HttpReplies.json(response, callback, json, 201, o);
        } finally {
            uploads.end(acc);
        }
    }

    /**
     * RFC 8620 §6.2. Whole blobs (messages, uploads) stream from the store; a body part is decoded from
     * the cached message. Always an attachment (RFC 6266 §4.2) unless {@code disposition=inline} asks for
     * a preview of a type on {@link #INLINE}: never HTML, SVG, XML or script inline (HOSTILE.md A53).
     */
    void download(String rest, Request request, Response response, Callback callback, CallContext ctx) throws IOException {
        String[] p = rest.split("/", 3);
        boolean readable = p.length == 3 && p[0].equals(ctx.accountId()) && Blobs.readable(ctx, p[1]);
        boolean whole = readable && p[1].indexOf('_') < 0;
        Optional<Blobs.Content> content = readable && !whole ? Blobs.read(ctx, p[1]) : Optional.empty();
        long size = -1;
        if (whole) {
            try {
                size = ctx.store().blobs().size(p[1]);
            } catch (IOException e) {
                whole = false; // gone meanwhile (an expunge): not found
            }
        }
        if (!whole && content.isEmpty()) {
            // Same answer for another account's blob and a blob that does not exist (A61).
            HttpReplies.problem(response, callback, json, 404, "about:blank", "not found", null);
            return;
        }
        String name = sanitiseName(URLDecoder.decode(p[2].replace("+", "%2B"), StandardCharsets.UTF_8));
        Fields q = Request.extractQueryParameters(request);
        String accept = q.getValue("accept");
        String type = accept != null && TYPE.matcher(accept).matches() ? accept.toLowerCase(java.util.Locale.ROOT)
                : "application/octet-stream";
        boolean inline = "inline".equals(q.getValue("disposition")) && INLINE.contains(type);
        var h = response.getHeaders();
        h.put(HttpHeader.CONTENT_TYPE, type);
        h.put("Content-Disposition", disposition(inline, name));
        h.put("Content-Security-Policy", "default-src 'none'; sandbox");
        h.put("X-Content-Type-Options", "nosniff");
        // RFC 8620 §6.2: blobs are immutable.
        h.put(HttpHeader.CACHE_CONTROL, "private, immutable, max-age=31536000");
        boolean head = request.getMethod().equals("HEAD");
        response.setStatus(200);
        if (!whole) {
            byte[] bytes = content.get().bytes();
            h.put(HttpHeader.CONTENT_LENGTH, bytes.length);
            response.write(true, head ? null : ByteBuffer.wrap(bytes), callback);
            return;
        }
        h.put(HttpHeader.CONTENT_LENGTH, size);
        if (head) {
            response.write(true, null, callback);
            return;
        }
        InputStream in = ctx.store().blobs().open(p[1]);
        // Streamed with backpressure: a large message is never held in memory (HOSTILE.md A47).
        Content.copy(new InputStreamContentSource(in), response, Callback.from(callback, () -> close(in)));
    }

    /** Types a browser shows without running anything of the blob's, for an explicit preview. */
    static final java.util.Set<String> INLINE = java.util.Set.of("image/png", "image/jpeg", "image/gif", "image/webp",
            "application/pdf");

    /** RFC 6266 §4.1, §4.3: an ASCII fallback and the exact name as RFC 8187 UTF-8. */
    static String disposition(boolean inline, String name) {
        return (inline ? "inline" : "attachment") + "; filename=\"" + asciiFallback(name) + "\"; filename*=UTF-8''"
                + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing more to read anyway
        }
    }

    /** No path separators, quotes, controls or leading dots; bounded length; never empty. */
    static String sanitiseName(String name) {
        StringBuilder b = new StringBuilder();
        name.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '"' || c == ';' || (c >= 0x80 && c < 0xa0)
                    || c == 0x202e || c == 0x202d || c == 0x2066 || c == 0x2067 || c == 0x2068) {
                b.append('_');
            } else {
                b.appendCodePoint(c);
            }
        });
        String s = b.toString().strip();
        while (s.startsWith(".")) s = s.substring(1);
        if (s.length() > 200) s = s.substring(0, 200);
        return s.isEmpty() ? "download" : s;
    }

    private static String asciiFallback(String name) {
        StringBuilder b = new StringBuilder();
        for (char c : name.toCharArray()) b.append(c >= 0x20 && c < 0x7f && c != '%' ? c : '_');
        return b.toString();
    }
}
