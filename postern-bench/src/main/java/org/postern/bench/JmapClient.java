// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A JMAP client of the few calls the benchmark makes (RFC 8620): the session resource (§2), API
 * requests (§3) and an EventSource stream (§7.3), over HTTPS with HTTP/2 and Basic auth, as a mail
 * client would. URLs from the session object are used for their path only, on the loopback target,
 * so a session naming another host cannot send the load elsewhere.
 */
final class JmapClient implements AutoCloseable {
    static final String MAIL = "urn:ietf:params:jmap:mail";
    static final String CORE = "urn:ietf:params:jmap:core";
    /** A response body larger than this is refused rather than buffered (the list answer is ~30 KB). */
    static final int MAX_BODY = 16 * 1024 * 1024;

    /** One "state" event as the stream delivered it, stamped with System.nanoTime() on arrival. */
    record Event(long nanos, String type, String data) {}

    private final HttpClient http;
    private final String base;
    private final String authorization;
    private final Duration timeout;
    private String apiPath;
    private String eventSourcePath;
    private String accountId;

    private JmapClient(Target target, String user, String password, Duration timeout) {
        // The servers under test use self-signed certificates named after their host name, not after
        // 127.0.0.1; HttpClient reads this property once, when its first instance is built.
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(TrustAll.context())
                .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
        String host = target.address().getHostAddress();
        this.base = "https://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + target.port();
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.timeout = timeout;
    }

    /** Connects, fetches the session resource and remembers the API and EventSource paths and the mail account. */
    static JmapClient open(Target target, String user, String password, Duration timeout) throws IOException, InterruptedException {
        JmapClient c = new JmapClient(target, user, password, timeout);
        HttpResponse<byte[]> r = c.http.send(c.request("/.well-known/jmap").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) throw new IOException("session resource: HTTP " + r.statusCode() + " " + Text.shorten(utf8(r.body())));
        Object s = JsonParser.parse(utf8(r.body()));
        c.apiPath = pathOf(JsonParser.at(s, "apiUrl"), "apiUrl");
        String es = pathOf(JsonParser.at(s, "eventSourceUrl"), "eventSourceUrl");
        c.eventSourcePath = es;
        if (!(JsonParser.at(s, "primaryAccounts", MAIL) instanceof String acc)) throw new IOException("session has no mail account");
        c.accountId = acc;
        return c;
    }

    String accountId() {
        return accountId;
    }

    /** Posts one JMAP request; the whole body is read before this returns. */
    HttpResponse<byte[]> post(String json) throws IOException, InterruptedException {
        HttpRequest req = request(apiPath).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build();
        HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        if (r.body().length > MAX_BODY) throw new IOException("response larger than " + MAX_BODY + " bytes");
        return r;
    }

    /** Posts a request and returns the parsed Response object, failing on any HTTP or method-level error. */
    Object call(String json) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = post(json);
        return check(r);
    }

    /** The parsed Response object of a 200 answer whose method responses carry no "error". */
    static Object check(HttpResponse<byte[]> r) throws IOException {
        String body = utf8(r.body());
        if (r.statusCode() != 200) throw new IOException("JMAP API: HTTP " + r.statusCode() + " " + Text.shorten(body));
        Object o = JsonParser.parse(body);
        if (!(JsonParser.at(o, "methodResponses") instanceof List<?> responses)) throw new IOException("no methodResponses: " + Text.shorten(body));
        for (Object inv : responses) {
            if ("error".equals(JsonParser.at(inv, 0))) throw new IOException("method error: " + Text.shorten(String.valueOf(JsonParser.at(inv, 1))));
        }
        return o;
    }

    /**
     * Opens the EventSource stream for {@code types} without pings and without closing after a state
     * event; returns once the server answered 200 (it subscribed to changes before answering). Each
     * "state" event is put on {@code events} by a virtual thread until the stream ends or is closed.
     */
    AutoCloseable eventSource(String types, BlockingQueue<Event> events) throws IOException, InterruptedException {
        String path = eventSourcePath.replace("{types}", types).replace("{closeafter}", "no").replace("{ping}", "0");
        HttpRequest req = request(path).timeout(Duration.ofDays(1)).header("Accept", "text/event-stream").GET().build();
        HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        InputStream body = r.body();
        if (r.statusCode() != 200) {
            String text = new String(body.readNBytes(4096), StandardCharsets.UTF_8);
            body.close();
            throw new IOException("EventSource: HTTP " + r.statusCode() + " " + Text.shorten(text));
        }
        Thread reader = Thread.ofVirtual().name("eventsource").start(() -> readEvents(body, events));
        return () -> {
            body.close();
            reader.interrupt();
        };
    }

    /** HTML Living Standard §9.2.6 event stream: "event:" and "data:" lines, an empty line ends an event. */
    private static void readEvents(InputStream body, BlockingQueue<Event> events) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String type = "message";
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) events.add(new Event(System.nanoTime(), type, data.toString()));
                    type = "message";
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    type = line.substring(6).strip();
                } else if (line.startsWith("data:") && data.length() < MAX_BODY) {
                    if (!data.isEmpty()) data.append('\n');
                    data.append(line.substring(5).strip());
                }
            }
        } catch (IOException e) {
            // The stream was closed (by close() or by the server): no more events.
        }
    }

    static BlockingQueue<Event> newQueue() {
        return new LinkedBlockingQueue<>(10_000);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).header("Authorization", authorization);
    }

    private static String pathOf(Object url, String name) throws IOException {
        if (!(url instanceof String s)) throw new IOException("session has no " + name);
        int scheme = s.indexOf("://");
        int slash = scheme < 0 ? -1 : s.indexOf('/', scheme + 3);
        if (slash < 0) throw new IOException(name + " is not an absolute URL: " + s);
        return s.substring(slash);
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        http.close();
    }
}
