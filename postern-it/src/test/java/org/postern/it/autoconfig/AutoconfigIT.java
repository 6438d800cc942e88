// SPDX-License-Identifier: Apache-2.0
package org.postern.it.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Fetches every client-configuration document from a running server as a client would, and checks
 * each advertised endpoint against the ports the server really listens on, by connecting to it with
 * the advertised security (implicit TLS handshake, or greeting then STARTTLS/STLS).
 */
class AutoconfigIT {
    static TestServer server;
    static HttpClient http;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        server.createUser("alice@example.test", "alice-password");
        http = HttpClient.newBuilder().sslContext(server.sslContext()).connectTimeout(Duration.ofSeconds(5)).build();
        base = "https://localhost:" + server.port(Service.HTTPS);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "text/xml").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static Document xml(String s) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)));
    }

    static String text(Element e, String tag) {
        NodeList n = e.getElementsByTagNameNS("*", tag);
        return n.getLength() == 0 ? null : n.item(0).getTextContent().strip();
    }

    record Endpoint(String protocol, String host, int port, boolean implicitTls) {}

    /** The server's real ports in RFC 8314 order: implicit TLS first, then STARTTLS. */
    static List<Endpoint> expected() {
        return List.of(
                new Endpoint("imap", "localhost", server.imapsPort(), true),
                new Endpoint("imap", "localhost", server.imapPort(), false),
                new Endpoint("pop3", "localhost", server.pop3sPort(), true),
                new Endpoint("pop3", "localhost", server.pop3Port(), false),
                new Endpoint("smtp", "localhost", server.submissionsPort(), true),
                new Endpoint("smtp", "localhost", server.submissionPort(), false));
    }

    /** Connects the way a client configured from the document would, and sees TLS come up. */
    static void connectAsAdvertised(Endpoint e) throws Exception {
        if (e.implicitTls()) {
            try (RawClient c = RawClient.connect(server.host(), e.port(), server.sslContext())) {
                c.expect(e.protocol().equals("imap") ? "* OK" : e.protocol().equals("pop3") ? "+OK" : "220 ");
            }
            return;
        }
        try (RawClient c = RawClient.connect(server.host(), e.port())) {
            switch (e.protocol()) {
                case "imap" -> {
                    c.expect("* OK");
                    c.send("a STARTTLS");
                    c.readUntil("a OK");
                    c.startTls(server.sslContext());
                    c.send("b NOOP");
                    c.readUntil("b OK");
                }
                case "pop3" -> {
                    c.expect("+OK");
                    c.send("STLS");
                    c.expect("+OK");
                    c.startTls(server.sslContext());
                    c.send("CAPA");
                    c.readUntil("^\\.$");
                }
                default -> {
                    c.expect("220 ");
                    c.send("EHLO client.test");
                    c.readUntil("250 ");
                    c.send("STARTTLS");
                    c.expect("220 ");
                    c.startTls(server.sslContext());
                    c.send("EHLO client.test");
                    c.readUntil("250 ");
                }
            }
        }
    }

    @Test
    void thunderbirdAutoconfigAtBothAddresses() throws Exception {
        for (String path : List.of("/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40example.test",
                "/mail/config-v1.1.xml?emailaddress=alice@example.test")) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).get().asString().startsWith("application/xml");
            Document d = xml(r.body());
            assertThat(d.getDocumentElement().getTagName()).isEqualTo("clientConfig");
            assertThat(text(d.getDocumentElement(), "domain")).isEqualTo("example.test");
            List<Endpoint> got = new ArrayList<>();
            for (String kind : List.of("incomingServer", "outgoingServer")) {
                NodeList n = d.getElementsByTagName(kind);
                for (int i = 0; i < n.getLength(); i++) {
                    Element s = (Element) n.item(i);
                    assertThat(text(s, "socketType")).isIn("SSL", "STARTTLS");
                    assertThat(text(s, "username")).isEqualTo("%EMAILADDRESS%");
                    got.add(new Endpoint(s.getAttribute("type"), text(s, "hostname"), Integer.parseInt(text(s, "port")),
                            text(s, "socketType").equals("SSL")));
                }
            }
            assertThat(got).containsExactlyElementsOf(expected());
        }
        for (Endpoint e : expected()) connectAsAdvertised(e);
    }

    @Test
    void autoconfigHostNameAndForeignDomains() throws Exception {
        // autoconfig.DOMAIN without emailaddress: the domain comes from the Host name (java.net.http may not set Host).
        Curl viaHost = curl("-H", "Host: autoconfig.example.test", base + "/mail/config-v1.1.xml");
        assertThat(viaHost.exit()).as(viaHost.out()).isZero();
        assertThat(viaHost.out()).contains("<domain>example.test</domain>");
        assertThat(curl("-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: autoconfig.elsewhere.test",
                base + "/mail/config-v1.1.xml").out()).isEqualTo("404");
        assertThat(get("/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=x@elsewhere.test").statusCode()).isEqualTo(404);
        assertThat(get("/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=%3Cscript%3E").statusCode()).isEqualTo(400);
    }

    @Test
    void autodiscoverPox() throws Exception {
        String request = """
                <?xml version="1.0" encoding="utf-8"?>
                <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
                  <Request>
                    <EMailAddress>alice@example.test</EMailAddress>
                    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
                  </Request>
                </Autodiscover>
                """;
        for (String path : List.of("/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml")) {
            HttpResponse<String> r = post(path, request);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            Document d = xml(r.body());
            NodeList protocols = d.getElementsByTagNameNS("*", "Protocol");
            List<Endpoint> got = new ArrayList<>();
            for (int i = 0; i < protocols.getLength(); i++) {
                Element p = (Element) protocols.item(i);
                assertThat(text(p, "LoginName")).isEqualTo("alice@example.test");
                String enc = text(p, "Encryption");
                assertThat(enc).isIn("SSL", "TLS");
                got.add(new Endpoint(text(p, "Type").toLowerCase(java.util.Locale.ROOT), text(p, "Server"),
                        Integer.parseInt(text(p, "Port")), enc.equals("SSL")));
            }
            assertThat(got).containsExactlyElementsOf(expected());
        }
        // Hostile and foreign requests get the Autodiscover error, never a stack trace or a file's content.
        HttpResponse<String> xxe = post("/autodiscover/autodiscover.xml", "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM "
                + "\"file:///etc/passwd\">]><Autodiscover><Request><EMailAddress>&x;</EMailAddress></Request></Autodiscover>");
        assertThat(xxe.statusCode()).isEqualTo(200);
        assertThat(xxe.body()).contains("<ErrorCode>600</ErrorCode>").doesNotContain("root:");
        assertThat(post("/autodiscover/autodiscover.xml", request.replace("example.test", "elsewhere.test")).body())
                .contains("<ErrorCode>600</ErrorCode>");
        assertThat(post("/autodiscover/autodiscover.xml", request.replace("outlook/responseschema/2006a",
                "mobilesync/responseschema/2006")).body()).contains("<ErrorCode>601</ErrorCode>");
        assertThat(get("/autodiscover/autodiscover.xml").statusCode()).isEqualTo(405);
    }

    @Test
    void autodiscoverV2Json() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (String path : List.of("/autodiscover/autodiscover.json?Email=alice@example.test&Protocol=AutodiscoverV1",
                "/autodiscover/autodiscover.json/v1.0/alice@example.test?Protocol=AutodiscoverV1")) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            JsonNode j = json.readTree(r.body());
            assertThat(j.path("Protocol").asText()).isEqualTo("AutodiscoverV1");
            URI url = URI.create(j.path("Url").asText());
            assertThat(url.getScheme()).isEqualTo("https");
            assertThat(url.getPort()).isEqualTo(server.port(Service.HTTPS));
            assertThat(url.getPath()).isEqualTo("/autodiscover/autodiscover.xml");
        }
        HttpResponse<String> ews = get("/autodiscover/autodiscover.json?Email=alice@example.test&Protocol=Ews");
        assertThat(ews.statusCode()).isEqualTo(400);
        assertThat(json.readTree(ews.body()).path("ErrorCode").asText()).isEqualTo("ProtocolNotSupported");
        assertThat(get("/autodiscover/autodiscover.json?Email=bob@elsewhere.test&Protocol=AutodiscoverV1").statusCode()).isEqualTo(404);
    }

    @Test
    void mobileconfigNeedsLoginAndCarriesNoPasswordUnlessAsked() throws Exception {
        HttpResponse<String> anonymous = get("/autoconfig/apple.mobileconfig");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("www-authenticate")).get().asString().startsWith("Basic");
        String wrong = "Basic " + Base64.getEncoder().encodeToString("alice@example.test:nope".getBytes(StandardCharsets.UTF_8));
        assertThat(get("/autoconfig/apple.mobileconfig", "Authorization", wrong).statusCode()).isEqualTo(401);

        String auth = "Basic " + Base64.getEncoder().encodeToString("alice@example.test:alice-password".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = get("/autoconfig/apple.mobileconfig", "Authorization", auth);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).get().asString().startsWith("application/x-apple-aspen-config");
        Document d = xml(r.body());
        assertThat(plistValue(d, "IncomingMailServerPortNumber")).isEqualTo(Integer.toString(server.imapsPort()));
        assertThat(plistValue(d, "OutgoingMailServerPortNumber")).isEqualTo(Integer.toString(server.submissionsPort()));
        assertThat(plistValue(d, "IncomingMailServerUseSSL")).isEqualTo("true");
        assertThat(plistValue(d, "IncomingMailServerHostName")).isEqualTo("localhost");
        assertThat(plistValue(d, "EmailAddress")).isEqualTo("alice@example.test");
        assertThat(plistValue(d, "IncomingPassword")).isNull();
        assertThat(r.body()).doesNotContain("alice-password");

        HttpResponse<String> with = get("/autoconfig/apple.mobileconfig?password=include", "Authorization", auth);
        assertThat(plistValue(xml(with.body()), "IncomingPassword")).isEqualTo("alice-password");
    }

    /** The value element following {@code <key>name</key>} in a property list, or null. */
    static String plistValue(Document d, String key) {
        NodeList keys = d.getElementsByTagName("key");
        for (int i = 0; i < keys.getLength(); i++) {
            if (!keys.item(i).getTextContent().equals(key)) continue;
            org.w3c.dom.Node n = keys.item(i).getNextSibling();
            while (n != null && !(n instanceof Element)) n = n.getNextSibling();
            if (n == null) return null;
            Element v = (Element) n;
            return switch (v.getTagName()) {
                case "true", "false" -> v.getTagName();
                default -> v.getTextContent();
            };
        }
        return null;
    }

    @Test
    void mtaStsPolicyIsServed() throws Exception {
        HttpResponse<String> r = get("/.well-known/mta-sts.txt");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).get().asString().startsWith("text/plain");
        // RFC 8461 §3.2; the test server's certificate is self-signed, so "testing".
        assertThat(r.body()).isEqualTo("version: STSv1\r\nmode: testing\r\nmx: localhost\r\nmax_age: 604800\r\n");
        // Senders ask for it at mta-sts.DOMAIN (§3.3).
        Curl viaName = curl("-H", "Host: mta-sts.example.test", base + "/.well-known/mta-sts.txt");
        assertThat(viaName.out()).isEqualTo(r.body());
    }

    record Curl(int exit, String out) {}

    static Curl curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--cacert", server.certificatePem().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Curl(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void curlFetchesTheDocuments() throws Exception {
        Process p = new ProcessBuilder("curl", "-sS", "--max-time", "20", "--cacert", server.certificatePem().toString(),
                base + "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice@example.test").redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String body = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(body).isZero();
        assertThat(body).contains("<port>" + server.imapsPort() + "</port>");
        Process ad = new ProcessBuilder("curl", "-sS", "--max-time", "20", "--cacert", server.certificatePem().toString(),
                "-H", "Content-Type: text/xml", "--data-binary",
                "<Autodiscover><Request><EMailAddress>alice@example.test</EMailAddress></Request></Autodiscover>",
                base + "/autodiscover/autodiscover.xml").redirectErrorStream(true).start();
        assertThat(ad.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String pox = new String(ad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ad.exitValue()).as(pox).isZero();
        assertThat(pox).contains("<Port>" + server.submissionsPort() + "</Port>");
    }
}
