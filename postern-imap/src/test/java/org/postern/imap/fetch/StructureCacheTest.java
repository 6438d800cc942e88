// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.imap.codec.ResponseWriter;
import org.postern.imap.parse.Command;
import org.postern.imap.parse.CommandParser;
import org.postern.imap.parse.FetchItem;
import org.postern.store.BlobStore;
import org.postern.store.MessageRecord;

class StructureCacheTest {
    /** Blobs in memory; a removed id fails to open as a vanished file does. */
    static final class MemoryBlobs implements BlobStore {
        final Map<String, byte[]> blobs = new ConcurrentHashMap<>();

        @Override
        public BlobWriter create() {
            throw new UnsupportedOperationException();
        }

        @Override
        public InputStream open(String blobId) throws IOException {
            byte[] b = blobs.get(blobId);
            if (b == null) throw new NoSuchFileException(blobId);
            return new ByteArrayInputStream(b);
        }

        @Override
        public long size(String blobId) throws IOException {
            byte[] b = blobs.get(blobId);
            if (b == null) throw new NoSuchFileException(blobId);
            return b.length;
        }

        @Override
        public void delete(String blobId) {
            blobs.remove(blobId);
        }
    }

    static final String[] ITEM_LISTS = {
        "(FLAGS ENVELOPE BODYSTRUCTURE BODY.PEEK[])", "(BODY ENVELOPE)", "(BODYSTRUCTURE BODY.PEEK[1] RFC822.SIZE)",
        "(ENVELOPE RFC822)", "FULL", "(BODYSTRUCTURE BODY.PEEK[] BODY.PEEK[])", "(UID ENVELOPE BODY.PEEK[HEADER])",
    };

    static String multipart(String boundary, String... parts) {
        StringBuilder sb = new StringBuilder("Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n");
        for (String p : parts) sb.append("--").append(boundary).append("\r\n").append(p).append("\r\n");
        return sb.append("--").append(boundary).append("--\r\n").toString();
    }

    static Stream<Arguments> corpus() {
        List<Arguments> list = new ArrayList<>();
        list.add(Arguments.of("nested rfc822 and RFC 2231", BodyStructureWriterTest.MIXED));
        String inner = "From: deep@example.org\r\nSubject: deep\r\n" + multipart("in", "Content-Type: text/plain\r\n\r\nx",
                "Content-Type: image/png; name=a.png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0K");
        String mid = "From: mid@example.org\r\nContent-Type: message/rfc822\r\n\r\n" + inner;
        list.add(Arguments.of("rfc822 in rfc822", "From: top@example.org\r\nTo: a@b.c\r\n"
                + multipart("top", "Content-Type: message/rfc822\r\n\r\n" + mid, "Content-Type: text/html\r\n\r\n<p>hi</p>")));
        list.add(Arguments.of("RFC 2231 continuations", "From: a@example.org\r\n" + multipart("b",
                "Content-Type: application/pdf; name*0*=utf-8''%E2%82%AC; name*1=\" rates.pdf\"\r\n"
                        + "Content-Disposition: attachment; filename*=iso-8859-1'de'%E4rger.pdf\r\n"
                        + "Content-Language: de, en\r\nContent-Location: http://x/y\r\nContent-MD5: abc=\r\n\r\nAAAA")));
        list.add(Arguments.of("multipart without boundary",
                "From: a@example.org\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--\r\n"));
        String[] many = new String[2000];
        for (int i = 0; i < many.length; i++) many[i] = "Content-Type: text/plain; name=p" + i + "\r\n\r\n" + i;
        list.add(Arguments.of("2000 parts", "From: a@example.org\r\n" + multipart("m", many)));
        String deep = "x";
        for (int i = 0; i < 300; i++) deep = multipart("d" + i, "Content-Type: text/plain\r\n\r\n" + i, deep.startsWith("Content") ? deep : "Content-Type: text/plain\r\n\r\n" + deep);
        list.add(Arguments.of("300 levels", "From: a@example.org\r\n" + deep));
        list.add(Arguments.of("8-bit headers", "From: \"Jürgen Müller\" <j@example.org>\r\nSubject: Grüße \"quoted\" \\ back\r\n"
                + "To: Ünïcødé <ü@bücher.example>, undisclosed:;\r\nMessage-ID: <a@b>\r\n"
                + "Content-Type: text/plain; charset=utf-8; name=\"Prüfung.txt\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\nÄ\r\n"));
        list.add(Arguments.of("headers only", "Subject: nothing else\r\n"));
        list.add(Arguments.of("empty", ""));
        list.add(Arguments.of("long subject", "Subject: " + "s".repeat(3000) + "\r\nFrom: " + "a".repeat(900) + "@x\r\n\r\nb\r\n"));
        list.add(Arguments.of("large (streamed)", "From: big@example.org\r\nSubject: big\r\n\r\n"
                + ("0123456789".repeat(7) + "\r\n").repeat(5000)));
        return list.stream();
    }

    static List<FetchItem> items(String list) throws Exception {
        Command.Fetch f = (Command.Fetch) CommandParser.parse(("t FETCH 1 " + list).getBytes(StandardCharsets.US_ASCII)).command();
        return f.items();
    }

    static MessageRecord record(String blobId, int size) {
        return new MessageRecord(7, 3, Set.of("\\Seen"), size, Instant.parse("2026-11-27T10:00:00Z"), blobId, null);
    }

    static String fetch(FetchEngine engine, MessageRecord r, List<FetchItem> items) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        engine.write(new ResponseWriter(b), 1, r, "(\\Seen)", items, false);
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void cachedAnswerIsByteIdenticalToParsing(String name, String message) throws Exception {
        MemoryBlobs blobs = new MemoryBlobs();
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        blobs.blobs.put("b1", bytes);
        MessageRecord r = record("b1", bytes.length);
        StructureCache shared = new StructureCache(StructureCache.DEFAULT_MAX_BYTES);
        for (String list : ITEM_LISTS) {
            List<FetchItem> items = items(list);
            String uncached = fetch(new FetchEngine(blobs, new MessageCache(4)), r, items);
            String filling = fetch(new FetchEngine(blobs, new MessageCache(4), shared), r, items);
            MessageCache fresh = new MessageCache(4);
            String hit = fetch(new FetchEngine(blobs, fresh, shared), r, items);
            assertThat(filling).as(list).isEqualTo(uncached);
            assertThat(hit).as(list).isEqualTo(uncached);
        }
        // The bench's FETCH: a hit reads the bytes but does not parse (nothing lands in the session's cache).
        MessageCache fresh = new MessageCache(4);
        fetch(new FetchEngine(blobs, fresh, shared), r, items(ITEM_LISTS[0]));
        boolean small = Stream.of(StructureCache.Item.values())
                .allMatch(i -> StructureCache.render(i, org.postern.core.mime.MessageParser.parse(bytes)).length
                        <= StructureCache.MAX_ITEM_BYTES);
        assertThat(fresh.peek("b1") == null).as("parsed again").isEqualTo(small);
        assertThat(shared.get("b1", StructureCache.Item.BODYSTRUCTURE) != null).isEqualTo(small);
    }

    @Test
    void cachedStructureDoesNotHideAVanishedBody() throws Exception {
        MemoryBlobs blobs = new MemoryBlobs();
        byte[] bytes = BodyStructureWriterTest.MIXED.getBytes(StandardCharsets.UTF_8);
        blobs.blobs.put("b1", bytes);
        MessageRecord r = record("b1", bytes.length);
        StructureCache shared = new StructureCache(StructureCache.DEFAULT_MAX_BYTES);
        List<FetchItem> bench = items(ITEM_LISTS[0]);
        String before = fetch(new FetchEngine(blobs, new MessageCache(4), shared), r, bench);
        blobs.delete("b1");
        for (String list : new String[] {ITEM_LISTS[0], "(ENVELOPE RFC822)", "(BODY BODY.PEEK[1])"}) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            FetchEngine engine = new FetchEngine(blobs, new MessageCache(4), shared);
            assertThatThrownBy(() -> engine.write(new ResponseWriter(b), 1, r, "(\\Seen)", items(list), false))
                    .as(list).isInstanceOf(FetchEngine.MessageUnavailableException.class);
            assertThat(b.size()).as("nothing written for " + list).isZero();
        }
        // What needs no body may come from the cache (HOSTILE A27: "NO ... or the still-cached content").
        String env = fetch(new FetchEngine(blobs, new MessageCache(4), shared), r, items("(ENVELOPE BODYSTRUCTURE)"));
        assertThat(before).contains(env.substring("* 1 FETCH (".length(), env.length() - 3));
    }

    @Test
    void largeMessagesAreStillStreamedAndVanishGivesNo() throws Exception {
        MemoryBlobs blobs = new MemoryBlobs();
        String big = "Subject: big\r\n\r\n" + "x".repeat((int) FetchEngine.STREAM_THRESHOLD + 10);
        blobs.blobs.put("big", big.getBytes(StandardCharsets.US_ASCII));
        MessageRecord r = record("big", big.length());
        StructureCache shared = new StructureCache(StructureCache.DEFAULT_MAX_BYTES);
        String first = fetch(new FetchEngine(blobs, new MessageCache(4), shared), r, items(ITEM_LISTS[0]));
        MessageCache fresh = new MessageCache(4);
        assertThat(fetch(new FetchEngine(blobs, fresh, shared), r, items(ITEM_LISTS[0]))).isEqualTo(first);
        assertThat(fresh.peek("big")).isNull();
        blobs.delete("big");
        assertThatThrownBy(() -> fetch(new FetchEngine(blobs, new MessageCache(4), shared), r, items(ITEM_LISTS[0])))
                .isInstanceOf(FetchEngine.MessageUnavailableException.class);
    }

    @Test
    void oversizedRenderingsAreNotKept() {
        StructureCache c = new StructureCache(1 << 20);
        c.put("a", StructureCache.Item.BODYSTRUCTURE, new byte[StructureCache.MAX_ITEM_BYTES + 1]);
        assertThat(c.get("a", StructureCache.Item.BODYSTRUCTURE)).isNull();
        assertThat(c.size()).isZero();
        assertThat(c.bytes()).isZero();
        c.put("a", StructureCache.Item.ENVELOPE, new byte[StructureCache.MAX_ITEM_BYTES]);
        assertThat(c.get("a", StructureCache.Item.ENVELOPE)).hasSize(StructureCache.MAX_ITEM_BYTES);
        assertThat(new StructureCache(0)).satisfies(z -> {
            z.put("a", StructureCache.Item.BODY, new byte[1]);
            assertThat(z.size()).isZero();
        });
    }

    @Test
    void evictsByBytesAndKeepsWhatIsRead() {
        long max = 20_000;
        StructureCache c = new StructureCache(max);
        byte[] hot = new byte[500];
        c.put("hot", StructureCache.Item.ENVELOPE, hot);
        for (int i = 0; i < 1000; i++) {
            assertThat(c.get("hot", StructureCache.Item.ENVELOPE)).as("after %d puts", i).isSameAs(hot);
            c.put("k" + i, StructureCache.Item.BODYSTRUCTURE, new byte[500]);
            assertThat(c.bytes()).isLessThanOrEqualTo(max);
        }
        assertThat(c.size()).isBetween(10, 30);
        assertThat(c.get("k0", StructureCache.Item.BODYSTRUCTURE)).isNull();
        assertThat(c.bytes()).isEqualTo(c.countedBytes());
    }

    @Test
    void accountingStaysExactUnderConcurrency() throws Exception {
        long max = 64 * 1024;
        StructureCache c = new StructureCache(max);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Long>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    long peak = 0;
                    for (int i = 0; i < 20_000; i++) {
                        String id = "b" + rnd.nextInt(400);
                        StructureCache.Item item = StructureCache.Item.values()[rnd.nextInt(3)];
                        byte[] got = c.get(id, item);
                        if (got == null) {
                            c.put(id, item, new byte[rnd.nextInt(1, 2000)]);
                        }
                        peak = Math.max(peak, c.bytes());
                    }
                    return peak;
                }));
            }
            for (Future<Long> f : done) {
                // Concurrent inserts may overshoot while one thread evicts: an eighth, then one item each.
                assertThat(f.get()).isLessThanOrEqualTo(max + max / 8 + threads * (StructureCache.MAX_ITEM_BYTES + 1000L));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(c.bytes()).isEqualTo(c.countedBytes());
        assertThat(c.bytes()).isLessThanOrEqualTo(max + max / 8 + threads * (StructureCache.MAX_ITEM_BYTES + 1000L));
    }
}
