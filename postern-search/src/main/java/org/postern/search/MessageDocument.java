// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.Term;

/**
 * How one message is laid out in the index. Trigram fields ({@link GramTokenStream}, no norms): {@code body}, {@code head} (the decoded header
 * block, for TEXT), {@code f.from} ... {@code f.subject} (the fields IMAP names as keys) and {@code hv}
 * (the values of every other field not found as they are in the decoded header block: the others are
 * searched in {@code head}). {@code hname} holds the field names present (HEADER with an empty
 * needle). The normalised text is stored ({@code s.*}) so candidates are confirmed from the index,
 * never by reading the message again.
 *
 * <p>Only the first {@link #MAX_GRAMS_TEXT} characters of each trigram field are indexed: indexing
 * cost grows with the text, and a needle is rarely only in the tail of a huge text part. A message cut
 * so carries {@link #CUT}; searches confirm every such message of the mailbox against its stored
 * (whole) text, so answers stay exact.
 */
final class MessageDocument {
    static final String MAILBOX = "mb";
    static final String ID = "id";
    static final String ACCOUNT = "acct";
    static final String UID = "uid";
    static final String READABLE = "ok";
    static final String BODY = "body";
    static final String HEAD = "head";
    static final String OTHER_VALUES = "hv";
    static final String NAMES = "hname";
    static final String FIELD_PREFIX = "f.";
    static final Set<String> OWN_FIELDS = Set.of("from", "to", "cc", "bcc", "subject");
    /** Longer field names are indexed cut to this length and confirmed. */
    static final int MAX_NAME = 200;
    /** Distinct field names per message (a hostile message may have thousands). */
    static final int MAX_NAMES = 500;
    static final String S_HEAD = "s.head";
    static final String S_BODY = "s.body";
    static final String S_FIELD = "s.f";
    /** Case-preserved {@link SnippetText}, for SearchSnippet. */
    static final String S_SUBJECT = "s.subj";
    static final String S_PREVIEW = "s.prev";
    static final Set<String> SNIPPET = Set.of(S_SUBJECT, S_PREVIEW);
    /** What {@link #stored} reads: the folded body may be only in {@link #S_PREVIEW} ({@link #body}). */
    static final Set<String> STORED = Set.of(S_HEAD, S_BODY, S_FIELD, S_PREVIEW);
    /** Set (term "1" and doc value 1) when some trigram field was indexed cut to {@link #MAX_GRAMS_TEXT}. */
    static final String CUT = "cut";
    /** Characters indexed per trigram field of one message. */
    static final int MAX_GRAMS_TEXT = 64 * 1024;

    static final FieldType GRAMS = new FieldType();

    static {
        // Positions make a needle's phrase of trigrams exact: without them every message holding the
        // trigrams somewhere would have to be confirmed from its stored text, which costs searches of
        // common words far more (tens of microseconds per candidate) than the positions cost to index.
        GRAMS.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS);
        GRAMS.setTokenized(true);
        GRAMS.setOmitNorms(true);
        GRAMS.freeze();
    }

    private MessageDocument() {}

    static String mailboxKey(long accountId, long mailboxId) {
        return accountId + "/" + mailboxId;
    }

    static Term idTerm(long accountId, long mailboxId, long uid) {
        return new Term(ID, mailboxKey(accountId, mailboxId) + "/" + uid);
    }

    static Document of(long accountId, long mailboxId, long uid, SearchText t, SnippetText snippet) {
        Document d = new Document();
        d.add(new StringField(MAILBOX, mailboxKey(accountId, mailboxId), Field.Store.NO));
        d.add(new StringField(ACCOUNT, Long.toString(accountId), Field.Store.NO));
        d.add(new StringField(ID, mailboxKey(accountId, mailboxId) + "/" + uid, Field.Store.NO));
        d.add(new NumericDocValuesField(UID, uid));
        if (!t.readable()) return d;
        d.add(new StringField(READABLE, "1", Field.Store.NO));
        boolean[] cut = new boolean[1];
        d.add(new Field(BODY, new GramTokenStream(capped(List.of(t.body()), cut)), GRAMS));
        d.add(new Field(HEAD, new GramTokenStream(capped(List.of(t.head()), cut)), GRAMS));
        // The folded body is most often the folded snippet body: then only the latter is stored (stored text
        // is compressed on every flush and merge) and the former derived from it when read ({@link #body}).
        if (snippet == null || !t.body().equals(SearchText.fold(snippet.body()))) d.add(new StoredField(S_BODY, t.body()));
        d.add(new StoredField(S_HEAD, t.head()));
        if (snippet != null) {
            d.add(new StoredField(S_SUBJECT, snippet.subject()));
            d.add(new StoredField(S_PREVIEW, snippet.body()));
        }
        List<String> other = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        java.util.Map<String, List<String>> own = new java.util.HashMap<>();
        int from = 0;
        for (SearchText.Field f : t.fields()) {
            if (names.size() < MAX_NAMES) names.add(cut(f.name()));
            if (OWN_FIELDS.contains(f.name())) {
                own.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(f.value());
            } else {
                // A value found as is in the header block is already indexed there ({@code head}), and
                // queries of other fields look in both: index only the others (folded or decoded apart).
                // Fields come in the block's order: look from the last one found on.
                int at = t.head().indexOf(f.value(), from);
                if (at >= 0) from = at + f.value().length();
                else other.add(f.value());
            }
            d.add(new StoredField(S_FIELD, f.name() + ":" + f.value()));
        }
        for (var e : own.entrySet()) {
            d.add(new Field(FIELD_PREFIX + e.getKey(), new GramTokenStream(capped(e.getValue(), cut)), GRAMS));
        }
        if (!other.isEmpty()) d.add(new Field(OTHER_VALUES, new GramTokenStream(capped(other, cut)), GRAMS));
        for (String n : names) d.add(new StringField(NAMES, n, Field.Store.NO));
        if (cut[0]) {
            d.add(new StringField(CUT, "1", Field.Store.NO));
            d.add(new NumericDocValuesField(CUT, 1));
        }
        return d;
    }

    /** The values cut to {@link #MAX_GRAMS_TEXT} characters in all; sets {@code cut[0]} when cut. */
    static List<String> capped(List<String> values, boolean[] cut) {
        long total = 0;
        for (String v : values) total += v.length();
        if (total <= MAX_GRAMS_TEXT) return values;
        cut[0] = true;
        List<String> out = new ArrayList<>();
        int left = MAX_GRAMS_TEXT;
        for (String v : values) {
            if (left <= 0) break;
            int end = Math.min(v.length(), left);
            if (end < v.length() && end > 0 && Character.isHighSurrogate(v.charAt(end - 1))) end--;
            out.add(v.substring(0, end));
            left -= end;
        }
        return out;
    }

    /** The stored fields that decide {@code q}. */
    static Set<String> storedFor(TextQuery q) {
        return switch (q) {
            case TextQuery.Body b -> Set.of(S_BODY, S_PREVIEW);
            case TextQuery.Text t -> Set.of(S_HEAD, S_BODY, S_PREVIEW);
            case TextQuery.Header h -> Set.of(S_FIELD);
        };
    }

    /**
     * {@link SearchText#matches} on the stored text of a document loaded with {@link #storedFor}: the
     * same answer, without building the text fields the query does not look at.
     */
    static boolean matches(Document d, TextQuery q) {
        return switch (q) {
            case TextQuery.Body b -> contains(body(d), b.needle());
            case TextQuery.Text t -> contains(d.get(S_HEAD), t.needle()) || contains(body(d), t.needle());
            case TextQuery.Header h -> {
                for (IndexableField f : d.getFields(S_FIELD)) {
                    String v = f.stringValue();
                    int colon = v.indexOf(':');
                    if (colon == h.field().length() && v.startsWith(h.field()) && v.indexOf(h.needle(), colon + 1) >= 0) {
                        yield true;
                    }
                }
                yield false;
            }
        };
    }

    /** The folded body: stored, or else the folded snippet body (null when neither is: unreadable). */
    static String body(Document d) {
        String body = d.get(S_BODY);
        if (body != null) return body;
        String preview = d.get(S_PREVIEW);
        return preview == null ? null : SearchText.fold(preview);
    }

    private static boolean contains(String text, String needle) {
        return text != null && text.contains(needle);
    }

    /** The normalised text back from the stored fields (loaded with {@link #STORED}). */
    static SearchText stored(Document d) {
        List<SearchText.Field> fields = new ArrayList<>();
        for (IndexableField f : d.getFields(S_FIELD)) {
            String v = f.stringValue();
            int colon = v.indexOf(':');
            fields.add(new SearchText.Field(v.substring(0, colon), v.substring(colon + 1)));
        }
        String body = body(d);
        String head = d.get(S_HEAD);
        if (body == null || head == null) return SearchText.UNREADABLE;
        return new SearchText(true, head, fields, body);
    }

    static String cut(String name) {
        return name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name;
    }
}
