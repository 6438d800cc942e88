// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.postern.http.SecurityHeaders;

/**
 * The webmail's static files, served from the classpath (this module's jar) at "/". The request path
 * is never used as a name as it stands: each segment must match a strict pattern (no "..", no dot
 * files, no backslash or encoded separator), the depth is bounded, only known extensions are served,
 * and a classpath entry must be a regular file (a directory URL would list its contents). Anything
 * else is one 404, so probing learns nothing. A path ending in "/" means its index.html.
 *
 * <p>Caching (RFC 9111): every file is "no-cache" with a strong ETag (RFC 9110 §8.8.3) and
 * Last-Modified, so the browser revalidates cheaply and a new release is picked up at once. The app
 * page loads its scripts from {@value #VERSIONED}{@code <version>/js/...} instead, the version being a
 * digest of every static file of this build: relative imports between modules stay under the same
 * prefix, so the whole module graph is named by content and served "immutable" for a year (RFC 8246),
 * and a new build changes every such URL. The page lists each module as a modulepreload, so the browser
 * fetches the graph at once rather than one import level per round trip. A version other than the
 * current one (a page of an older build) gets today's files, revalidated. Found files are kept in
 * memory (they are few and small); misses are not, so probing cannot grow the cache.
 */
final class StaticAssets extends Handler.Abstract {
    static final String ROOT = "org/postern/webmail/static/";
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}");
    private static final int MAX_DEPTH = 12;
    private static final int MAX_FILE = 8 << 20;
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);
    static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("webmanifest", "application/manifest+json"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("txt", "text/plain; charset=utf-8"));

    /** The path prefix of versioned (immutable) URLs. */
    static final String VERSIONED = "/v/";
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";
    private static final String APP_PAGE = "index.html";

    record Asset(byte[] bytes, String type, String etag, Instant modified) {}

    /** This build's static files: their digest and the app's modules (names under {@link #ROOT}). */
    record Build(String version, List<String> modules) {}

    private final ClassLoader loader;
    private final Instant started = Instant.now();
    private final Map<String, Asset> cache = new ConcurrentHashMap<>();
    private volatile Build build;
    private volatile Asset appPage;

    StaticAssets() {
        this.loader = StaticAssets.class.getClassLoader();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            Response.writeError(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
            return true;
        }
        Target t = target(Request.getPathInContext(request), build().version());
        boolean immutable = t != null && t.immutable();
        Asset a = t == null ? null : t.name().equals(APP_PAGE) ? appPage() : load(t.name());
        if (a == null) {
            Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
            return true;
        }
        var h = response.getHeaders();
        h.put(HttpHeader.ETAG, a.etag());
        h.put(HttpHeader.LAST_MODIFIED, HTTP_DATE.format(a.modified()));
        h.put(HttpHeader.CACHE_CONTROL, immutable ? IMMUTABLE : "no-cache");
        // The page's own policy, set here too so the app never depends on the wrapper's default alone.
        h.put("Content-Security-Policy", SecurityHeaders.CSP);
        if (notModified(request, a)) {
            response.setStatus(HttpStatus.NOT_MODIFIED_304);
            response.write(true, null, callback);
            return true;
        }
        h.put(HttpHeader.CONTENT_TYPE, a.type());
        h.put(HttpHeader.CONTENT_LENGTH, a.bytes().length);
        response.setStatus(200);
        response.write(true, method.equals("HEAD") ? null : ByteBuffer.wrap(a.bytes()), callback);
        return true;
    }

    /** A file a request names, and whether the URL is this build's versioned (immutable) one. */
    record Target(String name, boolean immutable) {}

    /** What {@code path} names, {@value #VERSIONED}{@code <version>/} prefix or not; null when nothing. */
    static Target target(String path, String version) {
        if (path == null || !path.startsWith(VERSIONED)) {
            String name = name(path);
            return name == null ? null : new Target(name, false);
        }
        int slash = path.indexOf('/', VERSIONED.length());
        if (slash < 0 || !VERSION.matcher(path.substring(VERSIONED.length(), slash)).matches()) return null;
        String name = name(path.substring(slash));
        return name == null ? null : new Target(name, path.substring(VERSIONED.length(), slash).equals(version));
    }

    /** The resource name under {@link #ROOT} a request path names, or null when it cannot name one. */
    static String name(String path) {
        if (path == null || !path.startsWith("/") || path.length() > 1024) return null;
        String rel = path.substring(1);
        if (rel.isEmpty() || rel.endsWith("/")) rel = rel + "index.html";
        String[] segments = rel.split("/", -1);
        if (segments.length > MAX_DEPTH) return null;
        for (String s : segments) {
            if (!SEGMENT.matcher(s).matches() || s.contains("..")) return null;
        }
        int dot = rel.lastIndexOf('.');
        if (dot < 0 || !TYPES.containsKey(rel.substring(dot + 1))) return null;
        return rel;
    }

    /** RFC 9110 §13.1.2, §13.1.3: If-None-Match wins; If-Modified-Since only without it. */
    private static boolean notModified(Request request, Asset a) {
        String inm = request.getHeaders().get(HttpHeader.IF_NONE_MATCH);
        if (inm != null) {
            for (String tag : inm.split(",", 32)) {
                String t = tag.strip();
                if (t.startsWith("W/")) t = t.substring(2);
                if (t.equals("*") || t.equals(a.etag())) return true;
            }
            return false;
        }
        String ims = request.getHeaders().get(HttpHeader.IF_MODIFIED_SINCE);
        if (ims == null) return false;
        try {
            Instant since = ZonedDateTime.parse(ims, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return !a.modified().isAfter(since);
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private Asset load(String name) throws IOException {
        Asset cached = cache.get(name);
        if (cached != null) return cached;
        URL url = loader.getResource(ROOT + name);
        if (url == null || !regularFile(url)) return null;
        URLConnection c = url.openConnection();
        c.setUseCaches(false);
        byte[] bytes;
        try (InputStream in = c.getInputStream()) {
            bytes = in.readNBytes(MAX_FILE + 1);
        }
        if (bytes.length > MAX_FILE) return null;
        long lm = c.getLastModified();
        // Whole seconds: HTTP dates have no fraction, and a comparison must see equal times as equal.
        Instant modified = Instant.ofEpochSecond((lm > 0 ? Instant.ofEpochMilli(lm) : started).getEpochSecond());
        Asset a = new Asset(bytes, TYPES.get(name.substring(name.lastIndexOf('.') + 1)), etag(bytes), modified);
        cache.put(name, a);
        return a;
    }

    /**
     * The app page with its scripts under this build's version and a modulepreload for every module
     * (HTML Living Standard §4.6.7.13), so a cold browser fetches the graph in one round of requests.
     */
    Asset appPage() throws IOException {
        Asset page = appPage;
        if (page != null) return page;
        Asset plain = load(APP_PAGE);
        if (plain == null) return null;
        Build b = build();
        String prefix = VERSIONED + b.version() + "/";
        StringBuilder preload = new StringBuilder();
        for (String m : b.modules()) preload.append("<link rel=\"modulepreload\" href=\"").append(prefix).append(m).append("\">\n");
        String html = new String(plain.bytes(), java.nio.charset.StandardCharsets.UTF_8)
                .replace("src=\"/js/", "src=\"" + prefix + "js/")
                .replace("</head>", preload + "</head>");
        byte[] bytes = html.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        page = new Asset(bytes, plain.type(), etag(bytes), plain.modified());
        appPage = page;
        return page;
    }

    /**
     * Lists the static files of the jar (or class folder) this class came from: the version digests
     * each file's name and CRC-32 (a jar) or content (a folder). Without a listing the version is this
     * start's time, which is still a new name per build.
     */
    Build build() {
        Build b = build;
        if (b != null) return b;
        java.util.TreeMap<String, byte[]> files = new java.util.TreeMap<>();
        try {
            var source = StaticAssets.class.getProtectionDomain().getCodeSource();
            Path where = source == null ? null : Path.of(source.getLocation().toURI());
            if (where != null && Files.isDirectory(where)) {
                Path root = where.resolve(ROOT);
                if (Files.isDirectory(root)) {
                    try (var walk = Files.walk(root, MAX_DEPTH)) {
                        for (Path p : (Iterable<Path>) walk::iterator) {
                            if (Files.isRegularFile(p)) files.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                        }
                    }
                }
            } else if (where != null && Files.isRegularFile(where)) {
                try (var jar = new java.util.jar.JarFile(where.toFile())) {
                    for (var e : java.util.Collections.list(jar.entries())) {
                        if (!e.isDirectory() && e.getName().startsWith(ROOT)) {
                            files.put(e.getName().substring(ROOT.length()), Long.toString(e.getCrc()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        }
                    }
                }
            }
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            files.clear();
        }
        MessageDigest d = sha256();
        List<String> modules = new java.util.ArrayList<>();
        if (files.isEmpty()) d.update(started.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (var e : files.entrySet()) {
            d.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(e.getValue());
            if (e.getKey().startsWith("js/") && e.getKey().endsWith(".js") && name("/" + e.getKey()) != null) modules.add(e.getKey());
        }
        b = new Build(Base64.getUrlEncoder().withoutPadding().encodeToString(d.digest()).substring(0, 16), List.copyOf(modules));
        build = b;
        return b;
    }

    private static boolean regularFile(URL url) throws IOException {
        return switch (url.getProtocol()) {
            case "file" -> {
                try {
                    yield Files.isRegularFile(Path.of(url.toURI()));
                } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                    yield false;
                }
            }
            case "jar" -> {
                URLConnection c = url.openConnection();
                yield c instanceof JarURLConnection j && j.getJarEntry() != null && !j.getJarEntry().isDirectory();
            }
            default -> false;
        };
    }

    private static String etag(byte[] bytes) {
        byte[] d = sha256().digest(bytes);
        return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 27) + "\"";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
