// SPDX-License-Identifier: Apache-2.0
package org.postern.it.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.testkit.TestServer;

/**
 * The Apple profile for a user logged in to the webmail: the browser's session is enough (no second
 * password prompt), and the QR code carries a short-lived signed link a phone without a session
 * opens as is; the link is bound to its address and carries no password.
 */
class AutoconfigSessionIT {
    static TestServer server;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        server.createUser("alice@example.test", "alice-password");
        server.createUser("bob@example.test", "bob-password");
        base = "https://localhost:" + server.port(Service.HTTPS);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpClient client(boolean cookies) {
        HttpClient.Builder b = HttpClient.newBuilder().sslContext(server.sslContext()).connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (cookies) b.cookieHandler(new CookieManager());
        return b.build();
    }

    static HttpClient loggedIn(String user, String password) throws Exception {
        HttpClient c = client(true);
        String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8);
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("login of " + user + ": " + r.body()).isEqualTo(303);
        return c;
    }

    static <T> HttpResponse<T> get(HttpClient c, String url, HttpResponse.BodyHandler<T> body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return c.send(b.build(), body);
    }

    static String decode(byte[] png) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        int w = img.getWidth();
        int h = img.getHeight();
        int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
        // PURE_BARCODE: the image is the symbol itself, unrotated, with its quiet zone. ZXing's camera-oriented
        // finder-pattern search misplaces about 2% of such pixel-perfect symbols (ChecksumException), which
        // zbarimg reads fine; the test is about the content, not ZXing's detector.
        return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(w, h, rgb))),
                Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE)).getText();
    }

    @Test
    void theWebmailSessionDownloadsTheProfileWithoutAskingAgain() throws Exception {
        HttpClient alice = loggedIn("alice@example.test", "alice-password");
        HttpResponse<String> r = get(alice, base + "/autoconfig/apple.mobileconfig?emailaddress=alice%40example.test&password=include",
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("www-authenticate")).isEmpty();
        assertThat(r.body()).contains("<string>alice@example.test</string>", "<integer>" + server.port(Service.IMAPS) + "</integer>")
                // The session knows no password, so none is put in, even when asked.
                .doesNotContain("alice-password").doesNotContain("<key>IncomingPassword</key>");
        // Without a session or credentials: still the Basic prompt.
        HttpResponse<String> anonymous = get(client(false), base + "/autoconfig/apple.mobileconfig", HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
    }

    @Test
    void theQrCodeOfALoggedInUserIsASignedLinkAPhoneOpensWithoutPassword() throws Exception {
        HttpClient alice = loggedIn("alice@example.test", "alice-password");
        HttpResponse<byte[]> png = get(alice, base + "/autoconfig/mobileconfig-qr.png?emailaddress=alice%40example.test",
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(png.statusCode()).isEqualTo(200);
        String url = decode(png.body());
        assertThat(url).startsWith("https://localhost:" + server.port(Service.HTTPS)
                + "/autoconfig/apple.mobileconfig?emailaddress=alice%40example.test&expires=").contains("&sig=")
                .doesNotContain("alice-password");
        long expires = Long.parseLong(url.replaceAll(".*&expires=(\\d+)&.*", "$1"));
        long now = System.currentTimeMillis() / 1000;
        assertThat(expires - now).isBetween(14 * 60L, 15 * 60L + 5);

        // The phone: no cookie, no password.
        HttpClient phone = client(false);
        HttpResponse<String> profile = get(phone, url, HttpResponse.BodyHandlers.ofString());
        assertThat(profile.statusCode()).as(profile.body()).isEqualTo(200);
        assertThat(profile.body()).contains("<string>alice@example.test</string>").doesNotContain("alice-password");
        assertThat(get(phone, url + "&password=include", HttpResponse.BodyHandlers.ofString()).body())
                .doesNotContain("<key>IncomingPassword</key>");

        // The link is bound to its address and its expiry; a changed one asks for the password.
        String forBob = url.replace("alice%40example.test", "bob%40example.test");
        HttpResponse<String> stolen = get(phone, forBob, HttpResponse.BodyHandlers.ofString());
        assertThat(stolen.statusCode()).isEqualTo(401);
        assertThat(stolen.body()).contains("expired").doesNotContain("bob@example.test");
        String later = url.replace("&expires=" + expires, "&expires=" + (expires + 3600));
        assertThat(get(phone, later, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        String bent = url.substring(0, url.length() - 2) + (url.endsWith("AA") ? "BB" : "AA");
        assertThat(get(phone, bent, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    }

    @Test
    void aSessionGetsNoSignedLinkForSomeoneElse() throws Exception {
        HttpClient alice = loggedIn("alice@example.test", "alice-password");
        String url = decode(get(alice, base + "/autoconfig/mobileconfig-qr.png?emailaddress=bob%40example.test",
                HttpResponse.BodyHandlers.ofByteArray()).body());
        assertThat(url).endsWith("/autoconfig/apple.mobileconfig?emailaddress=bob%40example.test");
        // Bob's profile with Basic still works for Bob, and Alice's session does not override his credentials.
        String basic = "Basic " + Base64.getEncoder().encodeToString("bob@example.test:bob-password".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> bob = get(alice, url, HttpResponse.BodyHandlers.ofString(), "Authorization", basic);
        assertThat(bob.statusCode()).isEqualTo(200);
        assertThat(bob.body()).contains("<string>bob@example.test</string>");
    }
}
