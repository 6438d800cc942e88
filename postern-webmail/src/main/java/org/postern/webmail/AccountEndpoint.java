// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.postern.jmap.JmapHandler;
import org.postern.store.Account;

/**
 * {@code GET /webmail/account}: what the UI may offer the signed-in browser beyond JMAP, today whether
 * to show the admin page's link: {@code {"admin":true|false}}. Always 200 for a session (a 403 probe of
 * the admin API would put an error in every user's console); 401 without one. The admin API decides
 * for itself: this only hides a link.
 */
final class AccountEndpoint extends Handler.Abstract {
    static final String PATH = "/webmail/account";

    private final JmapHandler jmap;
    private final List<String> admins;

    /** @param admins lower-case addresses that are admins besides accounts with the admin flag (postern.conf) */
    AccountEndpoint(JmapHandler jmap, List<String> admins) {
        this.jmap = jmap;
        this.admins = admins.stream().map(a -> a.toLowerCase(Locale.ROOT)).toList();
    }

    boolean admin(Account a) {
        return a.admin() || admins.contains(a.address().toLowerCase(Locale.ROOT));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!Request.getPathInContext(request).equals(PATH)) return false;
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (!request.getMethod().equals("GET")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET");
            return send(response, callback, 405, "{\"error\":\"methodNotAllowed\"}");
        }
        Optional<Account> account = jmap.browserAccount(request);
        if (account.isEmpty()) return send(response, callback, 401, "{\"error\":\"login\"}");
        return send(response, callback, 200, "{\"admin\":" + admin(account.get()) + "}");
    }

    private static boolean send(Response response, Callback callback, int status, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }
}
