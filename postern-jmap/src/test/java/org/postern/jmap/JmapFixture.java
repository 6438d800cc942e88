// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.postern.auth.AuthThrottle;
import org.postern.auth.Authenticator;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;
import org.postern.http.HttpConfig;
import org.postern.http.HttpServer;
import org.postern.jmap.proto.JmapLimits;
import org.postern.net.SelfSignedCertificate;
import org.postern.net.TlsContext;
import org.postern.store.MailStore;
import org.postern.store.sqlite.SqliteMailStore;

/** A store, the HTTPS server and JMAP on loopback, for protocol tests. */
final class JmapFixture implements AutoCloseable {
    final MailStore store;
    final HttpServer http;
    final TlsContext tls;
    final JmapHandler jmap;

    JmapFixture(Path dir, JmapLimits limits) throws Exception {
        this(dir, limits, AuthThrottle.Policy.RELAXED, Uploads.Quota.DEFAULT);
    }

    JmapFixture(Path dir, JmapLimits limits, AuthThrottle.Policy throttle, Uploads.Quota quota) throws Exception {
        store = SqliteMailStore.open(dir.resolve("data"));
        store.directory().addDomain("example.test");
        SelfSignedCertificate.createIfMissing(dir.resolve("c.pem"), dir.resolve("k.pem"), "localhost");
        tls = TlsContext.fromPem(dir.resolve("c.pem"), dir.resolve("k.pem"));
        Authenticator auth = new Authenticator(store.directory(), new AuthThrottle(throttle, Clock.systemUTC()),
                PasswordHasher.Cost.TEST, Clock.systemUTC());
        jmap = new JmapHandler(store, auth, limits, "localhost",
                new org.postern.http.WebSessions(org.postern.http.WebSessions.Config.DEFAULT, Clock.systemUTC()), quota)
                .hashingWith(PasswordHasher.Cost.TEST);
        http = HttpServer.start(new HttpConfig(InetAddress.getLoopbackAddress(), 0, -1, 60_000_000, 16 * 1024,
                Duration.ofSeconds(30), Duration.ofDays(1)), tls, "localhost", jmap::register);
    }

    void user(String address, String password) {
        store.directory().createAccount(address, new Passwords(PasswordHasher.Cost.TEST).record(password), false);
    }

    String base() {
        return "https://localhost:" + http.httpsPort();
    }

    JmapClient client(String user, String password) throws Exception {
        return new JmapClient("https://localhost:" + http.httpsPort(), tls.clientContextTrustingSelf(), user, password);
    }

    @Override
    public void close() {
        jmap.shutdown();
        http.close();
        store.close();
    }
}
