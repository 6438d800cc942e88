// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsListenerTest {
    @TempDir
    Path dir;

    /** Echoes lines; "STARTTLS" switches to TLS like the mail protocols do. */
    private static ConnectionHandler echo(TlsContext tls) {
        return c -> {
            c.writeLine("hello " + (c.isSecure() ? "tls" : "plain"));
            c.flush();
            byte[] l;
            while ((l = c.in().readLine(1000)) != null) {
                String s = new String(l, StandardCharsets.US_ASCII);
                if (s.equals("STARTTLS")) {
                    c.writeLine("go");
                    c.startTls(tls);
                    continue;
                }
                c.writeLine("echo " + s);
                c.flush();
            }
        };
    }

    private TlsContext tls() throws Exception {
        Path cert = dir.resolve("cert.pem"), key = dir.resolve("key.pem");
        SelfSignedCertificate.createIfMissing(cert, key, "mail.example.test");
        return TlsContext.fromPem(cert, key);
    }

    @Test
    void implicitTlsServesOnlyTls12And13() throws Exception {
        TlsContext tls = tls();
        try (Listener l = Listener.start("test", InetAddress.getLoopbackAddress(), 0, true, tls, NetLimits.DEFAULT, echo(tls))) {
            SSLContext client = tls.clientContextTrustingSelf();
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", l.port())) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(in.readLine()).isEqualTo("hello tls");
                assertThat(s.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
            }
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", l.port())) {
                SSLParameters p = s.getSSLParameters();
                p.setProtocols(new String[] {"TLSv1.1"});
                s.setSSLParameters(p);
                assertThatThrownBy(s::startHandshake).isInstanceOf(javax.net.ssl.SSLException.class);
            }
        }
    }

    @Test
    void startTlsDropsPipelinedPlaintext() throws Exception {
        TlsContext tls = tls();
        try (Listener l = Listener.start("test", InetAddress.getLoopbackAddress(), 0, false, tls, NetLimits.DEFAULT, echo(tls));
                Socket plain = new Socket("127.0.0.1", l.port())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("hello plain");
            OutputStream out = plain.getOutputStream();
            out.write("STARTTLS\r\nINJECTED\r\n".getBytes(StandardCharsets.US_ASCII)); // one segment
            out.flush();
            assertThat(in.readLine()).isEqualTo("go");
            SSLSocket s = (SSLSocket) tls.clientContextTrustingSelf().getSocketFactory().createSocket(plain, "localhost", l.port(), true);
            s.startHandshake();
            s.getOutputStream().write("AFTER\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            BufferedReader tin = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(tin.readLine()).isEqualTo("echo AFTER"); // never "echo INJECTED"
            s.close();
        }
    }

    @Test
    void certificateFilesAreReloadedWithoutRestart() throws Exception {
        TlsContext tls = tls();
        X509Certificate before = tls.certificate();
        Path cert = dir.resolve("cert.pem"), key = dir.resolve("key.pem");
        Files.delete(cert);
        Files.delete(key);
        SelfSignedCertificate.createIfMissing(cert, key, "renewed.example.test");
        FileTime later = FileTime.from(Instant.now().plusSeconds(5));
        Files.setLastModifiedTime(cert, later);
        Files.setLastModifiedTime(key, later);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
        X509Certificate after = tls.certificate();
        while (after.equals(before) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            after = tls.certificate();
        }
        assertThat(after.getSubjectX500Principal().getName()).contains("renewed.example.test");
    }

    @Test
    void portInUseNamesThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> Listener.start("imap", InetAddress.getLoopbackAddress(), taken.getLocalPort(), false, null,
                    NetLimits.DEFAULT, c -> {}))
                    .isInstanceOf(PortInUseException.class)
                    .hasMessageContaining("port " + taken.getLocalPort())
                    .hasMessageContaining("imap");
        }
    }

    @Test
    void perAddressLimitRefusesExtraConnections() throws Exception {
        NetLimits limits = new NetLimits(100, 1, Duration.ofSeconds(5), Duration.ofSeconds(5));
        ConnectionHandler h = new ConnectionHandler() {
            @Override
            public void handle(Connection c) throws java.io.IOException {
                c.writeLine("welcome");
                c.flush();
                c.in().readLine(100);
            }

            @Override
            public void refuse(Connection c, String reason) throws java.io.IOException {
                c.writeLine("refused " + reason);
            }
        };
        try (Listener l = Listener.start("t", InetAddress.getLoopbackAddress(), 0, false, null, limits, h);
                Socket a = new Socket("127.0.0.1", l.port())) {
            BufferedReader ina = new BufferedReader(new InputStreamReader(a.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(ina.readLine()).isEqualTo("welcome");
            try (Socket b = new Socket("127.0.0.1", l.port())) {
                BufferedReader inb = new BufferedReader(new InputStreamReader(b.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(inb.readLine()).startsWith("refused too many connections");
            }
        }
    }

    @Test
    void handshakeFailureDoesNotAffectTheListener() throws Exception {
        TlsContext tls = tls();
        try (Listener l = Listener.start("t", InetAddress.getLoopbackAddress(), 0, true, tls, NetLimits.DEFAULT, echo(tls))) {
            try (Socket junk = new Socket("127.0.0.1", l.port())) {
                junk.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                junk.getOutputStream().flush();
                assertThat(junk.getInputStream().read(new byte[100])).isNotZero();
            } catch (java.io.IOException expected) {
                // reset by peer is fine too
            }
            try (SSLSocket s = (SSLSocket) tls.clientContextTrustingSelf().getSocketFactory().createSocket("127.0.0.1", l.port())) {
                assertThat(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine())
                        .isEqualTo("hello tls");
            } catch (SSLHandshakeException e) {
                throw new AssertionError("listener broken after a bad handshake", e);
            }
        }
    }
}
