// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.postern.jmap.JmapHandler;
import org.postern.store.Account;
import org.postern.store.MailStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /webmail/prefetch}: the UI calls it the moment a login succeeds, and the server starts
 * reading the account's Inbox index (the store caches it) while the UI fetches the JMAP session,
 * settings and folders; the first message list then finds the index in memory instead of reading a
 * big mailbox after those round trips. Answers 204 at once; it reads what the session could read
 * anyway and changes nothing. At most one read per account runs at a time, so repeating the call
 * costs nothing more.
 */
final class PrefetchEndpoint extends Handler.Abstract {
    static final String PATH = "/webmail/prefetch";
    private static final Logger log = LoggerFactory.getLogger(PrefetchEndpoint.class);

    private final JmapHandler jmap;
    private final MailStore store;
    private final Set<Long> running = ConcurrentHashMap.newKeySet();

    PrefetchEndpoint(JmapHandler jmap, MailStore store) {
        this.jmap = jmap;
        this.store = store;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!Request.getPathInContext(request).equals(PATH)) return false;
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (!request.getMethod().equals("POST")) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            response.setStatus(405);
            response.write(true, null, callback);
            return true;
        }
        Optional<Account> account = jmap.browserAccount(request);
        if (account.isEmpty()) {
            response.setStatus(401);
            response.write(true, null, callback);
            return true;
        }
        long acc = account.get().id();
        if (running.add(acc)) Thread.ofVirtual().name("webmail-prefetch").start(() -> warm(acc));
        response.setStatus(204);
        response.write(true, null, callback);
        return true;
    }

    private void warm(long acc) {
        try {
            store.mailboxes().find(acc, "INBOX").ifPresent(inbox -> store.mailboxes().index(acc, inbox.id()));
        } catch (RuntimeException e) {
            // Only a head start: the list reads the index itself and reports what fails.
            log.debug("prefetching the Inbox of account {} failed", acc, e);
        } finally {
            running.remove(acc);
        }
    }
}
