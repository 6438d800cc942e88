// SPDX-License-Identifier: Apache-2.0
package org.postern.store.backend;

import java.sql.ResultSet;
import java.sql.SQLException;
import org.postern.store.MessageSortKeys;
import org.postern.store.SortKeyColumns;

/**
 * The two backends' shared reading of sort keys into {@link SortKeyColumns}: both name the columns of
 * {@code sort_keys} alike and select {@code uid, sent_date, <string columns>} in that order.
 */
public final class SortKeyRows {
    private SortKeyRows() {}

    /** The column of {@code sort_keys} (and SQLite's per-message copy) holding {@code f}. */
    public static String column(SortKeyColumns.Field f) {
        return switch (f) {
            case SENT_DATE -> "sent_date";
            case SUBJECT -> "subject";
            case FROM -> "from_mbx";
            case TO -> "to_mbx";
            case CC -> "cc_mbx";
            case DISPLAY_FROM -> "display_from";
            case DISPLAY_TO -> "display_to";
        };
    }

    /**
     * {@code SELECT <uid>, <date or nullDate>, k.<string columns>} for the builder's fields; the caller
     * appends FROM and WHERE, ordered by UID.
     */
    public static StringBuilder select(SortKeyColumns.Builder shape, String uidColumn, String nullDate) {
        StringBuilder sql = new StringBuilder("SELECT ").append(uidColumn).append(", ")
                .append(shape.wantsDates() ? "k.sent_date" : nullDate);
        for (var f : shape.stringFields()) sql.append(", k.").append(column(f));
        return sql;
    }

    /** Collects rows selected by {@link #select} into a builder, one {@link #add} per row. */
    public static final class Reader {
        private final SortKeyColumns.Builder shape;
        private final String[] row;

        public Reader(SortKeyColumns.Builder shape) {
            this.shape = shape;
            this.row = new String[shape.stringFields().length];
        }

        public void add(ResultSet rs) throws SQLException {
            long sent = rs.getLong(2);
            if (rs.wasNull()) sent = MessageSortKeys.NO_DATE;
            for (int i = 0; i < row.length; i++) row[i] = rs.getString(3 + i);
            shape.add(rs.getLong(1), sent, row);
        }

        public SortKeyColumns build() {
            return shape.build();
        }
    }
}
