// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The stored {@link MessageSortKeys} of a mailbox as columns: one row per message that has keys of the
 * asked version, in ascending UID order, with only the asked fields. Strings are dictionary-encoded
 * (a mailbox has far fewer distinct subjects or senders than messages), so a SORT of 100,000 messages
 * holds a few arrays of primitives and the distinct strings, never a record per message.
 *
 * @param fields the fields asked for (and held)
 * @param uids ascending UIDs of the rows
 * @param sentDates per row, {@link MessageSortKeys#NO_DATE} when unknown; empty unless {@link Field#SENT_DATE} was asked
 * @param strings per asked string field, the row's index into that field's distinct values
 */
public record SortKeyColumns(Set<Field> fields, long[] uids, long[] sentDates, Map<Field, Strings> strings) {
    /** The columns of {@link MessageSortKeys}. */
    public enum Field {
        SENT_DATE, SUBJECT, FROM, TO, CC, DISPLAY_FROM, DISPLAY_TO;

        /** The field's string in {@code k}; SENT_DATE has none. */
        public String of(MessageSortKeys k) {
            return switch (this) {
                case SENT_DATE -> throw new IllegalArgumentException("not a string field");
                case SUBJECT -> k.subject();
                case FROM -> k.from();
                case TO -> k.to();
                case CC -> k.cc();
                case DISPLAY_FROM -> k.displayFrom();
                case DISPLAY_TO -> k.displayTo();
            };
        }
    }

    /** One string column: {@code values.get(ids[row])} is the row's string; values are distinct. */
    public record Strings(int[] ids, List<String> values) {}

    public int size() {
        return uids.length;
    }

    /**
     * Builds columns row by row (backends feed it from one streaming query ordered by UID). String
     * fields are added in {@code fields}' iteration order after the sent date.
     */
    public static final class Builder {
        private final Set<Field> fields;
        private final boolean dates;
        private final Field[] stringFields;
        private final List<Map<String, Integer>> dictionaries = new ArrayList<>();
        private final List<List<String>> values = new ArrayList<>();
        private int[][] ids;
        private long[] uids = new long[1024];
        private long[] sent;
        private int n;

        public Builder(Set<Field> fields) {
            this.fields = Set.copyOf(fields);
            this.dates = fields.contains(Field.SENT_DATE);
            this.stringFields = fields.stream().filter(f -> f != Field.SENT_DATE).sorted().toArray(Field[]::new);
            this.sent = new long[dates ? uids.length : 0];
            this.ids = new int[stringFields.length][uids.length];
            for (int i = 0; i < stringFields.length; i++) {
                dictionaries.add(new HashMap<>());
                values.add(new ArrayList<>());
            }
        }

        /** The string fields in the order {@link #add} takes them. */
        public Field[] stringFields() {
            return stringFields.clone();
        }

        public boolean wantsDates() {
            return dates;
        }

        /**
         * One row; {@code strings} in {@link #stringFields()} order. UIDs must ascend. The array is
         * read, not kept.
         */
        public void add(long uid, long sentDate, String... strings) {
            if (n == uids.length) {
                int cap = n * 2;
                uids = Arrays.copyOf(uids, cap);
                if (dates) sent = Arrays.copyOf(sent, cap);
                for (int i = 0; i < ids.length; i++) ids[i] = Arrays.copyOf(ids[i], cap);
            }
            uids[n] = uid;
            if (dates) sent[n] = sentDate;
            for (int i = 0; i < stringFields.length; i++) {
                String s = strings[i];
                Map<String, Integer> d = dictionaries.get(i);
                Integer id = d.get(s);
                if (id == null) {
                    id = d.size();
                    d.put(s, id);
                    values.get(i).add(s);
                }
                ids[i][n] = id;
            }
            n++;
        }

        public SortKeyColumns build() {
            Map<Field, Strings> m = new EnumMap<>(Field.class);
            for (int i = 0; i < stringFields.length; i++) {
                m.put(stringFields[i], new Strings(Arrays.copyOf(ids[i], n), List.copyOf(values.get(i))));
            }
            return new SortKeyColumns(fields, Arrays.copyOf(uids, n), dates ? Arrays.copyOf(sent, n) : new long[0], m);
        }
    }

    /** Columns from per-UID keys (backends without a column query). */
    public static SortKeyColumns of(Map<Long, MessageSortKeys> keys, Set<Field> fields) {
        Builder b = new Builder(fields);
        Field[] sf = b.stringFields();
        String[] row = new String[sf.length];
        for (Map.Entry<Long, MessageSortKeys> e : new java.util.TreeMap<>(keys).entrySet()) {
            for (int i = 0; i < sf.length; i++) row[i] = sf[i].of(e.getValue());
            b.add(e.getKey(), e.getValue().sentDate(), row);
        }
        return b.build();
    }
}
