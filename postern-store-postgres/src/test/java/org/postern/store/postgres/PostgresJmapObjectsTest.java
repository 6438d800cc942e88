// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postern.store.IdentityStore.Identity;
import org.postern.store.MailStore;
import org.postern.store.PasswordRecord;
import org.postern.store.ThreadStore;
import org.postern.store.VacationStore.Vacation;

/** Identities, vacation replies and their account on two nodes of one database. */
class PostgresJmapObjectsTest {
    private MailStore nodeA;
    private MailStore nodeB;
    private PostgresConfig db;

    @BeforeEach
    void open() {
        db = TestPostgres.fresh();
        nodeA = PostgresMailStore.open(db);
        nodeB = PostgresMailStore.open(db);
        nodeA.directory().addDomain("example.org");
    }

    @AfterEach
    void close() {
        if (nodeA != null) nodeA.close();
        if (nodeB != null) nodeB.close();
    }

    private static <T> List<T> together(List<Callable<T>> tasks) throws Exception {
        List<T> out = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(tasks.size())) {
            List<Future<T>> fs = pool.invokeAll(tasks);
            for (Future<T> f : fs) out.add(f.get());
        }
        return out;
    }

    @Test
    void nodesAskingAtOnceCreateOneDefaultIdentityAndAnswerASenderOnce() throws Exception {
        long alice = nodeA.directory().createAccount("alice@example.org", PasswordRecord.NONE, false).id();
        List<Callable<List<Identity>>> lists = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            MailStore node = i % 2 == 0 ? nodeA : nodeB;
            lists.add(() -> node.identities().list(alice, "alice@example.org"));
        }
        assertThat(together(lists)).allSatisfy(l -> assertThat(l).hasSize(1));
        nodeA.vacation().put(alice, new Vacation(true, null, null, "Away", "Back soon", null));
        Instant now = Instant.parse("2026-11-27T10:00:00Z");
        List<Callable<Boolean>> claims = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            MailStore node = i % 2 == 0 ? nodeA : nodeB;
            claims.add(() -> node.vacation().claimReply(alice, "bob@remote.example", now, Duration.ofDays(7)));
        }
        assertThat(together(claims)).containsOnlyOnce(true);
    }

    @Test
    void deletingAnAccountTakesItsObjectsAlong() throws Exception {
        long alice = nodeA.directory().createAccount("alice@example.org", PasswordRecord.NONE, false).id();
        nodeA.identities().list(alice, "alice@example.org");
        nodeA.vacation().put(alice, new Vacation(true, null, null, null, "x", null));
        nodeA.vacation().claimReply(alice, "bob@remote.example", Instant.now(), Duration.ofDays(1));
        String content = "Message-ID: <m@x>\r\n\r\nhi\r\n";
        String blobId;
        try (var w = nodeA.blobs().create()) {
            try (var out = w.stream()) {
                out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            blobId = w.commit();
        }
        long inbox = nodeA.mailboxes().find(alice, "INBOX").orElseThrow().id();
        nodeA.deliver(new org.postern.store.Intake(blobId, content.length(), Instant.now(),
                List.of(new org.postern.store.Intake.Target(alice, inbox, java.util.Set.of())), null));
        assertThat(nodeB.threads().assignThreads(alice, List.of(new ThreadStore.Links(blobId, "m@x", List.of("p@x")))))
                .containsKey(blobId);
        assertThat(nodeB.threads().threadIds(alice, List.of(blobId))).containsKey(blobId);
        nodeA.directory().deleteAccount("alice@example.org");
        try (var c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(), ""); var s = c.createStatement()) {
            for (String table : List.of("identities", "object_changes", "vacation", "vacation_replied", "thread_ids",
                    "thread_refs")) {
                try (var rs = s.executeQuery("SELECT count(*) FROM " + table + " WHERE account_id = " + alice)) {
                    rs.next();
                    assertThat(rs.getLong(1)).as(table).isZero();
                }
            }
        }
    }
}
