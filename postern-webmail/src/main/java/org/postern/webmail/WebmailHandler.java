// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import org.postern.http.Router;
import org.postern.jmap.JmapHandler;
import org.postern.store.MailStore;

/**
 * Registers the webmail's routes: its static files at "/" (the catch-all: every path no other module
 * claims) and the sanitized message view at {@value MessageView#PREFIX}.
 */
public final class WebmailHandler {
    private final JmapHandler jmap;
    private final MailStore store;

    public WebmailHandler(JmapHandler jmap, MailStore store) {
        this.jmap = jmap;
        this.store = store;
    }

    /** Registers the webmail's routes; JMAP must be registered without its bare login form. */
    public void register(Router router) {
        router.add("/", new StaticAssets());
        router.add(MessageView.PREFIX, new MessageView(jmap, store));
    }
}
