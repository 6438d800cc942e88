// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import java.time.LocalDate;
import java.util.List;

/** A SEARCH criterion (RFC 3501 §6.4.4). A list of keys is an {@link And}. */
public sealed interface SearchKey {
    record All() implements SearchKey {}

    record And(List<SearchKey> keys) implements SearchKey {
        public And {
            keys = List.copyOf(keys);
        }
    }

    record Or(SearchKey left, SearchKey right) implements SearchKey {}

    record Not(SearchKey key) implements SearchKey {}

    /** A system flag or keyword that must be set ({@code set}) or not set. */
    record Flag(String flag, boolean set) implements SearchKey {}

    /** RECENT (true) or OLD (false). NEW is {@code And(Recent(true), Flag(\Seen, false))}. */
    record Recent(boolean recent) implements SearchKey {}

    /** HEADER name value; also FROM, TO, CC, BCC, SUBJECT. An empty value matches any message with the field. */
    record Header(String field, String value) implements SearchKey {}

    record Body(String value) implements SearchKey {}

    record Text(String value) implements SearchKey {}

    enum DateOp { BEFORE, ON, SINCE }

    /** BEFORE/ON/SINCE (internal date) or SENTBEFORE/SENTON/SENTSINCE ({@code sent}, the Date: header). */
    record Date(DateOp op, LocalDate date, boolean sent) implements SearchKey {}

    record Size(boolean larger, long octets) implements SearchKey {}

    record Sequence(SequenceSet set) implements SearchKey {}

    record Uid(SequenceSet set) implements SearchKey {}

    /** MODSEQ (RFC 7162 §3.1.5): messages whose MODSEQ is at least {@code modSeq}; entry names are ignored. */
    record ModSeq(long modSeq) implements SearchKey {}

    /** YOUNGER / OLDER (RFC 5032): internal date within / not within the last {@code seconds}. */
    record Within(boolean younger, long seconds) implements SearchKey {}

    /** SAVEDBEFORE / SAVEDON / SAVEDSINCE (RFC 8514 §4.2); SAVEDATESUPPORTED is All. */
    record SaveDate(DateOp op, LocalDate date) implements SearchKey {}

    /** EMAILID / THREADID (RFC 8474 §6). */
    record ObjectId(boolean thread, String id) implements SearchKey {}
}
