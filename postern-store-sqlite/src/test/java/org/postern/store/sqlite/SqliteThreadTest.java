// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postern.store.MailStore;
import org.postern.store.ThreadContract;
import org.postern.store.ThreadStore;
import org.postern.store.backend.ThreadLinks;

class SqliteThreadTest extends ThreadContract {
    @Override
    protected MailStore open(Path dataDir) {
        return SqliteMailStore.open(dataDir);
    }

    @Test
    void messagesStoredBeforeThreadingOnArrivalAreThreadedLaterAlike() throws Exception {
        long alice = account("alice@example.org").id();
        long inbox = inbox(alice).id();
        List<String> blobs = new ArrayList<>();
        for (String m : List.of("Message-ID: <a@x>\r\n\r\n", "Message-ID: <b@x>\r\nIn-Reply-To: <a@x>\r\n\r\n",
                "Message-ID: <c@x>\r\nReferences: <a@x> <b@x>\r\n\r\n", "Message-ID: <d@x>\r\n\r\n")) {
            byte[] raw = m.getBytes(StandardCharsets.UTF_8);
            blobs.add(store.mailboxes().append(alice, inbox, blob(store, raw), raw.length, Set.of(), Instant.now()).blobId());
        }
        Map<String, Long> onArrival = store.threads().threadIds(alice, blobs);
        // Data written before this release has no thread entries at all.
        store.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteMailStore.DATABASE_FILE));
                Statement s = c.createStatement()) {
            s.execute("DELETE FROM thread_ids");
            s.execute("DELETE FROM thread_refs");
        }
        store = open(dataDir);
        assertThat(store.threads().threadIds(alice, blobs)).isEmpty();
        // What IMAP and JMAP do on first request: the same links, read the same way, in reverse order.
        List<ThreadStore.Links> links = new ArrayList<>();
        for (String b : blobs.reversed()) links.add(ThreadLinks.read(store.blobs(), b));
        Map<String, Long> later = store.threads().assignThreads(alice, links);
        assertThat(later.get(blobs.get(1))).isEqualTo(later.get(blobs.get(0))).isEqualTo(later.get(blobs.get(2)));
        assertThat(later.get(blobs.get(3))).isNotEqualTo(later.get(blobs.get(0)));
        assertThat(onArrival.get(blobs.get(1))).isEqualTo(onArrival.get(blobs.get(0))).isEqualTo(onArrival.get(blobs.get(2)));
        assertThat(onArrival.get(blobs.get(3))).isNotEqualTo(onArrival.get(blobs.get(0)));
    }

    @Test
    void aLookupOfMostOfAnAccountReadsItsRangeAndAnswersAsProbesDo() {
        long alice = account("alice@example.org").id();
        long bob = account("bob@example.org").id();
        int n = SqliteThreadStore.RANGE_MIN + 300;
        List<String> all = new ArrayList<>();
        for (long acc : List.of(alice, bob)) {
            List<ThreadStore.Links> links = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String blob = "b" + acc + "-" + i;
                if (acc == alice) all.add(blob);
                // every third message answers the one before it: threads of one and of two
                links.add(new ThreadStore.Links(blob, "m" + i + "@x", i % 3 == 1 ? List.of("m" + (i - 1) + "@x") : List.of()));
            }
            store.threads().assignThreads(acc, links);
        }
        List<String> asked = new ArrayList<>(all);
        asked.add("unknown");
        asked.add("b" + bob + "-1"); // bob's body: not alice's, whatever the path

        Map<String, Long> range = store.threads().threadIds(alice, asked);
        Map<String, Long> probed = new java.util.HashMap<>();
        for (String b : asked) probed.putAll(store.threads().threadIds(alice, List.of(b)));
        // A few bodies are probed one chunk at a time: the same answers.
        Map<String, Long> few = store.threads().threadIds(alice, all.subList(0, SqliteThreadStore.RANGE_MIN / 4));

        assertThat(range).hasSize(n).isEqualTo(probed);
        assertThat(range.get(all.get(1))).isEqualTo(range.get(all.get(0)));
        assertThat(range.get(all.get(2))).isNotEqualTo(range.get(all.get(1)));
        assertThat(few).hasSize(SqliteThreadStore.RANGE_MIN / 4).allSatisfy((b, t) -> assertThat(t).isEqualTo(range.get(b)));
    }
}
