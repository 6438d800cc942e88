// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RFC 8737 §3: the validation certificate goes only to "acme-tls/1" handshakes for the name in SNI. */
class AcmeTlsAlpnTest {
    @TempDir
    Path dir;

    static SSLContext trustAll() throws Exception {
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, new TrustManager[] {new X509TrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        return c;
    }

    /** One handshake against a server socket of {@code tls} that accepts acme-tls/1 and h2; returns the served leaf. */
    static X509Certificate handshake(TlsContext tls, String sni, List<String> alpn) throws Exception {
        try (SSLServerSocket server = (SSLServerSocket) tls.sslContext().getServerSocketFactory().createServerSocket(0, 5,
                InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> accepted = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.setHandshakeApplicationProtocolSelector((sock, offered) ->
                            offered.contains(TlsContext.ACME_TLS_1) ? TlsContext.ACME_TLS_1 : offered.contains("h2") ? "h2" : null);
                    s.startHandshake();
                } catch (IOException e) {
                    // the client sees the failure
                }
            });
            try (SSLSocket c = (SSLSocket) trustAll().getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                c.setSoTimeout(10_000);
                SSLParameters p = c.getSSLParameters();
                p.setProtocols(new String[] {"TLSv1.3"});
                if (sni != null) p.setServerNames(List.of(new SNIHostName(sni)));
                p.setApplicationProtocols(alpn.toArray(String[]::new));
                c.setSSLParameters(p);
                c.startHandshake();
                return (X509Certificate) c.getSession().getPeerCertificates()[0];
            } finally {
                accepted.join();
            }
        }
    }

    @Test
    void validationCertificateOnlyForAcmeTlsAndTheOpenName() throws Exception {
        Path cert = dir.resolve("cert.pem"), key = dir.resolve("key.pem");
        SelfSignedCertificate.createIfMissing(cert, key, "mail.example.test");
        TlsContext tls = TlsContext.fromPem(cert, key);
        Path vc = dir.resolve("v-cert.pem"), vk = dir.resolve("v-key.pem");
        SelfSignedCertificate.createIfMissing(vc, vk, "autoconfig.example.test");
        TlsContext other = TlsContext.fromPem(vc, vk);
        X509Certificate validation = other.certificate();
        PrivateKey validationKey = ReloadingKeyManager.load(vc, vk).key();

        assertThatThrownBy(() -> handshake(tls, "autoconfig.example.test", List.of(TlsContext.ACME_TLS_1)))
                .as("no challenge open: no certificate").isInstanceOf(IOException.class);

        tls.putAcmeChallenge("AutoConfig.example.test", validationKey, validation);
        assertThat(handshake(tls, "autoconfig.example.test", List.of(TlsContext.ACME_TLS_1))).isEqualTo(validation);
        assertThat(handshake(tls, "autoconfig.example.test", List.of("h2"))).as("ordinary clients").isEqualTo(tls.certificate());
        assertThat(handshake(tls, "autoconfig.example.test", List.of())).isEqualTo(tls.certificate());
        assertThatThrownBy(() -> handshake(tls, "mail.example.test", List.of(TlsContext.ACME_TLS_1))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> handshake(tls, null, List.of(TlsContext.ACME_TLS_1))).isInstanceOf(IOException.class);

        tls.removeAcmeChallenge("autoconfig.example.test");
        assertThatThrownBy(() -> handshake(tls, "autoconfig.example.test", List.of(TlsContext.ACME_TLS_1))).isInstanceOf(IOException.class);
    }
}
