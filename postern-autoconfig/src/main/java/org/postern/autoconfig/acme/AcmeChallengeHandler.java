// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig.acme;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Answers http-01 validation requests (RFC 8555 §8.3): GET /.well-known/acme-challenge/TOKEN returns
 * the key authorization stored in {@code dir/TOKEN}. Validation servers reach it on port 80, which
 * redirects to HTTPS; RFC 8555 §8.3 says they follow redirects.
 */
public final class AcmeChallengeHandler extends Handler.Abstract {
    public static final String PREFIX = "/.well-known/acme-challenge/";
    /** RFC 8555 §8.3: the token is base64url; anything else never touches the file system. */
    static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{16,256}");
    private static final int MAX_CONTENT = 1024;

    private final Path dir;

    public AcmeChallengeHandler(Path dir) {
        this.dir = dir;
    }

    /** Stores the response for a token; {@link #remove} once the challenge is over. */
    public static void put(Path dir, String token, String keyAuthorization) throws IOException {
        if (!TOKEN.matcher(token).matches()) throw new IOException("not an ACME token: " + token);
        Files.createDirectories(dir);
        Path tmp = dir.resolve(token + ".tmp");
        Files.writeString(tmp, keyAuthorization, StandardCharsets.US_ASCII);
        Files.move(tmp, dir.resolve(token), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    public static void remove(Path dir, String token) throws IOException {
        if (TOKEN.matcher(token).matches()) Files.deleteIfExists(dir.resolve(token));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (!path.startsWith(PREFIX)) return false;
        String token = path.substring(PREFIX.length());
        if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
            response.setStatus(405);
            Content.Sink.write(response, true, "", callback);
            return true;
        }
        String body = null;
        if (TOKEN.matcher(token).matches()) {
            try {
                byte[] b = Files.readAllBytes(dir.resolve(token));
                if (b.length <= MAX_CONTENT) body = new String(b, StandardCharsets.US_ASCII);
            } catch (NoSuchFileException e) {
                body = null;
            }
        }
        response.setStatus(body == null ? 404 : 200);
        // RFC 8555 §8.3: application/octet-stream is the expected type; the body is the key authorization.
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        Content.Sink.write(response, true, body == null ? "" : body, callback);
        return true;
    }
}
