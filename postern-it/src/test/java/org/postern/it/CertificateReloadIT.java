// SPDX-License-Identifier: Apache-2.0
package org.postern.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.postern.net.SelfSignedCertificate;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * A renewed certificate (new PEM files in place) is served by every implicit-TLS port without a
 * restart, and a session opened before the renewal goes on undisturbed.
 */
class CertificateReloadIT {

    /** Accepts any certificate: this test looks at which one is served, not whether it is trusted. */
    private static SSLContext lookingOnly() throws Exception {
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, new TrustManager[] {new X509TrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        return c;
    }

    private static String servedSubject(int port) throws Exception {
        try (SSLSocket s = (SSLSocket) lookingOnly().getSocketFactory().createSocket("127.0.0.1", port)) {
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    @Test
    void renewedPemFilesAreServedWithoutRestart() throws Exception {
        try (TestServer server = TestServer.start()) {
            server.createUser("erin@example.test", "erin-password");
            int[] ports = {server.imapsPort(), server.pop3sPort(), server.submissionsPort()};
            for (int p : ports) assertThat(servedSubject(p)).doesNotContain("renewed.example.test");

            RawClient before = RawClient.connect(TestServer.HOST, server.imapsPort(), server.sslContext());
            before.expect("* OK");
            before.send("a LOGIN erin@example.test erin-password");
            before.expect("a OK");

            Path cert = server.server().settings().tlsCert();
            Path key = server.server().settings().tlsKey();
            Path dir = Files.createTempDirectory("renewed");
            SelfSignedCertificate.createIfMissing(dir.resolve("cert.pem"), dir.resolve("key.pem"), "renewed.example.test");
            Files.copy(dir.resolve("key.pem"), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(dir.resolve("cert.pem"), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            FileTime later = FileTime.from(Instant.now().plusSeconds(10));
            Files.setLastModifiedTime(cert, later);
            Files.setLastModifiedTime(key, later);

            for (int p : ports) {
                Instant deadline = Instant.now().plusSeconds(10);
                String subject = servedSubject(p);
                while (!subject.contains("renewed.example.test") && Instant.now().isBefore(deadline)) {
                    Thread.sleep(100);
                    subject = servedSubject(p);
                }
                assertThat(subject).as("port %d serves the renewed certificate", p).contains("renewed.example.test");
            }

            before.send("b NOOP");
            before.expect("b OK");
            before.close();
        }
    }
}
