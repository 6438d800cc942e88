// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.AuthThrottle;
import org.postern.auth.Authenticator;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.net.Listener;
import org.postern.net.NetLimits;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.store.sqlite.SqliteMailStore;

/**
 * A measuring harness, not a check: skipped unless {@code -Dpostern.footprint=N}. Opens N loopback
 * sessions on one account whose INBOX holds 300 messages (under the SQLite index cache's threshold, so
 * every SELECT loads its own index, as with N users), logs them in, then SELECTs and IDLEs each, and
 * prints the live heap per session after GC for both steps plus the largest classes of the heap
 * ({@code -Dpostern.footprint.notify=true}: NOTIFY SET before IDLE).
 * Client sockets are in the same JVM, so the figures include them; the SELECT+IDLE step is server only.
 *
 * <pre>mvn -o -q -pl postern-imap test -Dtest=IdleFootprintTest -Dpostern.footprint=300</pre>
 */
@EnabledIfSystemProperty(named = "postern.footprint", matches = "\\d+")
class IdleFootprintTest {
    private static final String USER = "alice@example.org";

    @Test
    void liveHeapPerIdlingSession(@TempDir Path dir) throws Exception {
        int n = Integer.getInteger("postern.footprint");
        boolean notify = Boolean.getBoolean("postern.footprint.notify");
        try (SqliteMailStore store = SqliteMailStore.open(dir.resolve("data"))) {
            store.directory().addDomain("example.org");
            long account = store.directory().createAccount(USER, new Passwords(PasswordHasher.Cost.TEST).record("secret"),
                    false).id();
            long inbox = store.mailboxes().find(account, Mailbox.INBOX).orElseThrow().id();
            for (int i = 0; i < 300; i++) {
                byte[] m = ("Subject: message " + i + "\r\n\r\nbody " + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
                String id;
                try (BlobStore.BlobWriter w = store.blobs().create()) {
                    OutputStream out = w.stream();
                    out.write(m);
                    id = w.commit();
                }
                store.mailboxes().append(account, inbox, id, m.length, i % 3 == 0 ? Set.of("\\Seen") : Set.of(), Instant.now());
            }
            SaslMechanisms sasl = new SaslMechanisms(new Authenticator(store.directory(),
                    new AuthThrottle(AuthThrottle.Policy.RELAXED, Clock.systemUTC()), PasswordHasher.Cost.TEST, Clock.systemUTC()));
            NetLimits limits = new NetLimits(n + 10, n + 10, Duration.ofSeconds(30), Duration.ofMinutes(30));
            try (Listener l = Listener.start("imap", InetAddress.getLoopbackAddress(), 0, false, null, limits,
                    new ImapServer(ImapConfig.defaults("localhost", false).withAllowPlaintextAuth(true), store, sasl, null))) {
                List<ImapClient> clients = new ArrayList<>();
                long empty = liveHeap();
                for (int i = 0; i < n; i++) {
                    ImapClient c = new ImapClient(l.port());
                    c.line();
                    assertThat(c.cmd("l", "LOGIN " + USER + " secret").getLast()).startsWith("l OK");
                    clients.add(c);
                }
                long loggedIn = liveHeap();
                for (ImapClient c : clients) {
                    assertThat(c.cmd("s", "SELECT INBOX").getLast()).startsWith("s OK");
                    if (notify) {
                        assertThat(c.cmd("n", "NOTIFY SET (SELECTED (MessageNew MessageExpunge FlagChange))"
                                + " (personal (MailboxName))").getLast()).startsWith("n OK");
                    }
                    c.send("i IDLE");
                    assertThat(c.line()).isEqualTo("+ idling");
                }
                Thread.sleep(1000);
                long idling = liveHeap();
                System.out.printf("footprint: %d sessions%s; logged in %.1f KiB/session (with client side);"
                        + " SELECT 300 + IDLE adds %.1f KiB/session; total %.1f KiB/session%n", n, notify ? " with NOTIFY" : "",
                        (loggedIn - empty) / 1024.0 / n, (idling - loggedIn) / 1024.0 / n, (idling - empty) / 1024.0 / n);
                String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                        new Object[] {new String[0]}, new String[] {String[].class.getName()});
                histogram.lines().limit(25).forEach(line -> System.out.println("footprint: " + line));
                for (ImapClient c : clients) c.close();
            }
        }
    }

    private static long liveHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
