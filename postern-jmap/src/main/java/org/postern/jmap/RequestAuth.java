// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.postern.auth.AuthResult;
import org.postern.auth.Authenticator;
import org.postern.http.Origins;
import org.postern.http.SessionCookie;
import org.postern.http.WebSessions;
import org.postern.store.Account;
import org.postern.store.Directory;

/**
 * Finds the caller of a request: HTTP Basic (RFC 7617) through the shared {@link Authenticator}, so
 * guessing over HTTP is throttled exactly like IMAP LOGIN or SMTP AUTH (HOSTILE.md A19), or a browser
 * session cookie. An Authorization header wins over a cookie, and a bad one is not rescued by a cookie.
 * A session dies when its account goes away or its password changes.
 */
final class RequestAuth {
    /** Seconds a throttled client is told to wait (RFC 6585 §4); the throttle's own window decides. */
    static final int RETRY_AFTER = 60;
    /** The request and response header carrying the session's CSRF token. */
    static final String CSRF_HEADER = "X-CSRF-Token";

    private final Authenticator auth;
    private final Directory directory;
    private final WebSessions sessions;

    RequestAuth(Authenticator auth, Directory directory, WebSessions sessions) {
        this.auth = auth;
        this.directory = directory;
        this.sessions = sessions;
    }

    WebSessions sessions() {
        return sessions;
    }

    Authenticator authenticator() {
        return auth;
    }

    Directory directory() {
        return directory;
    }

    Caller identify(Request request) {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization != null) {
            var creds = BasicAuth.parse(authorization);
            if (creds.isEmpty()) return new Caller.Anonymous();
            return switch (auth.authenticate(creds.get().user(), creds.get().password(), client(request))) {
                case AuthResult.Success s -> new Caller.Basic(s.account());
                case AuthResult.Throttled t -> new Caller.Throttled();
                case AuthResult.Failure f -> new Caller.Anonymous();
            };
        }
        return session(request).<Caller>map(b -> b).orElse(new Caller.Anonymous());
    }

    /** The live browser session of a request, with its account checked. */
    Optional<Caller.Browser> session(Request request) {
        for (String value : SessionCookie.values(request.getHeaders().getValuesList(HttpHeader.COOKIE))) {
            Optional<WebSessions.Session> s = sessions.lookup(value);
            if (s.isEmpty()) continue;
            Optional<Account> a = directory.account(s.get().accountId());
            if (a.isEmpty() || !stamp(a.get()).equals(s.get().stamp())) {
                sessions.destroy(s.get());
                continue;
            }
            return Optional.of(new Caller.Browser(a.get(), s.get()));
        }
        return Optional.empty();
    }

    /**
     * A state change by a browser session: needs the session's CSRF token in {@value #CSRF_HEADER}
     * (compared in constant time) and no foreign Origin. Browsers cannot add that header cross-site
     * without a CORS preflight, which this server never grants.
     */
    static boolean csrfOk(Request request, WebSessions.Session s, String formToken) {
        if (Origins.of(request) == Origins.Verdict.CROSS) return false;
        String presented = request.getHeaders().get(CSRF_HEADER);
        return s.csrfMatches(presented != null ? presented : formToken);
    }

    /** A WebSocket upgrade carries no custom headers; a browser always sends Origin, so it must be ours. */
    static boolean webSocketOriginOk(Request request) {
        return Origins.of(request) == Origins.Verdict.SAME;
    }

    /** Changes whenever the password does, so a password change ends every browser session. */
    static String stamp(Account a) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((a.id() + "\0" + a.password().hash())
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static InetAddress client(Request request) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        return remote instanceof InetSocketAddress isa ? isa.getAddress() : InetAddress.getLoopbackAddress();
    }

    static void retryAfter(Response response) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(RETRY_AFTER));
    }
}
