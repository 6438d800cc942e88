// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.postern.core.mime.Header;
import org.postern.jmap.Ids;
import org.postern.jmap.proto.MethodError;

/**
 * Email/query FilterOperator and FilterCondition (RFC 8620 §5.5, RFC 8621 §4.4.1). Text matching is
 * case-insensitive substring search over decoded header text and extracted body text; the text
 * conditions are {@link TextConditions}'.
 */
final class EmailFilters {
    static final int MAX_DEPTH = 16;

    private EmailFilters() {}

    static Predicate<EmailSorts.Row> of(JsonNode f) throws MethodError {
        return of(f, null, TextConditions.scanning(), 0);
    }

    /**
     * {@code threads} answers the thread forms of keyword conditions (null: each email its own thread);
     * {@code texts} the text conditions (from the full-text index when it has one).
     */
    static Predicate<EmailSorts.Row> of(JsonNode f, ThreadKeywords threads, TextConditions texts) throws MethodError {
        return of(f, threads, texts, 0);
    }

    private static Predicate<EmailSorts.Row> of(JsonNode f, ThreadKeywords threads, TextConditions texts, int depth)
            throws MethodError {
        if (f == null || f.isNull()) return r -> true;
        if (!f.isObject()) throw MethodError.invalidArguments("filter must be an object");
        if (depth > MAX_DEPTH) throw MethodError.unsupportedFilter("filter nested too deep");
        if (f.has("operator")) {
            List<Predicate<EmailSorts.Row>> subs = new ArrayList<>();
            JsonNode conds = f.get("conditions");
            if (conds == null || !conds.isArray()) throw MethodError.invalidArguments("conditions must be an array");
            for (JsonNode c : conds) subs.add(of(c, threads, texts, depth + 1));
            return switch (f.get("operator").asText("")) {
                case "AND" -> r -> subs.stream().allMatch(p -> p.test(r));
                case "OR" -> r -> subs.stream().anyMatch(p -> p.test(r));
                case "NOT" -> r -> subs.stream().noneMatch(p -> p.test(r));
                default -> throw MethodError.unsupportedFilter("unknown operator");
            };
        }
        Predicate<EmailSorts.Row> p = r -> true;
        // Cheap conditions first: a text condition is then asked only of rows the others let through.
        Predicate<EmailSorts.Row> text = r -> true;
        for (var e : f.properties()) {
            if (TextConditions.isText(e.getKey())) {
                text = text.and(texts.condition(e.getKey(), text(e.getValue(), e.getKey())));
            } else {
                p = p.and(condition(e.getKey(), e.getValue(), threads));
            }
        }
        return p.and(text);
    }

    private static Predicate<EmailSorts.Row> condition(String name, JsonNode v, ThreadKeywords threads) throws MethodError {
        return switch (name) {
            case "inMailbox" -> {
                long mb = Ids.mailboxOf(text(v, name));
                yield r -> r.mailboxId() == mb;
            }
            case "inMailboxOtherThan" -> {
                if (!v.isArray()) throw MethodError.invalidArguments("inMailboxOtherThan must be an array");
                List<Long> ids = new ArrayList<>();
                for (JsonNode i : v) ids.add(Ids.mailboxOf(i.asText()));
                yield r -> !ids.contains(r.mailboxId());
            }
            case "before" -> {
                long t = ceilMillis(date(v, name));
                yield r -> r.receivedAt() < t;
            }
            case "after" -> {
                long t = ceilMillis(date(v, name));
                yield r -> r.receivedAt() >= t;
            }
            case "minSize" -> {
                long n = number(v, name);
                yield r -> r.size() >= n;
            }
            case "maxSize" -> {
                long n = number(v, name);
                yield r -> r.size() < n;
            }
            case "hasKeyword" -> {
                String k = keyword(v, name);
                yield r -> Keywords.has(r.flags(), k);
            }
            case "notKeyword" -> {
                String k = keyword(v, name);
                yield r -> !Keywords.has(r.flags(), k);
            }
            // RFC 8621 §4.4.1: over every email of the row's thread.
            case "allInThreadHaveKeyword" -> {
                String k = keyword(v, name);
                yield threads == null ? r -> Keywords.has(r.flags(), k) : r -> threads.all(r, k);
            }
            case "someInThreadHaveKeyword" -> {
                String k = keyword(v, name);
                yield threads == null ? r -> Keywords.has(r.flags(), k) : r -> threads.some(r, k);
            }
            case "noneInThreadHaveKeyword" -> {
                String k = keyword(v, name);
                yield threads == null ? r -> !Keywords.has(r.flags(), k) : r -> !threads.some(r, k);
            }
            case "hasAttachment" -> {
                if (!v.isBoolean()) throw MethodError.invalidArguments("hasAttachment must be a boolean");
                boolean want = v.asBoolean();
                yield r -> !new BodyParts(r.message(), r.blobId()).attachments.isEmpty() == want;
            }
            case "header" -> {
                if (!v.isArray() || v.isEmpty() || v.size() > 2) throw MethodError.invalidArguments("header must be [name] or [name, value]");
                String h = v.get(0).asText();
                String needle = v.size() == 2 ? lower(v.get(1).asText()) : null;
                yield r -> {
                    for (Header x : r.message().headers().fields(h)) {
                        if (needle == null || lower(HeaderForms.text(x.rawValue())).contains(needle)) return true;
                    }
                    return false;
                };
            }
            default -> throw MethodError.unsupportedFilter("unsupported filter condition " + name);
        };
    }

    private static String text(JsonNode v, String name) throws MethodError {
        if (!v.isTextual()) throw MethodError.invalidArguments(name + " must be a string");
        return v.asText();
    }

    private static String keyword(JsonNode v, String name) throws MethodError {
        String k = text(v, name);
        if (!Keywords.valid(k)) throw MethodError.invalidArguments("invalid keyword in " + name);
        return k;
    }

    private static long number(JsonNode v, String name) throws MethodError {
        if (!v.isIntegralNumber() || v.asLong() < 0) throw MethodError.invalidArguments(name + " must be an UnsignedInt");
        return v.asLong();
    }

    private static Instant date(JsonNode v, String name) throws MethodError {
        try {
            return Instant.parse(text(v, name));
        } catch (DateTimeParseException e) {
            throw MethodError.invalidArguments(name + " must be a UTCDate");
        }
    }

    /** Internal dates are whole milliseconds, so a date between two compares as the later one. */
    private static long ceilMillis(Instant t) {
        return t.toEpochMilli() + (t.getNano() % 1_000_000 == 0 ? 0 : 1);
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
