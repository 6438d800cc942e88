// SPDX-License-Identifier: Apache-2.0
package org.postern.it.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.Account;
import org.postern.store.MailStore;
import org.postern.testkit.ForkedServer;
import org.postern.testkit.RawClient;

/**
 * {@code warmup = on} in a real {@code postern serve} process: the warm-up runs to its end, real sessions are
 * answered while it runs, and the real data folder is untouched (same files, same accounts and domains, the
 * real Inbox still empty); its throwaway folder is gone afterwards.
 */
class WarmupIT {
    private static final Duration WARMUP_DEADLINE = Duration.ofMinutes(4);

    @Test
    void warmsUpOnAThrowawayStoreWhileServingRealSessions(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        try (ForkedServer server = ForkedServer.start(data, null, c -> c.withWarmup(true),
                // A small mailbox and two rounds: the whole path in seconds, still long enough to talk to the server meanwhile.
                List.of("-Dpostern.warmup.messages=400", "-Dpostern.warmup.rounds=2"))) {
            Path base = Files.isDirectory(Path.of("/dev/shm")) && Files.isWritable(Path.of("/dev/shm")) ? Path.of("/dev/shm")
                    : Path.of(System.getProperty("java.io.tmpdir"));
            String prefix = "postern-warmup-" + server.pid() + "-";
            await(() -> server.output().contains("warm-up: exercising") || server.output().contains("warm-up: failed"),
                    Duration.ofSeconds(60), server);
            String started = server.output();
            assertThat(started).doesNotContain("warm-up: failed");
            Path throwaway = Path.of(started.replaceAll("(?s).*warm-up: exercising .*? in (\\S+) .*", "$1"));
            assertThat(throwaway.getFileName().toString()).startsWith(prefix);
            assertThat(throwaway.getParent()).isEqualTo(base);
            assertThat(throwaway.startsWith(data)).isFalse();

            List<String> filesBefore = files(data);
            server.createUser("real@example.test", "real-password");
            List<String> accountsBefore = accounts(server);

            // A real session while the throwaway server is up: answered at once, not after the warm-up.
            long t0 = System.nanoTime();
            try (RawClient imap = RawClient.connect(server.host(), server.imapsPort(), server.sslContext())) {
                imap.timeout(Duration.ofSeconds(20));
                imap.expect("* OK");
                imap.send("a LOGIN real@example.test real-password").expect("a OK");
                imap.send("b SELECT INBOX").readUntil("b OK");
                imap.send("c LOGOUT").readUntil("c OK");
                assertThat(String.join("\n", imap.transcript())).contains("* 0 EXISTS");
            }
            try (RawClient smtp = RawClient.connect(server.host(), server.smtpPort())) {
                smtp.timeout(Duration.ofSeconds(20));
                smtp.expect("220 ");
                smtp.send("EHLO client.example.com").readUntil("250 ");
                smtp.send("QUIT").expect("221");
            }
            Duration served = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(Files.exists(throwaway) && !server.output().contains("warm-up: done"))
                    .as("the sessions were served while the warm-up ran (took %s)", served).isTrue();

            await(() -> server.output().contains("warm-up: done") || server.output().contains("warm-up: failed"),
                    WARMUP_DEADLINE, server);
            assertThat(server.output()).contains("warm-up: done").contains("400 messages loaded").contains(" 2 rounds").doesNotContain("warm-up: failed")
                    .doesNotContain("Exception");
            assertThat(throwaway).doesNotExist();
            try (Stream<Path> s = Files.list(base)) {
                assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix))).isEmpty();
            }
            assertThat(files(data)).isEqualTo(filesBefore);
            assertThat(accounts(server)).isEqualTo(accountsBefore);
            try (RawClient imap = RawClient.connect(server.host(), server.imapsPort(), server.sslContext())) {
                imap.timeout(Duration.ofSeconds(20));
                imap.expect("* OK");
                imap.send("a LOGIN real@example.test real-password").expect("a OK");
                imap.send("b SELECT INBOX").readUntil("b OK");
                assertThat(String.join("\n", imap.transcript())).contains("* 0 EXISTS");
            }
        }
    }

    /** Accounts and domains of the real store, read as the CLI reads them while the server runs. */
    private static List<String> accounts(ForkedServer server) throws Exception {
        try (MailStore store = ForkedServer.openStore(server.dataDir())) {
            return Stream.concat(store.directory().accounts().stream().map(Account::address).sorted(),
                    store.directory().domains().stream().map(d -> "domain " + d).sorted()).toList();
        }
    }

    /** The data folder's files by name (the store's own files change in size as real sessions use it). */
    private static List<String> files(Path data) throws IOException {
        try (Stream<Path> s = Files.walk(data)) {
            return s.map(p -> data.relativize(p).toString()).filter(n -> !n.endsWith("-journal"))
                    .filter(n -> !n.startsWith("index")).sorted().toList();
        }
    }

    private static void await(BooleanSupplier condition, Duration deadline, ForkedServer server) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("not within " + deadline + ":\n" + server.output());
            Thread.sleep(100);
        }
    }
}
