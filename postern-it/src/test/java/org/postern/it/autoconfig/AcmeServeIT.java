// SPDX-License-Identifier: Apache-2.0
package org.postern.it.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.server.PosternServer;
import org.postern.server.Startup;
import org.postern.server.config.DataFolder;
import org.postern.testkit.RawClient;
import org.postern.testkit.dns.FakeDns;

/**
 * ACME switched on the way an admin does it, in postern.conf, against Debian's pebble: the server
 * starts with a self-signed placeholder, gets the CA's certificate by itself (http-01 through port
 * 80, or TLS-ALPN-01 on the HTTPS port, RFC 8737) and every listener serves it without a restart.
 */
class AcmeServeIT {
    static final List<String> NAMES = List.of("mail.example.test", "autoconfig.example.test", "mta-sts.example.test");

    @TempDir
    Path tmp;

    @Test
    void http01FromTheConfigFile() throws Exception {
        serveWithAcme("http-01");
    }

    @Test
    void tlsAlpn01FromTheConfigFile() throws Exception {
        X509Certificate issued = serveWithAcme("tls-alpn-01");
        assertThat(issued).isNotNull();
    }

    X509Certificate serveWithAcme(String challenge) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(AcmePebbleIT.PEBBLE), "pebble is not installed (apt-get install pebble)");
        try (FakeDns dns = FakeDns.start()) {
            for (String n : NAMES) dns.a(n, "127.0.0.1");
            KeyPair caKey = AcmePebbleIT.ecKey();
            X509Certificate caCert = AcmePebbleIT.selfSigned(caKey, "localhost", Instant.now().minus(Duration.ofDays(1)),
                    Instant.now().plus(Duration.ofDays(30)));
            Path caPem = AcmePebbleIT.pem(tmp.resolve("pebble-cert.pem"), caCert);
            Path caKeyPem = AcmePebbleIT.pem(tmp.resolve("pebble-key.pem"), new JcaPKCS8Generator(caKey.getPrivate(), null).generate());
            int api = AcmePebbleIT.freePort();
            int http = AcmePebbleIT.freePort();
            int https = AcmePebbleIT.freePort();
            Path pebbleConfig = tmp.resolve("pebble.json");
            Files.writeString(pebbleConfig, """
                    {"pebble": {"listenAddress": "127.0.0.1:%d", "managementListenAddress": "127.0.0.1:%d",
                      "certificate": "%s", "privateKey": "%s", "httpPort": %d, "tlsPort": %d,
                      "ocspResponderURL": "", "externalAccountBindingRequired": false}}
                    """.formatted(api, AcmePebbleIT.freePort(), caPem, caKeyPem, http, https));
            ProcessBuilder pb = new ProcessBuilder(AcmePebbleIT.PEBBLE.toString(), "-config", pebbleConfig.toString(), "-dnsserver",
                    "127.0.0.1:" + dns.port()).redirectErrorStream(true).redirectOutput(tmp.resolve("pebble.log").toFile());
            pb.environment().put("PEBBLE_VA_NOSLEEP", "1");
            pb.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
            Process pebble = pb.start();
            try {
                AcmePebbleIT.awaitListening(api, pebble);
                Path data = Files.createDirectories(tmp.resolve("data"));
                Files.copy(caPem, data.resolve("pebble-ca.pem"));
                Files.writeString(data.resolve("postern.conf"), """
                        config_version = 1
                        hostname = mail.example.test
                        listen_address = 127.0.0.1
                        port_offset = 0
                        smtp_port = 0
                        submission_port = 0
                        submissions_port = 0
                        imap_port = 0
                        imaps_port = 0
                        pop3_port = 0
                        pop3s_port = 0
                        https_port = %d
                        http_port = %d
                        acme = on
                        acme_directory = https://127.0.0.1:%d/dir
                        acme_email = postmaster@example.test
                        acme_challenge = %s
                        acme_names = %s
                        acme_trust_file = pebble-ca.pem
                        dev.argon2 = test
                        """.formatted(https, http, api, challenge, String.join(", ", NAMES)));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (PosternServer server = Startup.start(new DataFolder(data), OptionalInt.empty(),
                        new PrintStream(out, true, StandardCharsets.UTF_8))) {
                    assertThat(out.toString(StandardCharsets.UTF_8)).contains("TLS: certificates from https://127.0.0.1:" + api);
                    // A session opened on the placeholder certificate, to outlive the switch.
                    RawClient early = RawClient.connect("127.0.0.1", server.port("imaps"), trustAll());
                    early.expect("* OK");
                    X509Certificate served = AcmePebbleIT.awaitServedCertificate(server.port("imaps"), Duration.ofSeconds(60), pebble);
                    assertThat(served.getIssuerX500Principal().getName()).containsIgnoringCase("pebble");
                    assertThat(served.getSubjectAlternativeNames().stream().map(l -> String.valueOf(l.get(1))).toList())
                            .containsAll(NAMES);
                    assertThat(AcmePebbleIT.awaitServedCertificate(server.port("https"), Duration.ofSeconds(10), pebble))
                            .isEqualTo(served);
                    assertThat(AcmePebbleIT.awaitServedCertificate(server.port("submissions"), Duration.ofSeconds(10), pebble))
                            .isEqualTo(served);
                    assertThat(Files.readString(data.resolve("acme").resolve("cert.pem"))).startsWith("-----BEGIN CERTIFICATE-----");
                    early.send("a NOOP");
                    early.expect("a OK");
                    early.close();
                    assertThat(server.acmeRenewal()).hasValueSatisfying(r -> assertThat(r.attempts()).isEqualTo(1));
                    assertThat(server.certificateWatch().status().warning()).isEmpty();
                    // RFC 8737 §3: outside a challenge, acme-tls/1 gets no certificate at all.
                    assertThatThrownBy(() -> acmeTlsHandshake(server.port("https"), "autoconfig.example.test"))
                            .isInstanceOf(java.io.IOException.class);
                    return served;
                }
            } finally {
                pebble.destroy();
                pebble.waitFor();
            }
        }
    }

    static SSLContext trustAll() throws Exception {
        SSLContext any = SSLContext.getInstance("TLS");
        any.init(null, new TrustManager[] {new X509TrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        return any;
    }

    static void acmeTlsHandshake(int port, String name) throws Exception {
        try (SSLSocket s = (SSLSocket) trustAll().getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(name)));
            p.setApplicationProtocols(new String[] {"acme-tls/1"});
            s.setSSLParameters(p);
            s.startHandshake();
        }
    }
}
