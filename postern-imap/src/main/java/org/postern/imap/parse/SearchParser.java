// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.postern.core.Flags;

/**
 * The grammar of SEARCH (RFC 3501 §6.4.4 / RFC 9051 §6.4.4) with RETURN options (RFC 4731, RFC 5182),
 * MODSEQ (RFC 7162 §3.1.5), YOUNGER/OLDER (RFC 5032), SAVEDBEFORE/ON/SINCE (RFC 8514), EMAILID and
 * THREADID (RFC 8474); and of SORT (RFC 5256, RFC 5267, RFC 5957) and THREAD (RFC 5256), which share
 * the search keys. Part of {@link CommandParser}: pure, nesting bounded by
 * {@value CommandParser#MAX_SEARCH_DEPTH}.
 */
final class SearchParser {
    private SearchParser() {}

    /**
     * sort = ["UID" SP] "SORT" [SP "RETURN" SP search-return-opts] SP sort-criteria SP charset SP
     * search-key *(SP search-key) (RFC 5256 §5, RFC 5267 §3.2); the charset is mandatory here.
     */
    static Command sort(Tokens t, boolean uid) throws ParseException {
        t.sp();
        java.util.Set<Command.SearchReturn> returns = null;
        if (t.acceptWord("RETURN")) {
            t.sp();
            returns = searchReturns(t);
            if (returns.contains(Command.SearchReturn.SAVE)) throw new ParseException("SAVE is not a SORT return option");
            t.sp();
        }
        t.expect('(');
        List<Command.SortCriterion> criteria = new ArrayList<>();
        do {
            boolean reverse = t.acceptWord("REVERSE");
            if (reverse) t.sp();
            String k = t.keyword();
            try {
                criteria.add(new Command.SortCriterion(Command.SortKey.valueOf(k), reverse));
            } catch (IllegalArgumentException e) {
                throw new ParseException("Unknown sort key " + k);
            }
            if (criteria.size() > 20) throw new ParseException("Too many sort keys");
        } while (t.accept(' '));
        t.expect(')');
        t.sp();
        String charset = t.astring().toUpperCase(Locale.ROOT);
        if (!charset.equals("UTF-8") && !charset.equals("US-ASCII")) {
            // The handler answers NO [BADCHARSET]; a missing search key is still a syntax error.
            t.sp();
            t.skipToEnd();
            return new Command.Sort(uid, criteria, charset, new SearchKey.All(), returns);
        }
        List<SearchKey> keys = new ArrayList<>();
        do {
            t.sp();
            keys.add(searchKey(t, 0, uid));
        } while (t.peekIs(' '));
        return new Command.Sort(uid, criteria, charset, keys.size() == 1 ? keys.getFirst() : new SearchKey.And(keys), returns);
    }

    /** thread = ["UID" SP] "THREAD" SP thread-alg SP search-charset 1*(SP search-key) (RFC 5256 §5). */
    static Command thread(Tokens t, boolean uid) throws ParseException {
        t.sp();
        String alg = t.keyword();
        Command.ThreadAlgorithm a;
        try {
            a = Command.ThreadAlgorithm.valueOf(alg);
        } catch (IllegalArgumentException e) {
            throw new ParseException("Unknown THREAD algorithm " + alg);
        }
        t.sp();
        String charset = t.astring().toUpperCase(Locale.ROOT);
        if (!charset.equals("UTF-8") && !charset.equals("US-ASCII")) {
            t.sp();
            t.skipToEnd();
            return new Command.Thread(uid, a, charset, new SearchKey.All());
        }
        List<SearchKey> keys = new ArrayList<>();
        do {
            t.sp();
            keys.add(searchKey(t, 0, uid));
        } while (t.peekIs(' '));
        return new Command.Thread(uid, a, charset, keys.size() == 1 ? keys.getFirst() : new SearchKey.And(keys));
    }

    /** search-return-opts = "(" [search-return-opt *(SP search-return-opt)] ")"; empty means ALL. */
    private static java.util.Set<Command.SearchReturn> searchReturns(Tokens t) throws ParseException {
        t.expect('(');
        java.util.Set<Command.SearchReturn> returns = java.util.EnumSet.noneOf(Command.SearchReturn.class);
        while (!t.peekIs(')')) {
            if (!returns.isEmpty()) t.sp();
            String o = t.keyword();
            try {
                returns.add(Command.SearchReturn.valueOf(o));
            } catch (IllegalArgumentException e) {
                throw new ParseException("Unknown SEARCH RETURN option " + o);
            }
        }
        t.expect(')');
        if (returns.isEmpty()) returns.add(Command.SearchReturn.ALL);
        return returns;
    }

    static Command search(Tokens t, boolean uid) throws ParseException {
        t.sp();
        java.util.Set<Command.SearchReturn> returns = null;
        if (t.acceptWord("RETURN")) {
            // RFC 4731 §3.1: search-return-opts; RFC 5182 §2.2 SAVE
            t.sp();
            returns = searchReturns(t);
            t.sp();
        }
        String charset = null;
        if (t.acceptWord("CHARSET")) {
            t.sp();
            charset = t.astring().toUpperCase(Locale.ROOT);
            if (!charset.equals("UTF-8") && !charset.equals("US-ASCII")) {
                // The handler answers NO [BADCHARSET]; the strings cannot be decoded, so stop here.
                t.skipToEnd();
                return new Command.Search(uid, charset, new SearchKey.All(), returns);
            }
            t.sp();
        }
        List<SearchKey> keys = new ArrayList<>();
        do {
            keys.add(searchKey(t, 0, uid));
        } while (t.accept(' '));
        return new Command.Search(uid, charset, keys.size() == 1 ? keys.getFirst() : new SearchKey.And(keys), returns);
    }

    private static SearchKey searchKey(Tokens t, int depth, boolean uidCommand) throws ParseException {
        if (depth > CommandParser.MAX_SEARCH_DEPTH) throw new ParseException("SEARCH nested too deeply");
        if (t.accept('(')) {
            List<SearchKey> keys = new ArrayList<>();
            do {
                keys.add(searchKey(t, depth + 1, uidCommand));
            } while (t.accept(' '));
            t.expect(')');
            return keys.size() == 1 ? keys.getFirst() : new SearchKey.And(keys);
        }
        int c = t.peek();
        if ((c >= '0' && c <= '9') || c == '*' || c == '$') return new SearchKey.Sequence(CommandParser.sequenceSet(t, false));
        String k = t.keyword();
        return switch (k) {
            case "ALL" -> new SearchKey.All();
            case "ANSWERED" -> new SearchKey.Flag(Flags.ANSWERED, true);
            case "UNANSWERED" -> new SearchKey.Flag(Flags.ANSWERED, false);
            case "DELETED" -> new SearchKey.Flag(Flags.DELETED, true);
            case "UNDELETED" -> new SearchKey.Flag(Flags.DELETED, false);
            case "DRAFT" -> new SearchKey.Flag(Flags.DRAFT, true);
            case "UNDRAFT" -> new SearchKey.Flag(Flags.DRAFT, false);
            case "FLAGGED" -> new SearchKey.Flag(Flags.FLAGGED, true);
            case "UNFLAGGED" -> new SearchKey.Flag(Flags.FLAGGED, false);
            case "SEEN" -> new SearchKey.Flag(Flags.SEEN, true);
            case "UNSEEN" -> new SearchKey.Flag(Flags.SEEN, false);
            case "RECENT" -> new SearchKey.Recent(true);
            case "OLD" -> new SearchKey.Recent(false);
            case "NEW" -> new SearchKey.And(List.of(new SearchKey.Recent(true), new SearchKey.Flag(Flags.SEEN, false)));
            case "KEYWORD", "UNKEYWORD" -> {
                t.sp();
                String kw = t.atom();
                yield new SearchKey.Flag(kw, k.equals("KEYWORD"));
            }
            case "BCC", "CC", "FROM", "SUBJECT", "TO" -> {
                t.sp();
                yield new SearchKey.Header(k, t.astring());
            }
            case "HEADER" -> {
                t.sp();
                String field = t.astring();
                if (!CommandParser.isFieldName(field)) throw new ParseException("Invalid header field name");
                t.sp();
                yield new SearchKey.Header(field, t.astring());
            }
            case "BODY" -> {
                t.sp();
                yield new SearchKey.Body(t.astring());
            }
            case "TEXT" -> {
                t.sp();
                yield new SearchKey.Text(t.astring());
            }
            case "BEFORE", "ON", "SINCE" -> {
                t.sp();
                yield new SearchKey.Date(SearchKey.DateOp.valueOf(k), CommandParser.date(t), false);
            }
            case "SENTBEFORE", "SENTON", "SENTSINCE" -> {
                t.sp();
                yield new SearchKey.Date(SearchKey.DateOp.valueOf(k.substring(4)), CommandParser.date(t), true);
            }
            case "LARGER", "SMALLER" -> {
                t.sp();
                yield new SearchKey.Size(k.equals("LARGER"), t.number());
            }
            case "UID" -> {
                t.sp();
                yield new SearchKey.Uid(CommandParser.sequenceSet(t, true));
            }
            case "NOT" -> {
                t.sp();
                yield new SearchKey.Not(searchKey(t, depth + 1, uidCommand));
            }
            case "MODSEQ" -> {
                t.sp();
                if (t.peekIs('"')) {
                    // RFC 7162 §3.1.5: entry-name entry-type-req; one MODSEQ per message here, so ignored.
                    t.string();
                    t.sp();
                    String type = t.keyword();
                    if (!type.equals("PRIV") && !type.equals("SHARED") && !type.equals("ALL")) {
                        throw new ParseException("Invalid MODSEQ entry type");
                    }
                    t.sp();
                }
                yield new SearchKey.ModSeq(CommandParser.modSeq(t, true));
            }
            case "YOUNGER", "OLDER" -> {
                t.sp();
                yield new SearchKey.Within(k.equals("YOUNGER"), t.nzNumber());
            }
            case "SAVEDBEFORE", "SAVEDON", "SAVEDSINCE" -> {
                t.sp();
                yield new SearchKey.SaveDate(SearchKey.DateOp.valueOf(k.substring(5)), CommandParser.date(t));
            }
            case "SAVEDATESUPPORTED" -> new SearchKey.All();
            case "EMAILID", "THREADID" -> {
                t.sp();
                String id = t.atom();
                if (id.length() > 255) throw new ParseException("Object id too long");
                yield new SearchKey.ObjectId(k.equals("THREADID"), id);
            }
            case "OR" -> {
                t.sp();
                SearchKey a = searchKey(t, depth + 1, uidCommand);
                t.sp();
                yield new SearchKey.Or(a, searchKey(t, depth + 1, uidCommand));
            }
            default -> throw new ParseException("Unknown SEARCH key " + k);
        };
    }
}
