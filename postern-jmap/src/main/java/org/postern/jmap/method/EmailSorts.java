// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.postern.core.mime.MimeMessage;
import org.postern.jmap.proto.MethodError;

/** Email/query sort (RFC 8621 §4.4.2). Ties fall back to newest first, then the id. */
public final class EmailSorts {
    public static final List<String> SUPPORTED = List.of("receivedAt", "size", "from", "to", "subject", "sentAt",
            "hasKeyword", "allInThreadHaveKeyword", "someInThreadHaveKeyword");

    private EmailSorts() {}

    /**
     * One message being filtered and sorted: its record's fields without building the record, and the
     * message parsed only when a header sort or filter needs it.
     */
    interface Row {
        long mailboxId();

        /** internalDate in milliseconds. */
        long receivedAt();

        long size();

        Set<String> flags();

        String blobId();

        /** The Email id; ties of every sort fall back to it. */
        String id();

        MimeMessage message();
    }

    static <R extends Row> Comparator<R> of(JsonNode sort) throws MethodError {
        return of(sort, null);
    }

    /** {@code threads} answers the thread forms of keyword sorts (RFC 8621 §4.4.2); null: each email alone. */
    static <R extends Row> Comparator<R> of(JsonNode sort, ThreadKeywords threads) throws MethodError {
        Comparator<R> fallback = (a, b) -> {
            int c = Long.compare(b.receivedAt(), a.receivedAt());
            return c != 0 ? c : a.id().compareTo(b.id());
        };
        if (sort == null || sort.isNull()) return fallback;
        if (!sort.isArray()) throw MethodError.invalidArguments("sort must be an array");
        Comparator<R> c = null;
        for (JsonNode s : sort) {
            if (!s.isObject() || !s.path("property").isTextual()) throw MethodError.invalidArguments("bad Comparator");
            String prop = s.get("property").asText();
            String keyword = s.path("keyword").asText(null);
            Comparator<R> one = switch (prop) {
                case "receivedAt" -> Comparator.comparingLong((R r) -> r.receivedAt());
                case "size" -> Comparator.comparingLong((R r) -> r.size());
                case "from" -> Comparator.comparing((R r) -> firstAddress(r, "From"));
                case "to" -> Comparator.comparing((R r) -> firstAddress(r, "To"));
                case "subject" -> Comparator.comparing((R r) -> baseSubject(r));
                case "sentAt" -> Comparator.comparing((R r) -> sentAt(r));
                case "hasKeyword", "allInThreadHaveKeyword", "someInThreadHaveKeyword" -> {
                    if (keyword == null || !Keywords.valid(keyword)) throw MethodError.invalidArguments(prop + " needs a keyword");
                    yield threads == null || prop.equals("hasKeyword") ? Comparator.comparing((R r) -> Keywords.has(r.flags(), keyword))
                            : prop.equals("allInThreadHaveKeyword") ? Comparator.comparing((R r) -> threads.all(r, keyword))
                            : Comparator.comparing((R r) -> threads.some(r, keyword));
                }
                default -> throw MethodError.unsupportedSort("cannot sort by " + prop);
            };
            if (!s.path("isAscending").asBoolean(true)) one = one.reversed();
            c = c == null ? one : c.thenComparing(one);
        }
        return c == null ? fallback : c.thenComparing(fallback);
    }

    /**
     * -1 when {@code sort} (already checked by {@link #of}) orders newest first by receivedAt before any
     * other key, as the fallback does; 1 when oldest first; 0 otherwise.
     */
    static int receivedAtFirst(JsonNode sort) {
        if (sort == null || sort.isNull() || sort.isEmpty()) return -1;
        JsonNode s = sort.get(0);
        if (!"receivedAt".equals(s.path("property").asText())) return 0;
        return s.path("isAscending").asBoolean(true) ? 1 : -1;
    }

    private static String firstAddress(Row r, String header) {
        JsonNode a = HeaderForms.last(r.message().headers(), header, "Addresses");
        if (!a.isArray() || a.isEmpty()) return "";
        JsonNode first = a.get(0);
        String name = first.path("name").asText("");
        return (name.isEmpty() ? first.path("email").asText("") : name).toLowerCase(Locale.ROOT);
    }

    /** Subject without Re:/Fwd: prefixes (RFC 5256 §2.1, simplified), case-folded. */
    static String baseSubject(Row r) {
        JsonNode s = HeaderForms.last(r.message().headers(), "Subject", "Text");
        String v = s.isNull() ? "" : s.asText();
        String prev;
        do {
            prev = v;
            v = v.replaceFirst("(?i)^\\s*(re|fwd?|aw|sv)\\s*(\\[[0-9]+\\])?\\s*:\\s*", "");
        } while (!v.equals(prev));
        return v.strip().toLowerCase(Locale.ROOT);
    }

    private static Instant sentAt(Row r) {
        JsonNode d = HeaderForms.last(r.message().headers(), "Date", "Date");
        if (d.isNull()) return Instant.ofEpochMilli(r.receivedAt());
        try {
            return java.time.OffsetDateTime.parse(d.asText()).toInstant();
        } catch (RuntimeException e) {
            return Instant.ofEpochMilli(r.receivedAt());
        }
    }
}
