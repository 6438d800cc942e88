// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.postern.core.mime.MessageParser;
import org.postern.core.mime.MimeMessage;
import org.postern.jmap.Ids;
import org.postern.jmap.JmapHandler;
import org.postern.store.Account;
import org.postern.store.MailStore;
import org.postern.store.MessageRecord;
import org.postern.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /webmail/message/{accountId}/{emailId}[?remote=1]}: one message's body as a sanitized
 * HTML document for the UI's sandboxed frame (HOSTILE.md A48-A52). Only the logged-in browser (the
 * session cookie, never Basic credentials) may fetch it, and only for its own account; a message of
 * another account and one that does not exist get the same 404 (A61).
 *
 * <p>The response carries a CSP of its own that replaces the page's: no script source at all, the
 * sandbox directive (so the document stays sandboxed even when opened outside the frame), images
 * and fonts only from data: (plus https: when the reader allowed remote content), framing by our own
 * pages only. {@value #REMOTE_HEADER} tells the UI whether to offer "load remote content".
 *
 * <p>With {@value #PREFETCH_HEADER} the request only starts the render (if the server has a permit to
 * spare) and gets 204: the UI warms the messages it expects next, so opening one finds its document
 * rendered. The body never leaves the server that way, and every document the frame loads still
 * comes with this response's headers (no-store, the CSP, the sandbox).
 */
final class MessageView extends Handler.Abstract {
    static final String PREFIX = "/webmail/message/";
    static final String REMOTE_HEADER = "X-Postern-Remote-Content";
    /** Larger messages are not rendered here (the reader downloads them). */
    static final long MAX_MESSAGE_BYTES = 64L << 20;
    /** Renders at once; a sanitizer run holds a parsed message and two DOMs in memory. */
    static final int MAX_CONCURRENT = 4;
    /** Of those, how many may be prefetches: guesses never take every permit from readers. */
    static final int MAX_PREFETCH = 2;
    /** A request with this header only warms the cache (204 at once); the UI sends it for likely next messages. */
    static final String PREFETCH_HEADER = "X-Postern-Prefetch";
    /** How long a reader's render waits for a permit before the answer is 503. */
    static final Duration PERMIT_WAIT = Duration.ofSeconds(10);
    /** The longest a reader waits for a body; inputs are size-bounded, so only a pathological one gets here. */
    static final Duration RENDER_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(MessageView.class);

    private final JmapHandler jmap;
    private final MailStore store;
    private final MessageRenderer renderer = new MessageRenderer();
    private final RenderPool renders = new RenderPool(new RenderCache(256, 32L << 20), MAX_CONCURRENT, MAX_PREFETCH);

    MessageView(JmapHandler jmap, MailStore store) {
        this.jmap = jmap;
        this.store = store;
        // Loads and warms jsoup in the background, so the first message a reader opens is not the slow one.
        Thread.ofVirtual().name("webmail-warmup").start(() -> new HtmlSanitizer().sanitize(
                "<style>p{color:red}</style><p style=\"margin:0\"><a href=\"https://x.example/\">x</a><img src=\"cid:x\"></p>",
                false, java.util.Map.of()));
    }

    /** CSP Level 3 for the message document; {@code sandbox} without allow-scripts or allow-same-origin. */
    static String csp(boolean remote) {
        String web = remote ? " https:" : "";
        return "default-src 'none'; style-src 'unsafe-inline'; img-src data:" + web + "; font-src data:" + web
                + "; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; "
                + "sandbox allow-popups allow-popups-to-escape-sandbox";
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            Response.writeError(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
            return true;
        }
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "private, no-store");
        Optional<Account> account = jmap.browserAccount(request);
        if (account.isEmpty()) {
            Response.writeError(request, response, callback, HttpStatus.UNAUTHORIZED_401);
            return true;
        }
        String rest = Request.getPathInContext(request).substring(PREFIX.length());
        String[] p = rest.split("/", -1);
        Optional<MessageRecord> record = p.length == 2 && p[0].equals(Ids.account(account.get().id()))
                ? find(account.get(), p[1]) : Optional.empty();
        Fields q = Request.extractQueryParameters(request);
        boolean remote = "1".equals(q.getValue("remote"));
        if (request.getHeaders().get(PREFETCH_HEADER) != null) {
            // The UI guessing what is opened next: a head start at most, answered at once, never waited
            // for. A guess at a message that went away meanwhile (or never was this account's) is not
            // an error: the same 204, and nothing rendered.
            record.ifPresent(rec -> renders.prefetch(new RenderCache.Key(account.get().id(), rec.blobId(), remote), () -> entry(rec, remote)));
            response.setStatus(HttpStatus.NO_CONTENT_204);
            response.write(true, null, callback);
            return true;
        }
        if (record.isEmpty()) {
            Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
            return true;
        }
        MessageRecord rec = record.get();
        RenderCache.Key key = new RenderCache.Key(account.get().id(), rec.blobId(), remote);
        // The reader asks twice at once (the frame's GET, the HEAD for the remote-content header), often
        // after a prefetch: all of them wait for one render.
        CompletableFuture<RenderCache.Entry> job = renders.render(key, () -> entry(rec, remote), PERMIT_WAIT.toMillis());
        if (job == null) {
            Response.writeError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503);
            return true;
        }
        RenderCache.Entry doc;
        try {
            doc = job.get(RENDER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("rendering message {} of account {} took longer than {}", p[1], account.get().id(), RENDER_TIMEOUT);
            doc = notice("This message took too long to show. Download it instead.");
        } catch (ExecutionException e) {
            log.warn("rendering message {} of account {} failed", p[1], account.get().id(), e.getCause());
            doc = notice("This message could not be shown. Download it instead.");
        }
        var h = response.getHeaders();
        h.put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
        h.put("Content-Security-Policy", csp(remote));
        // Overrides the global DENY for this response only: the webmail's own page frames it.
        h.put("X-Frame-Options", "SAMEORIGIN");
        h.put(REMOTE_HEADER, remote ? "allowed" : doc.remoteFound() ? "blocked" : "none");
        byte[] bytes = doc.html();
        h.put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.setStatus(200);
        response.write(true, method.equals("HEAD") ? null : ByteBuffer.wrap(bytes), callback);
        return true;
    }

    private Optional<MessageRecord> find(Account account, String emailId) {
        Ids.MessageKey key = Ids.messageOf(emailId, 'e');
        if (key == null) return Optional.empty();
        try {
            // The mailbox lookup is scoped by account: another account's mailbox id finds nothing.
            if (store.mailboxes().byId(account.id(), key.mailboxId()).isEmpty()) return Optional.empty();
            return store.mailboxes().message(account.id(), key.mailboxId(), key.uid());
        } catch (StoreException.NotFound e) {
            return Optional.empty();
        }
    }

    private RenderCache.Entry entry(MessageRecord rec, boolean remote) throws IOException {
        MessageRenderer.Rendered r = render(rec, remote);
        return new RenderCache.Entry(r.html().getBytes(StandardCharsets.UTF_8), r.remoteFound());
    }

    private MessageRenderer.Rendered render(MessageRecord r, boolean remote) throws IOException {
        if (r.size() > MAX_MESSAGE_BYTES) {
            return new MessageRenderer.Rendered(NOTICE.formatted("This message is too large to show here. Download it instead."), false);
        }
        byte[] bytes;
        try (InputStream in = store.blobs().open(r.blobId())) {
            bytes = in.readNBytes((int) MAX_MESSAGE_BYTES);
        }
        long start = System.nanoTime();
        MimeMessage m = MessageParser.parse(bytes);
        MessageRenderer.Rendered out = renderer.render(m, remote);
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (ms > 1000) log.info("rendering a {}-byte message took {} ms", bytes.length, ms);
        return out;
    }

    private static final String NOTICE = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><p>%s</p></body></html>";

    /** A fixed text (never message data) in place of the body. */
    private static RenderCache.Entry notice(String text) {
        return new RenderCache.Entry(NOTICE.formatted(text).getBytes(StandardCharsets.UTF_8), false);
    }
}
