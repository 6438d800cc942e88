// SPDX-License-Identifier: Apache-2.0
package org.postern.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;
import org.postern.store.Account;
import org.postern.store.Mailbox;
import org.postern.store.MailboxSnapshot;
import org.postern.store.MessageRecord;
import org.postern.store.sqlite.SqliteMailStore;

/**
 * "250 OK" is a promise (RFC 5321 §6.1): the server process is killed with SIGKILL again and again
 * while several clients deliver concurrently, some messages to two recipients at once. After each
 * kill the data folder must hold every acknowledged message exactly once in each recipient's INBOX,
 * UIDs must be strictly increasing and never reused, and UIDVALIDITY must not change.
 */
class DurabilityIT {
    private static final int USERS = 4;
    private static final int ROUNDS = 5;
    private static final int SENDERS = 6;
    private static final Pattern TOKEN = Pattern.compile("Message-ID: <([0-9a-f-]+)@durability\\.test>");

    @TempDir
    Path data;

    private final Map<String, Set<String>> acked = new ConcurrentHashMap<>(); // token -> recipients
    private final Random random = new Random(42);

    @Test
    void acknowledgedMailSurvivesKillMinusNine() throws Exception {
        int smtpPort = freePort();
        Files.writeString(data.resolve("postern.conf"), String.join("\n",
                "config_version = 1",
                "hostname = mx.example.test",
                "listen_address = 127.0.0.1",
                "port_offset = 0",
                "smtp_port = " + smtpPort,
                "submission_port = " + freePort(),
                "submissions_port = " + freePort(),
                "imap_port = " + freePort(),
                "imaps_port = " + freePort(),
                "pop3_port = " + freePort(),
                "pop3s_port = " + freePort(),
                "dev.argon2 = test",
                ""));
        Process first = startServer(smtpPort, 0);
        try (SqliteMailStore store = SqliteMailStore.open(data)) {
            if (!store.directory().isLocalDomain("example.test")) store.directory().addDomain("example.test");
            Passwords passwords = new Passwords(PasswordHasher.Cost.TEST);
            for (int u = 0; u < USERS; u++) store.directory().createAccount(user(u), passwords.record("pw"), false);
        }
        kill(first);

        Map<String, Long> uidValidity = new HashMap<>();
        Map<String, Long> lastUid = new HashMap<>();
        int totalKills = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            Process server = startServer(smtpPort, round);
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger acks = new AtomicInteger();
            List<Thread> senders = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                long seed = random.nextLong();
                senders.add(Thread.ofVirtual().start(() -> send(smtpPort, running, acks, new Random(seed))));
            }
            // Let some mail through, then kill at a random instant mid-flight.
            Instant deadline = Instant.now().plusSeconds(30);
            while (acks.get() < 20 && Instant.now().isBefore(deadline)) Thread.sleep(20);
            Thread.sleep(200 + random.nextInt(1500));
            kill(server);
            totalKills++;
            running.set(false);
            for (Thread t : senders) t.join(15_000);
            assertThat(acks.get()).as("round %d delivered something before the kill", round).isPositive();
            verify(uidValidity, lastUid, round);
        }
        assertThat(totalKills).isEqualTo(ROUNDS);
        assertThat(acked).hasSizeGreaterThan(ROUNDS * 20);
    }

    private void verify(Map<String, Long> uidValidity, Map<String, Long> lastUid, int round) throws Exception {
        try (SqliteMailStore store = SqliteMailStore.open(data)) {
            Map<String, Map<String, Integer>> seen = new HashMap<>(); // user -> token -> count
            for (int u = 0; u < USERS; u++) {
                Account a = store.directory().account(user(u)).orElseThrow();
                Mailbox inbox = store.mailboxes().find(a.id(), "INBOX").orElseThrow();
                Long before = uidValidity.putIfAbsent(user(u), inbox.uidValidity());
                if (before != null) assertThat(inbox.uidValidity()).as("UIDVALIDITY of " + user(u)).isEqualTo(before);
                MailboxSnapshot snap = store.mailboxes().snapshot(a.id(), inbox.id());
                long previous = 0;
                long previousRoundMax = lastUid.getOrDefault(user(u), 0L);
                Map<String, Integer> tokens = new HashMap<>();
                for (MessageRecord m : snap.messages()) {
                    assertThat(m.uid()).as("UIDs strictly increase").isGreaterThan(previous);
                    previous = m.uid();
                    String body;
                    try (InputStream in = store.blobs().open(m.blobId())) {
                        body = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                    }
                    assertThat(body.length()).as("stored size").isEqualTo((int) m.size());
                    Matcher t = TOKEN.matcher(body);
                    assertThat(t.find()).as("message %d of %s has its token", m.uid(), user(u)).isTrue();
                    tokens.merge(t.group(1), 1, Integer::sum);
                }
                assertThat(inbox.uidNext()).isGreaterThan(previous);
                assertThat(previous).as("no UID reuse after restart").isGreaterThanOrEqualTo(previousRoundMax);
                lastUid.put(user(u), previous);
                seen.put(user(u), tokens);
            }
            List<String> lost = new ArrayList<>();
            List<String> duplicated = new ArrayList<>();
            acked.forEach((token, rcpts) -> {
                for (String r : rcpts) {
                    int n = seen.get(r).getOrDefault(token, 0);
                    if (n == 0) lost.add(token + " -> " + r);
                    if (n > 1) duplicated.add(token + " -> " + r);
                }
            });
            assertThat(lost).as("acknowledged messages lost after kill %d", round).isEmpty();
            assertThat(duplicated).as("messages stored twice after kill %d", round).isEmpty();
        }
    }

    private void send(int port, AtomicBoolean running, AtomicInteger acks, Random r) {
        while (running.get()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                expect(in, "220");
                command(out, in, "EHLO client.test", "250");
                while (running.get()) {
                    String token = java.util.UUID.randomUUID().toString();
                    List<String> rcpts = new ArrayList<>(List.of(user(r.nextInt(USERS))));
                    String second = user(r.nextInt(USERS));
                    if (r.nextInt(3) == 0 && !rcpts.contains(second)) rcpts.add(second);
                    command(out, in, "MAIL FROM:<sender@remote.test>", "250");
                    for (String rcpt : rcpts) command(out, in, "RCPT TO:<" + rcpt + ">", "250");
                    command(out, in, "DATA", "354");
                    StringBuilder msg = new StringBuilder("From: sender@remote.test\r\nTo: " + String.join(", ", rcpts)
                            + "\r\nSubject: durability\r\nMessage-ID: <" + token + "@durability.test>\r\n\r\n");
                    int lines = 5 + r.nextInt(200);
                    for (int i = 0; i < lines; i++) msg.append("line ").append(i).append(" of ").append(token).append("\r\n");
                    msg.append(".\r\n");
                    out.write(msg.toString().getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    String reply = in.readLine();
                    if (reply != null && reply.startsWith("250")) {
                        acked.put(token, Set.copyOf(rcpts));
                        acks.incrementAndGet();
                    } else {
                        break;
                    }
                }
            } catch (IOException | IllegalStateException e) {
                // the server was killed or is starting: try again while the round lasts
                sleep(50);
            }
        }
    }

    private static void command(OutputStream out, BufferedReader in, String line, String code) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        expect(in, code);
    }

    private static void expect(BufferedReader in, String code) throws IOException {
        String l;
        do {
            l = in.readLine();
            if (l == null) throw new IOException("closed");
            if (!l.startsWith(code)) throw new IllegalStateException("expected " + code + ", got " + l);
        } while (l.length() > 3 && l.charAt(3) == '-');
    }

    private Process startServer(int smtpPort, int round) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "org.postern.server.Main", "serve", "--data", data.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(data.resolve("server-" + round + ".log").toFile());
        Process p = pb.start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!p.isAlive()) {
                throw new AssertionError("server exited: " + Files.readString(data.resolve("server-" + round + ".log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", smtpPort), 200);
                return p;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("server did not listen within 60 s: " + Files.readString(data.resolve("server-" + round + ".log")));
    }

    /** Process.destroyForcibly is SIGKILL on Linux: no shutdown hook, no flush, no goodbye. */
    private static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor();
    }

    private static String user(int i) {
        return "user" + i + "@example.test";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
