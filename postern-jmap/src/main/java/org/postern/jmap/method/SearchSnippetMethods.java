// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
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
import org.postern.search.SearchIndex;
import org.postern.search.SnippetText;

/**
 * SearchSnippet/get (RFC 8621 §5.1): the subject and a body excerpt of each email with the filter's
 * search terms (text, subject, body) marked with &lt;mark&gt;. Everything else is HTML-escaped, so
 * a snippet is safe to insert as HTML. Matching is the same case-insensitive substring match as
 * Email/query. With a full-text index the subject and body text come from it (its case-preserved
 * {@link SnippetText}), so no message is read; a message not indexed yet is read as without one.
 */
public final class SearchSnippetMethods {
    static final int PREVIEW_CHARS = 200;

    private SearchSnippetMethods() {}

    public static void register(JmapApi api) {
        register(api, null);
    }

    /** As {@link #register(JmapApi)}, taking the snippets' text from {@code index} when not null. */
    public static void register(JmapApi api, SearchIndex index) {
        api.register(JmapApi.MAIL, "SearchSnippet/get", (args, ctx) -> get(args, ctx, index));
    }

    static ObjectNode get(ObjectNode args, CallContext ctx) throws MethodError {
        return get(args, ctx, null);
    }

    static ObjectNode get(ObjectNode args, CallContext ctx, SearchIndex index) throws MethodError {
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
            ObjectNode s = list.addObject();
            s.put("emailId", id);
            if (terms.isEmpty()) {
                s.putNull("subject");
                s.putNull("preview");
                continue;
            }
            SnippetText text = indexed(index, ctx, e.get()).orElseGet(() -> read(ctx, e.get()));
            s.put("subject", text.subject().isEmpty() ? null : mark(text.subject(), terms));
            s.put("preview", excerpt(text.body().replaceAll("\\s+", " "), terms));
        }
        out.set("notFound", notFound.isEmpty() ? null : notFound);
        return out;
    }

    private static Optional<SnippetText> indexed(SearchIndex index, CallContext ctx, Messages.Entry e) {
        if (index == null) return Optional.empty();
        try {
            return index.snippetText(ctx.account().id(), e.mailbox().id(), e.record().uid());
        } catch (IOException | RuntimeException failed) {
            return Optional.empty(); // the message itself still answers
        }
    }

    private static SnippetText read(CallContext ctx, Messages.Entry e) {
        MimeMessage m = ctx.messages().get(e.record().blobId());
        JsonNode subject = HeaderForms.last(m.headers(), "Subject", "Text");
        return new SnippetText(subject.isNull() ? "" : subject.asText(), TextExtractor.text(m, SnippetText.MAX_BODY));
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
