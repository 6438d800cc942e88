// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import java.net.InetAddress;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.postern.auth.AuthResult;
import org.postern.auth.Passwords;
import org.postern.http.SessionCookie;
import org.postern.http.WebSessions;
import org.postern.store.Account;

/**
 * {@link Credentials} of one HTTP request. A password change ends every browser session of the
 * account (their stamp no longer matches, {@link RequestAuth#stamp}) and mail sessions (the store
 * announces it); a browser caller then gets a new session cookie and CSRF token on this very
 * response, so its own session goes on. Over a WebSocket there is no response to carry a cookie,
 * so that session ends too.
 */
final class SessionCredentials implements Credentials {
    private final RequestAuth auth;
    private final Passwords passwords;
    private final Account account;
    private final InetAddress client;
    private final boolean browser;
    private final Response response;

    SessionCredentials(RequestAuth auth, Passwords passwords, Account account, InetAddress client, boolean browser,
            Response response) {
        this.auth = auth;
        this.passwords = passwords;
        this.account = account;
        this.client = client;
        this.browser = browser;
        this.response = response;
    }

    @Override
    public Check check(String password) {
        return switch (auth.authenticator().authenticate(account.address(), password, client)) {
            case AuthResult.Success s -> s.account().id() == account.id() ? Check.OK : Check.WRONG;
            case AuthResult.Throttled t -> Check.THROTTLED;
            case AuthResult.Failure f -> Check.WRONG;
        };
    }

    @Override
    public void change(String newPassword) {
        auth.directory().setPassword(account.address(), passwords.record(newPassword));
        // Every session of the account ends, on every node (the store announces the change); the
        // caller's own goes on under a new id (a fresh session on a change of credentials).
        auth.sessions().destroyAll(account.id(), null);
        if (!browser || response == null) return;
        Account updated = auth.directory().account(account.id()).orElseThrow();
        WebSessions.Issued issued = auth.sessions().create(updated.id(), RequestAuth.stamp(updated));
        response.getHeaders().add(HttpHeader.SET_COOKIE, SessionCookie.set(issued.cookieValue()));
        response.getHeaders().put(RequestAuth.CSRF_HEADER, issued.session().csrfToken());
    }
}
