// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import java.util.List;
import org.postern.http.Router;
import org.postern.jmap.JmapHandler;
import org.postern.store.MailStore;

/**
 * Registers the webmail's routes: its static files at "/" (the catch-all: every path no other module
 * claims), the sanitized message view at {@value MessageView#PREFIX} and what the UI may offer the
 * session at {@value AccountEndpoint#PATH}.
 */
public final class WebmailHandler {
    private final JmapHandler jmap;
    private final MailStore store;
    private List<String> admins = List.of();

    public WebmailHandler(JmapHandler jmap, MailStore store) {
        this.jmap = jmap;
        this.store = store;
    }

    /** Addresses that are admins besides accounts with the admin flag (postern.conf's list); call before register. */
    public WebmailHandler withAdmins(List<String> admins) {
        this.admins = List.copyOf(admins);
        return this;
    }

    /** Registers the webmail's routes; JMAP must be registered without its bare login form. */
    public void register(Router router) {
        router.add("/", new StaticAssets());
        router.add(MessageView.PREFIX, new MessageView(jmap, store));
        router.add(AccountEndpoint.PATH, new AccountEndpoint(jmap, admins));
        router.add(PrefetchEndpoint.PATH, new PrefetchEndpoint(jmap, store));
    }
}
