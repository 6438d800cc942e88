// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.postern.auth.AuthThrottle;
import org.postern.http.MemorySessionTable;
import org.postern.http.SessionTable;
import org.postern.http.WebSessions;
import org.postern.store.ChangeEvent;
import org.postern.store.MailStore;
import org.postern.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Browser sessions and authentication-failure counts kept in the store, shared by every node on it
 * (and kept over a restart). Each node caches sessions briefly; the store's change events drop an
 * account's cached sessions at once when its password changes or it is deleted on any node (ACCOUNT),
 * and a feed gap (account 0) drops them all. A logout elsewhere is seen within the cache's lifetime
 * ({@link WebSessions.Config#cacheTtl}). Expired sessions and old failures are swept every minute.
 */
final class SharedSessions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharedSessions.class);

    private final WebSessions sessions;
    private final AutoCloseable subscription;
    private final ScheduledExecutorService sweeper =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("web-sessions-sweep").factory());

    private SharedSessions(MailStore store, Clock clock, AuthThrottle throttle) {
        this.sessions = new WebSessions(WebSessions.Config.DEFAULT, clock, table(store));
        this.subscription = store.changes().subscribe(0, e -> {
            if (e.kind() == ChangeEvent.Kind.ACCOUNT || e.accountId() == 0) sessions.forget(e.accountId());
        });
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                sessions.sweep();
                throttle.sweep();
            } catch (RuntimeException e) {
                log.warn("sweeping expired browser sessions failed: {}", e.toString());
            }
        }, 1, 1, TimeUnit.MINUTES);
    }

    /** The store's table; a backend without one keeps them in memory (one node, lost on restart). */
    private static SessionTable table(MailStore store) {
        try {
            return new StoreSessionTable(store.webSessions());
        } catch (StoreException.Refused e) {
            log.warn("browser sessions kept in memory only: {}", e.getMessage());
            return new MemorySessionTable(WebSessions.Config.DEFAULT.maxSessions());
        }
    }

    static SharedSessions start(MailStore store, Clock clock, AuthThrottle throttle) {
        return new SharedSessions(store, clock, throttle);
    }

    WebSessions sessions() {
        return sessions;
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        try {
            subscription.close();
        } catch (Exception e) {
            log.debug("change feed unsubscribe", e);
        }
    }
}
