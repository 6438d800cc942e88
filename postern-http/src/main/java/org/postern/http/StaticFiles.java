// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * Serves the files under one directory (the webmail's assets), read-only. The request path is never
 * trusted as a file name: it is matched segment by segment against a strict pattern (no "..", no
 * dot-files, no backslash, no NUL or encoded separators, bounded depth), the resolved file must lie
 * under the root after symbolic links are followed, and only regular files of known types are sent.
 * No directory listings. Anything else is the same 404, so probing learns nothing.
 */
public final class StaticFiles extends Handler.Abstract {
    private static final java.util.regex.Pattern SEGMENT = java.util.regex.Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}");
    private static final int MAX_DEPTH = 16;
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("webmanifest", "application/manifest+json"));

    private final Path root;
    private final String prefix;
    private final String index;

    /**
     * @param prefix the router prefix this handler is mounted at (ends with "/")
     * @param index the file served for the prefix itself, or null
     */
    public StaticFiles(Path root, String prefix, String index) throws IOException {
        this.root = root.toRealPath();
        this.prefix = prefix;
        this.index = index;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            Response.writeError(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
            return true;
        }
        Path file = resolve(Request.getPathInContext(request));
        String type = file == null ? null : TYPES.get(extension(file.getFileName().toString()));
        if (file == null || type == null) {
            Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
            return true;
        }
        long size = Files.size(file);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, size);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        if (method.equals("HEAD")) {
            response.write(true, null, callback);
            return true;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                try (Blocker.Callback cb = Blocker.callback()) {
                    response.write(false, ByteBuffer.wrap(buf, 0, n), cb);
                    cb.block();
                }
            }
        }
        response.write(true, null, callback);
        return true;
    }

    /** The regular file under the root a request path names, or null. */
    Path resolve(String path) throws IOException {
        if (path == null || !path.startsWith(prefix.substring(0, prefix.length() - 1))) return null;
        String rel = path.length() <= prefix.length() ? "" : path.substring(prefix.length());
        if (rel.isEmpty()) {
            if (index == null) return null;
            rel = index;
        }
        String[] segments = rel.split("/", -1);
        if (segments.length > MAX_DEPTH) return null;
        Path p = root;
        for (String s : segments) {
            if (!SEGMENT.matcher(s).matches() || s.contains("..")) return null;
            p = p.resolve(s);
        }
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p)) return null;
        Path real = p.toRealPath();
        return real.startsWith(root) && Files.isRegularFile(real) ? real : null;
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
