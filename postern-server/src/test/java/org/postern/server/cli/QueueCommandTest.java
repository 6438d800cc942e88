// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;
import org.postern.server.config.DataFolder;
import org.postern.server.config.ServerConfig;
import org.postern.store.BlobStore;
import org.postern.store.Intake;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;
import org.postern.store.sqlite.SqliteMailStore;

/** {@code postern queue list|retry|delete|bounce} against a real store. */
class QueueCommandTest {
    @TempDir
    Path data;

    record Result(int code, String out, String err) {}

    @BeforeEach
    void setUp() throws Exception {
        new DataFolder(data).writeConfig(ServerConfig.defaults("mx.ours.test").withDev("test", "default"));
        try (MailStore s = SqliteMailStore.open(data)) {
            s.directory().addDomain("ours.test");
            s.directory().createAccount("alice@ours.test", new Passwords(PasswordHasher.Cost.TEST).record("pw"), false);
        }
    }

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("POSTERN_DATA", data.toString()), () -> null,
                SqliteMailStore::open);
        int code = Cli.run(ctx, List.of(), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    long enqueue(String... rcpts) throws Exception {
        try (MailStore s = SqliteMailStore.open(data)) {
            String blob;
            long size;
            try (BlobStore.BlobWriter w = s.blobs().create()) {
                w.stream().write("From: <alice@ours.test>\r\nSubject: stuck\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
                blob = w.commit();
                size = w.size();
            }
            long id = s.deliver(new Intake(blob, size, Instant.now(), List.of(),
                    new Intake.Outbound("alice@ours.test", List.of(rcpts)))).queueId();
            s.queue().deferred(id, Instant.now().plusSeconds(3600), "451 4.3.0 try later");
            return id;
        }
    }

    @Test
    void listRetryDelete() throws Exception {
        assertThat(run("queue", "list").out()).contains("the queue is empty");
        long a = enqueue("bob@far.test");
        long b = enqueue("carol@far.test", "dan@far.test");
        Result list = run("queue", "list");
        assertThat(list.code()).isZero();
        assertThat(list.out()).contains(a + "  ", "<alice@ours.test> -> bob@far.test", "451 4.3.0 try later",
                "carol@far.test, dan@far.test", "2 message(s)");
        assertThat(run("queue", "retry", String.valueOf(a)).out()).contains("message " + a + " is due now");
        try (MailStore s = SqliteMailStore.open(data)) {
            assertThat(s.queue().due(Instant.now().plusSeconds(1), 10)).extracting(q -> q.id()).containsExactly(a);
        }
        assertThat(run("queue", "retry").out()).contains("2 message(s) due now");
        assertThat(run("queue", "delete", String.valueOf(b)).code()).isZero();
        Result missing = run("queue", "delete", String.valueOf(b));
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).startsWith("postern: no queued message " + b);
        assertThat(run("queue", "retry", "999").code()).isEqualTo(1);
    }

    @Test
    void bounceReturnsTheMessageToItsSender() throws Exception {
        long a = enqueue("bob@far.test");
        Result r = run("queue", "bounce", String.valueOf(a));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("returned message " + a + " to its sender");
        try (MailStore s = SqliteMailStore.open(data)) {
            assertThat(s.queue().list()).isEmpty();
            long alice = s.directory().account("alice@ours.test").orElseThrow().id();
            Mailbox inbox = s.mailboxes().find(alice, Mailbox.INBOX).orElseThrow();
            List<MessageRecord> msgs = s.mailboxes().snapshot(alice, inbox.id()).messages();
            assertThat(msgs).hasSize(1);
            try (InputStream in = s.blobs().open(msgs.get(0).blobId())) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("Action: failed")
                        .contains("Final-Recipient: rfc822; bob@far.test").contains("Subject: stuck");
            }
        }
        assertThat(run("queue", "bounce", String.valueOf(a)).code()).isEqualTo(1);
    }

    @Test
    void retryReachesARunningQueueRunnerThroughTheStore() throws Exception {
        long a = enqueue("bob@far.test");
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        // The "server": its own store on the same data folder and a runner polling every 100 ms.
        try (MailStore server = SqliteMailStore.open(data);
                org.postern.delivery.queue.QueueRunner runner = new org.postern.delivery.queue.QueueRunner(server,
                        (domain, m) -> {
                            attempts.incrementAndGet();
                            return m.recipients().stream().map(r -> new org.postern.smtp.client.RecipientResult(r,
                                    org.postern.smtp.client.RecipientResult.Outcome.TEMPORARY, "4.3.0", "451 later", "mx", true))
                                    .toList();
                        }, org.postern.delivery.queue.QueueConfig.defaults("mx.ours.test")
                                .withPollInterval(java.time.Duration.ofMillis(100)), java.time.Clock.systemUTC())) {
            runner.start();
            Thread.sleep(300);
            assertThat(attempts).as("deferred an hour: not attempted").hasValue(0);
            assertThat(run("queue", "retry", String.valueOf(a)).code()).isZero();
            Instant deadline = Instant.now().plusSeconds(10);
            while (attempts.get() == 0 && Instant.now().isBefore(deadline)) Thread.sleep(20);
            assertThat(attempts).as("attempted after the CLI's retry").hasValue(1);
            assertThat(run("queue", "bounce", String.valueOf(a)).code()).isZero();
            assertThat(server.queue().list()).isEmpty();
        }
    }
}
