// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** HOSTILE A41: ALPN (RFC 7301 §3.2) on mail ports, and server names (SNI, RFC 6066 §3) that are odd. */
class TlsAlpnSniTest {
    @TempDir
    static Path dir;
    private static TlsContext tls;

    private static synchronized TlsContext tls() throws Exception {
        if (tls == null) {
            Path cert = dir.resolve("cert.pem"), key = dir.resolve("key.pem");
            SelfSignedCertificate.createIfMissing(cert, key, "mail.example.test");
            tls = TlsContext.fromPem(cert, key);
        }
        return tls;
    }

    private static ConnectionHandler greeter() {
        return c -> {
            c.writeLine("hello " + c.applicationProtocol());
            c.flush();
            c.in().readLine(100);
        };
    }

    /** Handshakes offering {@code alpn} (empty: no ALPN extension) and returns the greeting line. */
    private static String connect(int port, SSLContext client, List<String> alpn) throws IOException {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            SSLParameters p = s.getSSLParameters();
            if (!alpn.isEmpty()) p.setApplicationProtocols(alpn.toArray(String[]::new));
            s.setSSLParameters(p);
            s.startHandshake();
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    @ParameterizedTest(name = "{0} offered {1}")
    @CsvSource(delimiter = ';', value = {
        "imaps; ; hello null",
        "imaps; imap; hello imap",
        "imaps; h2 imap; hello imap",
        "imaps; http/1.1; refused",
        "imaps; h2 http/1.1; refused",
        "imaps; pop3; refused",
        "imaps; IMAP; refused",
        "pop3s; pop3; hello pop3",
        "pop3s; imap; refused",
        "submissions; smtp; hello smtp",
        "submissions; http/1.1; refused",
        "test; http/1.1; hello null",
    })
    void aClientOfferingOnlyOtherProtocolsIsRefused(String listener, String offered, String expected) throws Exception {
        List<String> alpn = offered == null ? List.of() : List.of(offered.split(" "));
        try (Listener l = Listener.start(listener, InetAddress.getLoopbackAddress(), 0, true, tls(), NetLimits.DEFAULT, greeter())) {
            SSLContext client = tls().clientContextTrustingSelf();
            if (expected.equals("refused")) {
                assertThatThrownBy(() -> connect(l.port(), client, alpn))
                        .isInstanceOf(SSLHandshakeException.class)
                        .hasMessageContaining("no_application_protocol");
                // The listener goes on serving the next client.
                assertThat(connect(l.port(), client, List.of())).isEqualTo("hello null");
            } else {
                assertThat(connect(l.port(), client, alpn)).isEqualTo(expected);
            }
        }
    }

    @Test
    void startTlsChecksAlpnToo() throws Exception {
        TlsContext serverTls = tls();
        ConnectionHandler h = c -> {
            c.writeLine("ready");
            c.flush();
            c.in().readLine(100);
            c.startTls(serverTls);
            c.writeLine("secure");
            c.flush();
        };
        try (Listener l = Listener.start("imap", InetAddress.getLoopbackAddress(), 0, false, tls(), NetLimits.DEFAULT, h);
                Socket plain = new Socket("127.0.0.1", l.port())) {
            plain.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("ready");
            plain.getOutputStream().write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
            SSLSocket s = (SSLSocket) tls().clientContextTrustingSelf().getSocketFactory()
                    .createSocket(plain, "localhost", l.port(), true);
            SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"http/1.1"});
            s.setSSLParameters(p);
            assertThatThrownBy(s::startHandshake).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("no_application_protocol");
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"imap, imap", "imaps, imap", "pop3, pop3", "pop3s, pop3", "smtp, smtp", "submission, smtp",
        "submissions, smtp", "https, ''", "test, ''"})
    void listenerNamesMapToRegisteredAlpnIds(String name, String id) {
        assertThat(TlsContext.alpnProtocol(name)).isEqualTo(id.isEmpty() ? null : id);
    }

    /** A real ClientHello (one TLS record) naming {@code sni}, captured from the JDK's client. */
    private static byte[] clientHello(String sni) throws Exception {
        try (ServerSocket catcher = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> client = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) tls().clientContextTrustingSelf().getSocketFactory()
                        .createSocket("127.0.0.1", catcher.getLocalPort())) {
                    SSLParameters p = s.getSSLParameters();
                    p.setServerNames(List.of(new SNIHostName(sni)));
                    s.setSSLParameters(p);
                    s.setSoTimeout(5_000);
                    s.startHandshake();
                } catch (Exception expected) {
                    // the catcher never answers
                }
            });
            try (Socket s = catcher.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] head = in.readNBytes(5);
                int len = ((head[3] & 0xff) << 8) | (head[4] & 0xff);
                byte[] record = Arrays.copyOf(head, 5 + len);
                in.readFully(record, 5, len);
                return record;
            } finally {
                client.get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "NUL bytes; 00000000000000000000000000000000000000",
        "high bytes; ffffffffffffffffffffffffffffffffffffff",
        "UTF-8 letters; c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a961",
        "spaces; 20202020202020202020202020202020202020",
        "empty labels; 2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e",
        "trailing dot; 6161616161616161616161616161616161612e",
        "percent and CRLF; 256e256e0d0a474554202f20485454502f312e",
        "name length past the record; LEN:ffff",
        "name length zero; LEN:0000",
        "list length too short; LIST:0001",
    })
    void oddServerNamesGetAnAnswerAndLeaveTheListenerServing(String what, String mutation) throws Exception {
        String sni = "a".repeat(19);
        byte[] hello = clientHello(sni);
        int at = indexOf(hello, sni.getBytes(StandardCharsets.US_ASCII));
        assertThat(at).isPositive();
        if (mutation.startsWith("LEN:")) {
            byte[] v = java.util.HexFormat.of().parseHex(mutation.substring(4));
            hello[at - 2] = v[0];
            hello[at - 1] = v[1];
        } else if (mutation.startsWith("LIST:")) {
            byte[] v = java.util.HexFormat.of().parseHex(mutation.substring(5));
            hello[at - 5] = v[0];
            hello[at - 4] = v[1];
        } else {
            byte[] name = java.util.HexFormat.of().parseHex(mutation);
            System.arraycopy(name, 0, hello, at, name.length);
        }
        try (Listener l = Listener.start("imaps", InetAddress.getLoopbackAddress(), 0, true, tls(), NetLimits.DEFAULT, greeter())) {
            try (Socket raw = new Socket("127.0.0.1", l.port())) {
                raw.setSoTimeout(10_000);
                OutputStream out = raw.getOutputStream();
                out.write(hello);
                out.flush();
                // An alert, a ServerHello or a closed connection: any answer, but an answer, not a hang.
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                try {
                    int b = raw.getInputStream().read();
                    if (b >= 0) got.write(b);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("no answer to a ClientHello with " + what, e);
                } catch (IOException reset) {
                    // a reset is an answer
                }
                if (got.size() > 0) assertThat(got.toByteArray()[0]).isIn((byte) 21, (byte) 22); // alert, handshake
            }
            assertThat(connect(l.port(), tls().clientContextTrustingSelf(), List.of("imap"))).isEqualTo("hello imap");
        }
    }
}
