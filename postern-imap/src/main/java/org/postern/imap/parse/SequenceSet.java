// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * An IMAP sequence set (RFC 3501 §9 sequence-set) as written by the client: ranges whose ends are
 * numbers or {@link #STAR}. It is never expanded into its members; {@link #resolve} turns it into
 * sorted, merged, non-overlapping ranges, so {@code 1:4294967295} costs one range (HOSTILE A24).
 */
public record SequenceSet(List<Range> ranges) {
    /** "*": the largest number in use (RFC 3501 §9 seq-number). */
    public static final long STAR = -1;
    public static final long MAX = 4_294_967_295L;
    /** Bound on the ranges of one set; the command-size limit already bounds it, this keeps work linear. */
    public static final int MAX_RANGES = 10_000;

    public record Range(long from, long to) {}

    private static final long SAVED_MARK = -2;
    /** "$": the saved search result (RFC 5182 §2.1); resolves to nothing by itself. */
    public static final SequenceSet SAVED = new SequenceSet(List.of(new Range(SAVED_MARK, SAVED_MARK)));

    public boolean isSaved() {
        return ranges.size() == 1 && ranges.getFirst().from == SAVED_MARK;
    }

    public SequenceSet {
        ranges = List.copyOf(ranges);
    }

    public static SequenceSet of(long from, long to) {
        return new SequenceSet(List.of(new Range(from, to)));
    }

    /** True when the set mentions "*" (it then depends on the mailbox's contents). */
    public boolean usesStar() {
        for (Range r : ranges) {
            if (r.from == STAR || r.to == STAR) return true;
        }
        return false;
    }

    /**
     * The set as sorted disjoint inclusive ranges [lo, hi], with "*" read as {@code star}. With
     * {@code star} = 0 (empty mailbox) ranges that only consist of "*" disappear.
     */
    public long[][] resolve(long star) {
        List<long[]> out = new ArrayList<>(ranges.size());
        for (Range r : ranges) {
            long a = r.from == STAR ? star : r.from;
            long b = r.to == STAR ? star : r.to;
            long lo = Math.min(a, b);
            long hi = Math.max(a, b);
            if (hi <= 0) continue;
            out.add(new long[] {Math.max(lo, 1), hi});
        }
        out.sort(Comparator.comparingLong(x -> x[0]));
        List<long[]> merged = new ArrayList<>(out.size());
        for (long[] r : out) {
            if (!merged.isEmpty() && merged.getLast()[1] >= r[0] - 1) {
                long[] last = merged.getLast();
                last[1] = Math.max(last[1], r[1]);
            } else {
                merged.add(r);
            }
        }
        return merged.toArray(new long[0][]);
    }

    /** Membership test, for SEARCH evaluated message by message; {@code resolved} from {@link #resolve}. */
    public static boolean contains(long[][] resolved, long n) {
        int lo = 0;
        int hi = resolved.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (n < resolved[mid][0]) hi = mid - 1;
            else if (n > resolved[mid][1]) lo = mid + 1;
            else return true;
        }
        return false;
    }

    @Override
    public String toString() {
        if (isSaved()) return "$";
        StringBuilder sb = new StringBuilder();
        for (Range r : ranges) {
            if (!sb.isEmpty()) sb.append(',');
            sb.append(r.from == STAR ? "*" : Long.toString(r.from));
            if (r.from != r.to) sb.append(':').append(r.to == STAR ? "*" : Long.toString(r.to));
        }
        return sb.toString();
    }

    /** Formats sorted numbers compactly, e.g. "1:3,7" (RFC 4315 uid-set in COPYUID/APPENDUID). */
    public static String compact(List<Long> numbers) {
        long[] sorted = numbers.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < sorted.length) {
            int j = i;
            while (j + 1 < sorted.length && sorted[j + 1] == sorted[j] + 1) j++;
            if (!sb.isEmpty()) sb.append(',');
            sb.append(sorted[i]);
            if (j > i) sb.append(':').append(sorted[j]);
            i = j + 1;
        }
        return sb.toString();
    }

    /** Formats numbers in the given order (COPYUID's two sets must correspond element by element). */
    public static String ordered(List<Long> numbers) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < numbers.size()) {
            int j = i;
            while (j + 1 < numbers.size() && numbers.get(j + 1) == numbers.get(j) + 1) j++;
            if (!sb.isEmpty()) sb.append(',');
            sb.append(numbers.get(i));
            if (j > i) sb.append(':').append(numbers.get(j));
            i = j + 1;
        }
        return sb.toString();
    }
}
