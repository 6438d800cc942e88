// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.testkit.TestServer;

/**
 * curl as the browser: form login into a cookie jar, a JMAP call with the cookie and the CSRF token,
 * the same call without the token refused, logout, and the jar's cookie dead afterwards.
 */
class CurlLoginIT {
    private static String curl(TestServer server, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "--cacert", server.certificatePem().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(40, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void formLoginCookieJarCsrfAndLogout() throws Exception {
        try (TestServer server = TestServer.start()) {
            server.createUser("carol@example.test", "carol-password");
            String base = "https://localhost:" + server.server().port(Service.HTTPS.key());
            Path jar = Files.createTempFile("jar", ".txt");
            // With the webmail, GET /login sends the browser to its login at "/", and so does a form login;
            // without it (JMAP's bare form), both stay at /login.
            String page = curl(server, "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", base + "/login");
            String home = page.equals("303 " + base + "/") ? base + "/" : base + "/login";
            if (!home.endsWith("/")) assertThat(page).isEqualTo("200 ");
            String login = curl(server, "-c", jar.toString(), "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                    "--data-urlencode", "username=carol@example.test", "--data-urlencode", "password=carol-password", base + "/login");
            assertThat(login).isEqualTo("303 " + home);
            String jarText = Files.readString(jar);
            // Netscape jar format: HttpOnly cookies are prefixed; host-only (no Domain), path /, secure.
            assertThat(jarText).contains("#HttpOnly_localhost").contains("__Host-postern").containsPattern("\\tFALSE\\t/\\tTRUE\\t");

            String session = curl(server, "-b", jar.toString(), "-D", "-", base + "/.well-known/jmap");
            String token = session.lines().filter(l -> l.toLowerCase().startsWith("x-csrf-token:")).findFirst().orElseThrow()
                    .substring("x-csrf-token:".length()).strip();
            String body = "{\"using\":[\"urn:ietf:params:jmap:core\"],\"methodCalls\":[[\"Core/echo\",{\"hi\":1},\"c\"]]}";
            assertThat(curl(server, "-b", jar.toString(), "-o", "/dev/null", "-w", "%{http_code}", "-H", "Content-Type: application/json",
                    "--data", body, base + "/jmap/api/")).isEqualTo("403");
            assertThat(curl(server, "-b", jar.toString(), "-H", "Content-Type: application/json", "-H", "X-CSRF-Token: " + token,
                    "--data", body, base + "/jmap/api/")).contains("\"hi\":1");

            assertThat(curl(server, "-b", jar.toString(), "-c", jar.toString(), "-o", "/dev/null", "-w", "%{http_code}",
                    "-H", "X-CSRF-Token: " + token, "-X", "POST", base + "/logout")).isEqualTo("204");
            // Even with the old value replayed by hand, the session is gone on the server.
            String old = jarText.lines().filter(l -> l.contains("__Host-postern")).findFirst().orElseThrow();
            String value = old.substring(old.lastIndexOf('\t') + 1);
            assertThat(curl(server, "-o", "/dev/null", "-w", "%{http_code}", "-H", "Cookie: __Host-postern=" + value,
                    base + "/.well-known/jmap")).isEqualTo("401");
        }
    }
}
