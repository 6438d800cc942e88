// SPDX-License-Identifier: Apache-2.0
package org.postern.it.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.testkit.TestServer;

/**
 * The two endpoints of the webmail's set-up page: the QR code of the .mobileconfig download (decoded
 * back, then followed like a phone would) and ports.json, compared with the ports really bound.
 */
class AutoconfigQrPortsIT {
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

    static <T> HttpResponse<T> get(String url, HttpResponse.BodyHandler<T> body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), body);
    }

    static String decode(byte[] png) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        int w = img.getWidth();
        int h = img.getHeight();
        int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
        return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(w, h, rgb)))).getText();
    }

    @Test
    void qrCodeOpensTheProfileDownloadOnThisHost() throws Exception {
        HttpResponse<byte[]> r = get(base + "/autoconfig/mobileconfig-qr.png?emailaddress=alice@example.test",
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("image/png");
        String url = decode(r.body());
        int port = server.port(Service.HTTPS);
        assertThat(url).isEqualTo("https://localhost:" + port + "/autoconfig/apple.mobileconfig?emailaddress=alice%40example.test");

        // The phone follows it and logs in; the profile names the real implicit-TLS ports.
        String basic = Base64.getEncoder().encodeToString("alice@example.test:alice-password".getBytes());
        HttpResponse<String> profile = get(url, HttpResponse.BodyHandlers.ofString(), "Authorization", "Basic " + basic);
        assertThat(profile.statusCode()).isEqualTo(200);
        assertThat(profile.body()).contains("<integer>" + server.port(Service.IMAPS) + "</integer>")
                .doesNotContain("alice-password");
    }

    @Test
    void qrCodeOnlyForLocalDomainsAndAddresses() throws Exception {
        for (String q : new String[] {"?emailaddress=bob@elsewhere.example", "?emailaddress=not-an-address", "",
                "?emailaddress=" + "a".repeat(5000) + "@example.test"}) {
            HttpResponse<byte[]> r = get(base + "/autoconfig/mobileconfig-qr.png" + q, HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).as(q).isEqualTo(404);
        }
    }

    @Test
    void portsJsonMatchesTheBoundPortsAndTheirSecurity() throws Exception {
        HttpResponse<String> r = get(base + "/autoconfig/ports.json", HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        JsonNode list = new ObjectMapper().readTree(r.body());
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode n : list) byName.put(n.get("name").asText(), n);
        assertThat(byName).containsOnlyKeys("smtp", "submission", "submissions", "imap", "imaps", "pop3", "pop3s");
        assertThat(list.get(0).get("name").asText()).as("implicit TLS first, RFC 8314 §5.1").isEqualTo("imaps");
        for (Service s : Service.values()) {
            if (s.web()) continue;
            JsonNode n = byName.get(s.key());
            assertThat(n.get("port").asInt()).as(s.key()).isEqualTo(server.port(s));
            assertThat(n.get("security").asText()).as(s.key()).isEqualTo(s.implicitTls() ? "implicit-tls" : "starttls");
            assertThat(n.get("open").asBoolean()).as(s.key()).isTrue();
        }
    }
}
