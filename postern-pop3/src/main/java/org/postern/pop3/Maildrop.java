// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.store.MailboxSnapshot;
import org.postern.store.MessageRecord;

/**
 * The session's view of INBOX, frozen at login (RFC 1939 §5: message numbers do not change during a
 * session), with the session's deletion marks and what it retrieved.
 */
final class Maildrop {
    /** One message as stored; its transfer size is measured on first need ({@link #size}). */
    record Entry(long uid, long storedSize, String blobId, Instant internalDate, boolean seen) {}

    private final Mailbox inbox;
    private final List<Entry> entries;
    private final boolean[] deleted;
    private final boolean[] retrieved;
    /** Transfer sizes (RFC 1939 §11), -1 until measured. */
    private final long[] sizes;
    private final BlobStore blobs;
    private final WireSizes wireSizes;
    /** RFC 6856 §2: the client sent UTF8, so headers go out as stored. */
    private final boolean utf8;

    Maildrop(Mailbox inbox, List<Entry> entries, BlobStore blobs, WireSizes wireSizes, boolean utf8) {
        this.inbox = inbox;
        this.entries = List.copyOf(entries);
        this.deleted = new boolean[entries.size()];
        this.retrieved = new boolean[entries.size()];
        this.sizes = new long[entries.size()];
        java.util.Arrays.fill(sizes, -1);
        this.blobs = blobs;
        this.wireSizes = wireSizes;
        this.utf8 = utf8;
    }

    /**
     * Freezes the snapshot. Nothing is read here: a large maildrop logs in as fast as a small one,
     * and sizes are measured when LIST, STAT or RETR first needs them.
     */
    static Maildrop of(MailboxSnapshot snapshot, BlobStore blobs, WireSizes wireSizes, boolean utf8) {
        List<Entry> list = new ArrayList<>(snapshot.messages().size());
        for (MessageRecord m : snapshot.messages()) {
            list.add(new Entry(m.uid(), m.size(), m.blobId(), m.internalDate(), m.flags().contains("\\Seen")));
        }
        return new Maildrop(snapshot.mailbox(), list, blobs, wireSizes, utf8);
    }

    boolean utf8() {
        return utf8;
    }

    /** The exact octets RETR sends for message {@code msg} (RFC 1939 §5 LIST), without stuffing. */
    long size(int msg) {
        long s = sizes[msg - 1];
        if (s >= 0) return s;
        Entry e = entries.get(msg - 1);
        try {
            s = wireSizes.size(blobs, e.blobId(), utf8);
        } catch (IOException | RuntimeException ex) {
            // Gone already (expunged through IMAP since the snapshot): RETR will say so; LIST shows
            // the stored size meanwhile.
            s = e.storedSize();
        }
        sizes[msg - 1] = s;
        return s;
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
        for (int i = 0; i < entries.size(); i++) if (!deleted[i]) s += size(i + 1);
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
