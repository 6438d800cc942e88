// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.fetch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.postern.core.mime.MimeMessage;
import org.postern.imap.codec.ResponseWriter;

/**
 * The rendered ENVELOPE, BODY and BODYSTRUCTURE of messages (RFC 3501 §7.4.2), shared by every session
 * of one server, so that a FETCH asking only for those and the whole message need not parse it: the
 * MIME parse and the envelope's address parsing are most of a FETCH's CPU otherwise.
 *
 * <p>Invariants: keyed by blob id, and a blob's content never changes (ids are random and never reused
 * for other bytes), so an entry never goes stale; the rendering depends on nothing but the message
 * (ResponseWriter has no session mode: non-ASCII strings are literals under every ENABLE), so sessions
 * may share it. Bounded by bytes with CLOCK eviction; one rendering above {@link #MAX_ITEM_BYTES} is
 * not kept, so a message with thousands of parts cannot pin memory (HOSTILE A32, C4). Lookups take no
 * lock; eviction is done by one thread at a time and others never wait for it.
 */
public final class StructureCache {
    public static final long DEFAULT_MAX_BYTES = 16L << 20;
    /** A larger rendering is served once and dropped: bench messages render to 1-3 KiB. */
    public static final int MAX_ITEM_BYTES = 8 * 1024;
    /** Map node, entry, slot array and the retained id string, roughly. */
    static final int ENTRY_OVERHEAD = 200;

    /** What is cached per message. */
    public enum Item {
        ENVELOPE, BODY, BODYSTRUCTURE;

        private static final Item[] ALL = values();
    }

    private final long maxBytes;
    /** What eviction brings the total down to, so that it runs once per batch rather than per insert. */
    private final long lowWater;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final ReentrantLock evicting = new ReentrantLock();
    /** The clock hand: where the previous eviction stopped. Used only under {@link #evicting}. */
    private Iterator<Map.Entry<String, Entry>> hand;

    public StructureCache(long maxBytes) {
        if (maxBytes < 0) throw new IllegalArgumentException("maxBytes < 0");
        this.maxBytes = maxBytes;
        this.lowWater = maxBytes - maxBytes / 16;
    }

    /** The rendering of {@code item} for blob {@code blobId}, or null when not cached. */
    public byte[] get(String blobId, Item item) {
        Entry e = entries.get(blobId);
        if (e == null) return null;
        byte[] b = e.items[item.ordinal()];
        // A plain read first: most hits find the flag set already and write nothing shared.
        if (b != null && !e.used) e.used = true;
        return b;
    }

    /** Keeps {@code rendered} (not copied: the caller must not change it) unless it is too large. */
    public void put(String blobId, Item item, byte[] rendered) {
        byte[][] one = new byte[Item.ALL.length][];
        one[item.ordinal()] = rendered;
        putAll(blobId, one);
    }

    /**
     * Keeps the renderings of {@code byItem} (by {@link Item#ordinal()}, null slots ignored, arrays not
     * copied) that are not too large and not held already.
     */
    public void putAll(String blobId, byte[][] byItem) {
        boolean any = false;
        for (byte[] b : byItem) any |= b != null && b.length <= MAX_ITEM_BYTES;
        if (!any) return;
        long[] delta = new long[1];
        entries.compute(blobId, (id, old) -> {
            byte[][] items = old == null ? new byte[Item.ALL.length][] : old.items.clone();
            boolean changed = false;
            for (int i = 0; i < items.length; i++) {
                byte[] b = byItem[i];
                if (b != null && b.length <= MAX_ITEM_BYTES && items[i] == null) {
                    items[i] = b;
                    changed = true;
                }
            }
            if (!changed) return old;
            // Being written is not being read: a new entry is the first the hand removes, so one pass
            // over a large mailbox (FETCH 1:* ENVELOPE) does not push out what clients keep asking for.
            Entry e = new Entry(items, old != null && old.used);
            if (e.bytes > maxBytes) return old;
            delta[0] = e.bytes - (old == null ? 0 : old.bytes);
            return e;
        });
        if (delta[0] != 0 && bytes.addAndGet(delta[0]) > maxBytes) evict();
    }

    /** The rendering of {@code item} for a parsed message, as FETCH writes it after the item's name. */
    public static byte[] render(Item item, MimeMessage m) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(512);
        ResponseWriter w = new ResponseWriter(b);
        try {
            switch (item) {
                case ENVELOPE -> EnvelopeWriter.write(w, m.headers());
                case BODY -> BodyStructureWriter.write(w, m, false);
                case BODYSTRUCTURE -> BodyStructureWriter.write(w, m, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return b.toByteArray();
    }

    /** Bytes accounted to the entries held now. */
    public long bytes() {
        return bytes.get();
    }

    public int size() {
        return entries.size();
    }

    /** The bytes of the entries held, counted one by one (tests: the running total must match). */
    long countedBytes() {
        long n = 0;
        for (Entry e : entries.values()) n += e.bytes;
        return n;
    }

    /**
     * CLOCK: the hand clears the used flag of entries read since it last passed and removes the
     * others, until the total is below the low-water mark. A thread that finds eviction running goes
     * on, unless the total is more than an eighth over the bound: then it waits its turn, so the
     * overshoot stays below that eighth plus one item per concurrent inserter.
     */
    private void evict() {
        if (bytes.get() > maxBytes + maxBytes / 8) {
            evicting.lock();
        } else if (!evicting.tryLock()) {
            return;
        }
        try {
            // Second chances are limited: when sessions read every entry faster than the hand goes
            // round (a working set far above the bound), it removes regardless of the flag.
            long chances = 2L * entries.size() + 16;
            while (bytes.get() > lowWater) {
                if (hand == null || !hand.hasNext()) {
                    hand = entries.entrySet().iterator();
                    if (!hand.hasNext()) break;
                }
                Map.Entry<String, Entry> me = hand.next();
                Entry e = me.getValue();
                if (e.used && chances-- > 0) {
                    e.used = false;
                } else if (entries.remove(me.getKey(), e)) {
                    // Only the entry that was counted leaves: a put that replaced it meanwhile moved the
                    // count to its successor, and remove(key, value) then fails.
                    bytes.addAndGet(-e.bytes);
                }
            }
        } finally {
            evicting.unlock();
        }
    }

    private static final class Entry {
        /** By {@link Item#ordinal()}; null where not cached. Never changed once published. */
        final byte[][] items;
        final int bytes;
        volatile boolean used;

        Entry(byte[][] items, boolean used) {
            this.items = items;
            this.used = used;
            int n = ENTRY_OVERHEAD;
            for (byte[] b : items) {
                if (b != null) n += b.length + 16;
            }
            this.bytes = n;
        }
    }
}
