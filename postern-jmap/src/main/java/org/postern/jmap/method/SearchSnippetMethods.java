// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.postern.core.mime.MimeMessage;
import org.postern.core.mime.TextExtractor;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.JmapApi;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;

/**
 * SearchSnippet/get (RFC 8621 §5.1): the subject and a body excerpt of each email with the filter's
 * search terms (text, subject, body) marked with &lt;mark&gt;. Everything else is HTML-escaped, so
 * a snippet is safe to insert as HTML. Matching is the same case-insensitive substring match as
 * Email/query.
 */
public final class SearchSnippetMethods {
    static final int PREVIEW_CHARS = 200;

    private SearchSnippetMethods() {}

    public static void register(JmapApi api) {
        api.register(JmapApi.MAIL, "SearchSnippet/get", SearchSnippetMethods::get);
    }

    static ObjectNode get(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "filter", "emailIds"));
        ctx.checkAccount(args);
        List<String> ids = Args.ids(args, "emailIds", ctx.limits().maxObjectsInGet());
        if (ids == null) throw MethodError.invalidArguments("emailIds is required");
        EmailFilters.of(args.get("filter")); // same validation as Email/query
        List<String> terms = new ArrayList<>();
        collect(args.get("filter"), terms, 0);
        ObjectNode out = Json.object();
        out.put("accountId", ctx.accountId());
        ArrayNode list = out.putArray("list");
        ArrayNode notFound = Json.array();
        Messages.View view = Messages.view(ctx);
        for (String id : ids) {
            Optional<Messages.Entry> e = view.find(id, 'e');
            if (e.isEmpty()) {
                notFound.add(id);
                continue;
            }
            MimeMessage m = ctx.messages().get(e.get().record().blobId());
            ObjectNode s = list.addObject();
            s.put("emailId", id);
            JsonNode subject = HeaderForms.last(m.headers(), "Subject", "Text");
            s.put("subject", terms.isEmpty() || subject.isNull() ? null : mark(subject.asText(), terms));
            s.put("preview", terms.isEmpty() ? null : excerpt(TextExtractor.text(m, 200_000).replaceAll("\\s+", " "), terms));
        }
        out.set("notFound", notFound.isEmpty() ? null : notFound);
        return out;
    }

    private static void collect(JsonNode f, List<String> terms, int depth) {
        if (f == null || !f.isObject() || depth > EmailFilters.MAX_DEPTH) return;
        if (f.has("operator")) {
            if (f.path("operator").asText().equals("NOT")) return;
            for (JsonNode c : f.path("conditions")) collect(c, terms, depth + 1);
            return;
        }
        for (String k : List.of("text", "subject", "body")) {
            if (f.path(k).isTextual() && !f.path(k).asText().isBlank()) terms.add(f.path(k).asText().toLowerCase(Locale.ROOT));
        }
    }

    /** The text HTML-escaped with every term occurrence in &lt;mark&gt;; null when nothing matched. */
    static String mark(String text, List<String> terms) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.length() != text.length()) lower = text; // case folding changed lengths: match exactly
        StringBuilder b = new StringBuilder();
        boolean any = false;
        int i = 0;
        while (i < text.length()) {
            String hit = null;
            for (String t : terms) {
                if (lower.startsWith(t, i) && (hit == null || t.length() > hit.length())) hit = t;
            }
            if (hit != null) {
                b.append("<mark>").append(escape(text.substring(i, i + hit.length()))).append("</mark>");
                i += hit.length();
                any = true;
            } else {
                b.append(escape(text.substring(i, i + 1)));
                i++;
            }
        }
        return any ? b.toString() : null;
    }

    static String excerpt(String text, List<String> terms) {
        String lower = text.toLowerCase(Locale.ROOT);
        int first = -1;
        for (String t : terms) {
            int at = lower.indexOf(t);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        if (first < 0) return null;
        int start = Math.max(0, first - PREVIEW_CHARS / 4);
        int end = Math.min(text.length(), start + PREVIEW_CHARS);
        return mark(text.substring(start, end), terms);
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
