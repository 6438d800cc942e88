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
 * How one message is laid out in the index. Trigram fields ({@link GramTokenStream}): {@code body},
 * {@code head} (the decoded header block, for TEXT), {@code f.from} ... {@code f.subject} (the fields
 * IMAP names as keys, exact without a second look) and {@code hv} (every other field's value, checked
 * against the stored text afterwards because it mixes fields). {@code hname} holds the field names
 * present (HEADER with an empty needle). The normalised text is stored ({@code s.*}) so candidates are
 * confirmed from the index, never by reading the message again.
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
    static final Set<String> STORED = Set.of(S_HEAD, S_BODY, S_FIELD);

    static final FieldType GRAMS = new FieldType();

    static {
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

    static Document of(long accountId, long mailboxId, long uid, SearchText t) {
        Document d = new Document();
        d.add(new StringField(MAILBOX, mailboxKey(accountId, mailboxId), Field.Store.NO));
        d.add(new StringField(ACCOUNT, Long.toString(accountId), Field.Store.NO));
        d.add(new StringField(ID, mailboxKey(accountId, mailboxId) + "/" + uid, Field.Store.NO));
        d.add(new NumericDocValuesField(UID, uid));
        if (!t.readable()) return d;
        d.add(new StringField(READABLE, "1", Field.Store.NO));
        d.add(new Field(BODY, new GramTokenStream(List.of(t.body())), GRAMS));
        d.add(new Field(HEAD, new GramTokenStream(List.of(t.head())), GRAMS));
        d.add(new StoredField(S_BODY, t.body()));
        d.add(new StoredField(S_HEAD, t.head()));
        List<String> other = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        java.util.Map<String, List<String>> own = new java.util.HashMap<>();
        for (SearchText.Field f : t.fields()) {
            if (names.size() < MAX_NAMES) names.add(cut(f.name()));
            if (OWN_FIELDS.contains(f.name())) own.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(f.value());
            else other.add(f.value());
            d.add(new StoredField(S_FIELD, f.name() + ":" + f.value()));
        }
        for (var e : own.entrySet()) d.add(new Field(FIELD_PREFIX + e.getKey(), new GramTokenStream(e.getValue()), GRAMS));
        if (!other.isEmpty()) d.add(new Field(OTHER_VALUES, new GramTokenStream(other), GRAMS));
        for (String n : names) d.add(new StringField(NAMES, n, Field.Store.NO));
        return d;
    }

    /** The normalised text back from the stored fields (loaded with {@link #STORED}). */
    static SearchText stored(Document d) {
        List<SearchText.Field> fields = new ArrayList<>();
        for (IndexableField f : d.getFields(S_FIELD)) {
            String v = f.stringValue();
            int colon = v.indexOf(':');
            fields.add(new SearchText.Field(v.substring(0, colon), v.substring(colon + 1)));
        }
        String body = d.get(S_BODY);
        String head = d.get(S_HEAD);
        if (body == null || head == null) return SearchText.UNREADABLE;
        return new SearchText(true, head, fields, body);
    }

    static String cut(String name) {
        return name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name;
    }
}
