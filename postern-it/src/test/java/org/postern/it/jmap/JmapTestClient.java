// SPDX-License-Identifier: Apache-2.0
package org.postern.it.jmap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;

/** A small JMAP client (RFC 8620) on java.net.http, as an outside client would write it. */
final class JmapTestClient {
    static final ObjectMapper JSON = new ObjectMapper();

    final HttpClient http;
    final String authorization;
    final JsonNode session;
    final String accountId;

    JmapTestClient(int httpsPort, SSLContext ssl, String user, String password) throws Exception {
        http = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
        authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(request("https://localhost:" + httpsPort + "/.well-known/jmap").build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("session: " + r.statusCode());
        session = JSON.readTree(r.body());
        accountId = session.path("primaryAccounts").path("urn:ietf:params:jmap:mail").asText();
    }

    HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", authorization).timeout(Duration.ofSeconds(20));
    }

    /** Runs method calls ("$A" stands for the account id) and returns methodResponses. */
    JsonNode call(String methodCalls) throws Exception {
        String body = "{\"using\":[\"urn:ietf:params:jmap:core\",\"urn:ietf:params:jmap:mail\"],\"methodCalls\":"
                + methodCalls.replace("$A", accountId) + "}";
        HttpResponse<String> r = http.send(request(session.get("apiUrl").asText()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("api: " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body()).get("methodResponses");
    }

    JsonNode one(String method, String args) throws Exception {
        JsonNode r = call("[[\"" + method + "\"," + args + ",\"c\"]]").get(0);
        if (!r.get(0).asText().equals(method)) throw new IllegalStateException(r.toString());
        return r.get(1);
    }

    String eventSourceUrl(String closeAfter, int ping) {
        return session.get("eventSourceUrl").asText().replace("{types}", "*").replace("{closeafter}", closeAfter)
                .replace("{ping}", Integer.toString(ping));
    }
}
