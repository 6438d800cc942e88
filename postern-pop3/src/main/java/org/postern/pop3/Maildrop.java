// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.postern.pop3.wire.MessageWriter;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.store.MailboxSnapshot;
import org.postern.store.MessageRecord;

/**
 * The session's view of INBOX, frozen at login (RFC 1939 §5: message numbers do not change during a
 * session), with the session's deletion marks and what it retrieved.
 */
final class Maildrop {
    /** One message: {@code size} is the octet count RETR sends (RFC 1939 §11), not the stored size. */
    record Entry(long uid, long size, String blobId, Instant internalDate, boolean seen) {}

    /**
     * Transfer sizes by blob id. Blobs never change, so an entry never goes stale; like Dovecot's
     * cached "virtual size", this saves reading every message again on each login. Bounded.
     */
    private static final Map<String, Long> WIRE_SIZES = new ConcurrentHashMap<>();
    private static final int WIRE_SIZES_MAX = 200_000;

    private final Mailbox inbox;
    private final List<Entry> entries;
    private final boolean[] deleted;
    private final boolean[] retrieved;

    Maildrop(Mailbox inbox, List<Entry> entries) {
        this.inbox = inbox;
        this.entries = List.copyOf(entries);
        this.deleted = new boolean[entries.size()];
        this.retrieved = new boolean[entries.size()];
    }

    static Maildrop of(MailboxSnapshot snapshot, BlobStore blobs) {
        List<Entry> list = new ArrayList<>(snapshot.messages().size());
        for (MessageRecord m : snapshot.messages()) {
            list.add(new Entry(m.uid(), wireSize(m, blobs), m.blobId(), m.internalDate(), m.flags().contains("\\Seen")));
        }
        return new Maildrop(snapshot.mailbox(), list);
    }

    private static long wireSize(MessageRecord m, BlobStore blobs) {
        Long cached = WIRE_SIZES.get(m.blobId());
        if (cached != null) return cached;
        long size;
        try (InputStream in = blobs.open(m.blobId())) {
            size = MessageWriter.size(in);
        } catch (IOException | RuntimeException e) {
            // Gone already (expunged through IMAP since the snapshot): RETR will say so; LIST shows
            // the stored size meanwhile.
            return m.size();
        }
        if (WIRE_SIZES.size() >= WIRE_SIZES_MAX) WIRE_SIZES.clear();
        WIRE_SIZES.put(m.blobId(), size);
        return size;
    }

    Mailbox inbox() {
        return inbox;
    }

    int count() {
        return entries.size();
    }

    /** A message the client may refer to (RFC 1939 §5: not one marked as deleted). */
    Entry get(int msg) throws Pop3Error {
        if (msg < 1 || msg > entries.size()) throw new Pop3Error("No such message");
        if (deleted[msg - 1]) throw new Pop3Error("Message " + msg + " already deleted");
        return entries.get(msg - 1);
    }

    boolean isDeleted(int msg) {
        return deleted[msg - 1];
    }

    Entry entry(int msg) {
        return entries.get(msg - 1);
    }

    void delete(int msg) throws Pop3Error {
        get(msg);
        deleted[msg - 1] = true;
    }

    void markRetrieved(int msg) {
        retrieved[msg - 1] = true;
    }

    void undeleteAll() {
        java.util.Arrays.fill(deleted, false);
    }

    /** Messages not marked as deleted (RFC 1939 §5 STAT). */
    int liveCount() {
        int n = 0;
        for (boolean d : deleted) if (!d) n++;
        return n;
    }

    long liveSize() {
        long s = 0;
        for (int i = 0; i < entries.size(); i++) if (!deleted[i]) s += entries.get(i).size();
        return s;
    }

    /** RFC 1939 §7 UIDL: 1-70 printable characters, the same for a message in every session. */
    String uniqueId(int msg) {
        return inbox.uidValidity() + "." + entries.get(msg - 1).uid();
    }

    /** The UIDs to remove in the UPDATE state: those marked, plus what the account's policy adds. */
    List<Long> toExpunge(Retention retention, Instant now) {
        List<Long> uids = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            boolean expunge = deleted[i] || switch (retention) {
                case Retention.Keep k -> false;
                case Retention.DeleteAfterDownload d -> retrieved[i];
                case Retention.DeleteAfterDays d -> (retrieved[i] || e.seen())
                        && e.internalDate().isBefore(now.minus(Duration.ofDays(d.days())));
            };
            if (expunge) uids.add(e.uid());
        }
        return uids;
    }
}
