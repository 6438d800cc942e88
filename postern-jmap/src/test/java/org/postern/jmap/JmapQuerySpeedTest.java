// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.jmap.proto.JmapLimits;
import org.postern.store.Mailbox;

/**
 * The webmail's first request, Email/query for the newest 50 plus Email/get of their list
 * properties, over HTTPS on a mailbox of {@value #MESSAGES} messages; prints the warm time.
 * Size with -Djmap.speed.messages=N (the figure is for 100,000).
 */
class JmapQuerySpeedTest {
    static final int MESSAGES = 500;

    @TempDir
    Path tmp;

    @Test
    void newestFiftyWithTheirListProperties() throws Exception {
        int n = Integer.getInteger("jmap.speed.messages", MESSAGES);
        try (JmapFixture f = new JmapFixture(tmp, JmapLimits.DEFAULT)) {
            f.user("alice@example.test", "pw");
            long acc = f.store.directory().account("alice@example.test").orElseThrow().id();
            Mailbox inbox = f.store.mailboxes().find(acc, "INBOX").orElseThrow();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                byte[] raw = ("From: sender" + (i % 97) + "@example.com\r\nTo: alice@example.test\r\nSubject: message " + i
                        + "\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\nMessage-ID: <" + i + "@example.com>\r\n\r\nbody " + i + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                var w = f.store.blobs().create();
                w.stream().write(raw);
                f.store.mailboxes().append(acc, inbox.id(), w.commit(), raw.length, Set.of(), Instant.ofEpochSecond(1_700_000_000L + i));
            }
            long fill = System.nanoTime() - t0;
            JmapClient c = f.client("alice@example.test", "pw");
            String calls = "[[\"Email/query\",{\"accountId\":\"$A\",\"filter\":{\"inMailbox\":\"m" + inbox.id() + "\"},"
                    + "\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":false}],\"limit\":50,\"collapseThreads\":true},\"q\"],"
                    + "[\"Email/get\",{\"accountId\":\"$A\",\"#ids\":{\"resultOf\":\"q\",\"name\":\"Email/query\",\"path\":\"/ids\"},"
                    + "\"properties\":[\"threadId\",\"mailboxIds\",\"keywords\",\"from\",\"subject\",\"receivedAt\",\"size\",\"preview\"]},\"g\"]]";
            JsonNode first = c.call(calls);
            assertThat(first.get(1).get(1).get("list")).hasSize(50);
            assertThat(first.get(1).get(1).at("/list/0/subject").asText()).isEqualTo("message " + (n - 1));
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 10; i++) {
                long s = System.nanoTime();
                c.call(calls);
                best = Math.min(best, System.nanoTime() - s);
            }
            System.out.printf("JMAP Email/query+get of newest 50 of %d messages: %.1f ms warm (fill %.1f s)%n", n, best / 1e6,
                    fill / 1e9);
            assertThat(best / 1_000_000).isLessThan(2000);
        }
    }
}
