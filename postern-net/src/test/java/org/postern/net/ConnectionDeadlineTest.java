// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A peer that stops reading must not hold a server thread (HOSTILE A45 slow reader, A47 output
 * amplification): writes fail after the write timeout, and close() returns promptly even while the
 * connection's own thread is stuck in a write.
 */
class ConnectionDeadlineTest {
    @TempDir
    Path dir;

    private TlsContext tls() throws Exception {
        Path cert = dir.resolve("cert.pem"), key = dir.resolve("key.pem");
        SelfSignedCertificate.createIfMissing(cert, key, "mail.example.test");
        return TlsContext.fromPem(cert, key);
    }

    /** Writes until a write fails; reports the failure, the connection and how far it got. */
    private static final class Flood implements ConnectionHandler {
        final CompletableFuture<IOException> failed = new CompletableFuture<>();
        final AtomicReference<Connection> connection = new AtomicReference<>();
        final AtomicLong written = new AtomicLong();

        @Override
        public void handle(Connection c) {
            connection.set(c);
            byte[] chunk = new byte[64 * 1024];
            try {
                while (true) {
                    c.out().write(chunk);
                    c.flush();
                    written.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                failed.complete(e);
            }
        }
    }

    /** A client that connects (and handshakes) and then never reads. */
    private static Socket nonReader(int port, TlsContext tls) throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", port));
        if (tls == null) return s;
        SSLSocket ssl = (SSLSocket) tls.clientContextTrustingSelf().getSocketFactory().createSocket(s, "localhost", port, true);
        ssl.startHandshake();
        return ssl;
    }

    /** Waits until the writer has made no progress for a while: it is blocked on the full socket. */
    private static void awaitStuck(Flood f) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long last = -1;
        while (System.nanoTime() < deadline && !f.failed.isDone()) {
            long now = f.written.get();
            if (now == last && now > 0) return;
            last = now;
            Thread.sleep(300);
        }
        throw new AssertionError("the writer never blocked (written " + f.written.get() + ", failed " + f.failed.isDone() + ")");
    }

    @ParameterizedTest(name = "tls {0}")
    @ValueSource(booleans = {false, true})
    void aWriteToAPeerThatStoppedReadingFailsAfterTheWriteTimeout(boolean useTls) throws Exception {
        TlsContext tls = useTls ? tls() : null;
        NetLimits limits = new NetLimits(100, 50, Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMillis(500));
        Flood flood = new Flood();
        try (Listener l = Listener.start("t", InetAddress.getLoopbackAddress(), 0, useTls, tls, limits, flood);
                Socket client = nonReader(l.port(), tls)) {
            IOException e = flood.failed.get(20, TimeUnit.SECONDS);
            assertThat(e).isNotNull();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (l.openConnections() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(l.openConnections()).isZero();
        }
    }

    @ParameterizedTest(name = "tls {0}")
    @ValueSource(booleans = {false, true})
    void closeFromAnotherThreadReturnsWhileTheOwnerIsStuckInAWrite(boolean useTls) throws Exception {
        TlsContext tls = useTls ? tls() : null;
        // The default write timeout (minutes): only close() can end this write.
        Flood flood = new Flood();
        try (Listener l = Listener.start("t", InetAddress.getLoopbackAddress(), 0, useTls, tls, NetLimits.DEFAULT, flood);
                Socket client = nonReader(l.port(), tls)) {
            awaitStuck(flood);
            long t0 = System.nanoTime();
            CompletableFuture.runAsync(() -> flood.connection.get().close()).get(10, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Connection.CLOSE_LINGER.plusSeconds(1));
            assertThat(flood.failed.get(10, TimeUnit.SECONDS)).isNotNull();
        }
    }

    @Test
    void closingTwiceAndFromTwoThreadsIsHarmless() throws Exception {
        Flood flood = new Flood();
        try (Listener l = Listener.start("t", InetAddress.getLoopbackAddress(), 0, false, null, NetLimits.DEFAULT, flood);
                Socket client = nonReader(l.port(), null)) {
            awaitStuck(flood);
            Connection c = flood.connection.get();
            CompletableFuture<Void> a = CompletableFuture.runAsync(c::close);
            CompletableFuture<Void> b = CompletableFuture.runAsync(c::close);
            CompletableFuture.allOf(a, b).get(10, TimeUnit.SECONDS);
            c.close();
            assertThat(c.isClosed()).isTrue();
            assertThat(flood.failed.get(10, TimeUnit.SECONDS)).isNotNull();
        }
    }
}
