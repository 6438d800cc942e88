// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;

/** A minimal JMAP client over java.net.http: session, API calls, upload, download. */
final class JmapClient {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String USING = "[\"urn:ietf:params:jmap:core\",\"urn:ietf:params:jmap:mail\"]";

    final String base;
    final HttpClient http;
    final String authorization;
    JsonNode session;

    JmapClient(String base, SSLContext ssl, String user, String password) {
        this.base = base;
        this.http = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(path.startsWith("https:") ? path : base + path))
                .header("Authorization", authorization).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> getBytes(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", authorization)
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    JsonNode session() throws Exception {
        HttpResponse<String> r = get("/.well-known/jmap");
        if (r.statusCode() != 200) throw new IllegalStateException("session: " + r.statusCode() + " " + r.body());
        session = JSON.readTree(r.body());
        return session;
    }

    String accountId() throws Exception {
        if (session == null) session();
        return session.path("primaryAccounts").path("urn:ietf:params:jmap:mail").asText();
    }

    HttpResponse<String> post(String body) throws Exception {
        if (session == null) session();
        return http.send(HttpRequest.newBuilder(URI.create(session.get("apiUrl").asText())).header("Authorization", authorization)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Posts a request with the given methodCalls JSON ("$A" replaced by the account id) and returns methodResponses. */
    JsonNode call(String methodCalls) throws Exception {
        HttpResponse<String> r = post("{\"using\":" + USING + ",\"methodCalls\":" + methodCalls.replace("$A", accountId()) + "}");
        if (r.statusCode() != 200) throw new IllegalStateException("api: " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body()).get("methodResponses");
    }

    /** As {@link #call(String)} with another "using" list (a JSON array). */
    JsonNode callUsing(String using, String methodCalls) throws Exception {
        HttpResponse<String> r = post("{\"using\":" + using + ",\"methodCalls\":" + methodCalls.replace("$A", accountId()) + "}");
        if (r.statusCode() != 200) throw new IllegalStateException("api: " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body()).get("methodResponses");
    }

    /** The arguments of the first response, failing on an error response. */
    JsonNode one(String method, String args) throws Exception {
        JsonNode r = call("[[\"" + method + "\"," + args + ",\"c\"]]").get(0);
        if (!r.get(0).asText().equals(method)) throw new IllegalStateException(r.toString());
        return r.get(1);
    }

    JsonNode upload(byte[] body, String type) throws Exception {
        if (session == null) session();
        String url = session.get("uploadUrl").asText().replace("{accountId}", accountId());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", authorization)
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) throw new IllegalStateException("upload: " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body());
    }

    String downloadUrl(String accountId, String blobId, String name, String type) throws Exception {
        if (session == null) session();
        return session.get("downloadUrl").asText().replace("{accountId}", accountId).replace("{blobId}", blobId)
                .replace("{name}", name).replace("{type}", type);
    }
}
