// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.testkit.ForkedServer;

/** A browser session is kept in the store: it outlives the server process. */
class SessionRestartIT {
    @Test
    void aSessionSurvivesARestartAndALogoutSurvivesItToo() throws Exception {
        try (ForkedServer server = ForkedServer.start()) {
            server.createUser("dora@example.test", "dora-password");
            int https = server.port(Service.HTTPS);
            HttpClient http = WebLogin.client(server.sslContext());
            WebLogin kept = WebLogin.of(http, https, "dora@example.test", "dora-password");
            WebLogin ended = WebLogin.of(http, https, "dora@example.test", "dora-password");
            assertThat(kept.session(http, https)).isEqualTo(200);
            assertThat(ended.logout(http, https)).isEqualTo(204);

            server.stop(); // SIGTERM: the exit status is the JVM's 143
            server.restart();
            http = WebLogin.client(server.sslContext());
            assertThat(kept.session(http, https)).as("the session after the restart").isEqualTo(200);
            assertThat(ended.session(http, https)).as("the logged-out session after the restart").isEqualTo(401);
            assertThat(kept.logout(http, https)).isEqualTo(204);
            assertThat(kept.session(http, https)).isEqualTo(401);
        }
    }
}
