// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A mailbox's messages in UID order as columns of primitive arrays, as of
 * {@code mailbox().highestModSeq()}: what a protocol session keeps of a selected mailbox, without one
 * object per message. Distinct flag sets are few in a mailbox, so each message holds an index into
 * {@link #flagSets()}. Immutable once built: backends cache one and hand it to many sessions, which
 * copy the arrays only when they change their own view.
 *
 * <p>Invariant: {@code uids} is strictly ascending over {@code [0, size)}; every array has at least
 * {@code size} elements.
 */
public final class MailboxIndex {
    private final Mailbox mailbox;
    private final int size;
    private final long[] uids;
    private final long[] modSeqs;
    private final int[] flagIds;
    private final List<Set<String>> flagSets;
    private final long[] sizes;
    private final long[] internalDates;
    private final long[] savedDates;
    private final String[] blobIds;

    /** Takes ownership of the arrays: the caller must not change them afterwards. */
    public MailboxIndex(Mailbox mailbox, int size, long[] uids, long[] modSeqs, int[] flagIds, List<Set<String>> flagSets,
            long[] sizes, long[] internalDates, long[] savedDates, String[] blobIds) {
        if (size < 0 || uids.length < size || modSeqs.length < size || flagIds.length < size || sizes.length < size
                || internalDates.length < size || savedDates.length < size || blobIds.length < size) {
            throw new IllegalArgumentException("arrays shorter than size " + size);
        }
        this.mailbox = mailbox;
        this.size = size;
        this.uids = uids;
        this.modSeqs = modSeqs;
        this.flagIds = flagIds;
        this.flagSets = List.copyOf(flagSets);
        this.sizes = sizes;
        this.internalDates = internalDates;
        this.savedDates = savedDates;
        this.blobIds = blobIds;
    }

    /** The compact form of a snapshot (backends without an index of their own). */
    public static MailboxIndex of(MailboxSnapshot snapshot) {
        Builder b = new Builder(snapshot.messages().size());
        for (MessageRecord r : snapshot.messages()) b.add(r);
        return b.build(snapshot.mailbox());
    }

    /** The same messages with newer mailbox counters (e.g. a renamed or resubscribed mailbox). */
    public MailboxIndex withMailbox(Mailbox m) {
        return new MailboxIndex(m, size, uids, modSeqs, flagIds, flagSets, sizes, internalDates, savedDates, blobIds);
    }

    public Mailbox mailbox() {
        return mailbox;
    }

    public int size() {
        return size;
    }

    public long uid(int i) {
        return uids[checked(i)];
    }

    public long modSeq(int i) {
        return modSeqs[checked(i)];
    }

    public int flagId(int i) {
        return flagIds[checked(i)];
    }

    public Set<String> flags(int i) {
        return flagSets.get(flagIds[checked(i)]);
    }

    /** Distinct flag sets; {@link #flagId} indexes this list. */
    public List<Set<String>> flagSets() {
        return flagSets;
    }

    public long messageSize(int i) {
        return sizes[checked(i)];
    }

    public long internalDateMillis(int i) {
        return internalDates[checked(i)];
    }

    public long savedDateMillis(int i) {
        return savedDates[checked(i)];
    }

    public String blobId(int i) {
        return blobIds[checked(i)];
    }

    /** Message {@code i} (0-based) as a record. */
    public MessageRecord record(int i) {
        checked(i);
        return new MessageRecord(uids[i], modSeqs[i], flagSets.get(flagIds[i]), sizes[i],
                Instant.ofEpochMilli(internalDates[i]), blobIds[i], Instant.ofEpochMilli(savedDates[i]));
    }

    /** Position of {@code uid}, or {@code -(insertion point) - 1} like {@link Arrays#binarySearch}. */
    public int indexOf(long uid) {
        return Arrays.binarySearch(uids, 0, size, uid);
    }

    /** Copies of the columns, {@code capacity >= size} long, for a session that changes its own view. */
    public long[] uidsCopy(int capacity) {
        return Arrays.copyOf(uids, capacity);
    }

    public long[] modSeqsCopy(int capacity) {
        return Arrays.copyOf(modSeqs, capacity);
    }

    public int[] flagIdsCopy(int capacity) {
        return Arrays.copyOf(flagIds, capacity);
    }

    public long[] sizesCopy(int capacity) {
        return Arrays.copyOf(sizes, capacity);
    }

    public long[] internalDatesCopy(int capacity) {
        return Arrays.copyOf(internalDates, capacity);
    }

    public long[] savedDatesCopy(int capacity) {
        return Arrays.copyOf(savedDates, capacity);
    }

    public String[] blobIdsCopy(int capacity) {
        return Arrays.copyOf(blobIds, capacity);
    }

    private int checked(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException(i);
        return i;
    }

    /**
     * Collects messages in ascending UID order (a backend's full load or a merge of a cached index with
     * changes), interning flag sets.
     */
    public static final class Builder {
        private int size;
        private long[] uids;
        private long[] modSeqs;
        private int[] flagIds;
        private long[] sizes;
        private long[] internalDates;
        private long[] savedDates;
        private String[] blobIds;
        private final List<Set<String>> flagSets = new ArrayList<>();
        private final Map<Set<String>, Integer> flagIndex = new HashMap<>();

        public Builder(int expected) {
            int n = Math.max(16, expected);
            uids = new long[n];
            modSeqs = new long[n];
            flagIds = new int[n];
            sizes = new long[n];
            internalDates = new long[n];
            savedDates = new long[n];
            blobIds = new String[n];
        }

        public int size() {
            return size;
        }

        /** The id of a flag set, adding it when new. */
        public int intern(Set<String> flags) {
            Integer id = flagIndex.get(flags);
            if (id != null) return id;
            Set<String> copy = Set.copyOf(flags);
            flagSets.add(copy);
            flagIndex.put(copy, flagSets.size() - 1);
            return flagSets.size() - 1;
        }

        public Builder add(MessageRecord r) {
            return add(r.uid(), r.modSeq(), intern(r.flags()), r.size(), r.internalDate().toEpochMilli(), r.blobId(),
                    r.savedDate() == null ? 0 : r.savedDate().toEpochMilli());
        }

        /** Message {@code i} of {@code from}, keeping its flags. */
        public Builder add(MailboxIndex from, int i) {
            return add(from.uids[i], from.modSeqs[i], intern(from.flags(i)), from.sizes[i], from.internalDates[i],
                    from.blobIds[i], from.savedDates[i]);
        }

        /** Appends a message; its UID must be larger than every UID added before. */
        public Builder add(long uid, long modSeq, int flagId, long msgSize, long internalDate, String blobId,
                long savedDate) {
            if (size > 0 && uid <= uids[size - 1]) throw new IllegalArgumentException("UIDs must ascend: " + uid);
            if (flagId < 0 || flagId >= flagSets.size()) throw new IllegalArgumentException("unknown flag set " + flagId);
            if (size == uids.length) grow();
            uids[size] = uid;
            modSeqs[size] = modSeq;
            flagIds[size] = flagId;
            sizes[size] = msgSize;
            internalDates[size] = internalDate;
            savedDates[size] = savedDate;
            blobIds[size] = blobId;
            size++;
            return this;
        }

        private void grow() {
            int n = uids.length * 2;
            uids = Arrays.copyOf(uids, n);
            modSeqs = Arrays.copyOf(modSeqs, n);
            flagIds = Arrays.copyOf(flagIds, n);
            sizes = Arrays.copyOf(sizes, n);
            internalDates = Arrays.copyOf(internalDates, n);
            savedDates = Arrays.copyOf(savedDates, n);
            blobIds = Arrays.copyOf(blobIds, n);
        }

        public MailboxIndex build(Mailbox mailbox) {
            return new MailboxIndex(mailbox, size, uids, modSeqs, flagIds, flagSets, sizes, internalDates, savedDates,
                    blobIds);
        }
    }
}
