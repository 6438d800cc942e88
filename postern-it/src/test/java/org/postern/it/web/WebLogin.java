// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** A browser's login over HTTPS, as plain HTTP calls: the cookie value and the CSRF token it got. */
public record WebLogin(String cookie, String csrf) {
    /** An HTTP client trusting the test certificate, never following redirects. */
    public static HttpClient client(SSLContext tls) {
        return HttpClient.newBuilder().sslContext(tls).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static HttpResponse<String> login(HttpClient http, int httpsPort, String user, String password) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(httpsPort, "/login")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Logs in; fails unless the server answered 200 with a session cookie. */
    public static WebLogin of(HttpClient http, int httpsPort, String user, String password) throws Exception {
        HttpResponse<String> r = login(http, httpsPort, user, password);
        if (r.statusCode() != 200) throw new AssertionError("login answered " + r.statusCode() + ": " + r.body());
        String set = r.headers().firstValue("set-cookie").orElseThrow();
        return new WebLogin(set.substring(set.indexOf('=') + 1, set.indexOf(';')),
                r.headers().firstValue("x-csrf-token").orElseThrow());
    }

    /** GET of the JMAP session resource with the cookie: 200 while the session lives, 401 after. */
    public int session(HttpClient http, int httpsPort) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(httpsPort, "/.well-known/jmap")).timeout(Duration.ofSeconds(30))
                .header("Cookie", "__Host-postern=" + cookie).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    public int logout(HttpClient http, int httpsPort) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(httpsPort, "/logout")).timeout(Duration.ofSeconds(30))
                .header("Cookie", "__Host-postern=" + cookie).header("X-CSRF-Token", csrf)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static URI uri(int port, String path) {
        return URI.create("https://localhost:" + port + path);
    }
}
