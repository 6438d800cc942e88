// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Predicate;
import org.postern.core.mime.MimeMessage;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.Ids;
import org.postern.jmap.JmapApi;
import org.postern.jmap.proto.MethodError;
import org.postern.search.SearchIndex;
import org.postern.store.MailboxIndex;

/**
 * Email/query (RFC 8621 §4.4) over the store's mailbox indexes. Without an anchor only the first
 * {@code position + limit} results can be returned, so they are selected (a bounded heap) rather than
 * the whole result sorted; the rest are only counted. Rows are scanned newest UID first, so under the
 * usual newest-first sorts nearly every row loses its one comparison with the heap's worst and costs
 * no allocation. Id strings are built only for the rows compared on ties and for the returned window.
 */
public final class EmailQuery {
    private EmailQuery() {}

    /**
     * Answers Email/query's text conditions from {@code index} (null: by reading every message), as
     * IMAP SEARCH does. Call before serving.
     */
    public static void register(JmapApi api, SearchIndex index) {
        api.register(JmapApi.MAIL, "Email/query", (a, c) -> query(a, c, index));
    }

    static ObjectNode query(ObjectNode args, CallContext ctx) throws MethodError {
        return query(args, ctx, null);
    }

    static ObjectNode query(ObjectNode args, CallContext ctx, SearchIndex index) throws MethodError {
        Args.only(args, Set.of("accountId", "filter", "sort", "position", "anchor", "anchorOffset", "limit",
                "calculateTotal", "collapseThreads"));
        ctx.checkAccount(args);
        boolean collapse = Args.bool(args, "collapseThreads", false);
        JsonNode f = args.get("filter");
        ThreadKeywords threads = new ThreadKeywords(ctx);
        Predicate<EmailSorts.Row> filter = EmailFilters.of(f, threads, TextConditions.of(index, ctx.account().id()));
        Comparator<EmailSorts.Row> order = EmailSorts.of(args.get("sort"), threads);
        long position = Args.integer(args, "position", 0, Long.MIN_VALUE + 1);
        long limit = Args.integer(args, "limit", Queries.MAX_LIMIT, Long.MIN_VALUE + 1);
        if (limit < 0) throw MethodError.invalidArguments("limit must not be negative");
        Messages.View view = Messages.view(ctx);
        String state = view.state();
        List<MailboxIndex> sources = sources(view, f);
        // Every row of the sources matches: no filter, or only the mailbox the sources are.
        boolean everyRow = f == null || f.isNull() || f.isObject() && f.size() == 1 && f.path("inMailbox").isTextual();
        // A negative position counts from the end, and an anchor may be anywhere: both need every row in order.
        boolean all = args.hasNonNull("anchor") || position < 0;
        int want = all ? -1 : (int) Math.min(Integer.MAX_VALUE - 1, position + Math.min(limit, Queries.MAX_LIMIT));
        Result r;
        try {
            int dateFirst = EmailSorts.receivedAtFirst(args.get("sort"));
            if (collapse && all) {
                // An anchor or a position from the end needs every thread in order.
                r = collapse(ctx, sortAll(sources, ctx, filter, order), Integer.MAX_VALUE);
            } else if (collapse) {
                r = selectThreads(sources, ctx, everyRow ? null : filter, order, dateFirst, want);
                if (Args.bool(args, "calculateTotal", false)) {
                    // The total counts threads (RFC 8621 §4.4.3): counted, not sorted. The window holds
                    // every selected thread, so fewer than wanted means those are all of them.
                    int total = r.rows().size() < want ? r.rows().size() : threadTotal(sources, ctx, everyRow ? null : filter, view);
                    r = new Result(r.rows(), total);
                }
            } else {
                r = all ? sortAll(sources, ctx, filter, order) : select(sources, ctx, everyRow ? null : filter, order, dateFirst, want);
            }
        } catch (UncheckedIOException e) {
            throw new MethodError("serverFail", "a message could not be read");
        } catch (TextConditions.TooCostly e) {
            throw new MethodError("serverFail", "search too costly");
        }
        Result result = r;
        List<EmailSorts.Row> top = r.rows();
        List<String> ids = new AbstractList<>() {
            @Override
            public String get(int i) {
                // Queries.window reads only the window, which lies within the selected rows.
                return top.get(i).id();
            }

            @Override
            public int size() {
                return result.matched();
            }
        };
        return Queries.window(args, ctx, ids, state, EmailQueryChanges.canCalculate(f, args.get("sort")));
    }

    /** The first rows in order, and how many rows matched in all. */
    private record Result(List<EmailSorts.Row> rows, int matched) {}

    /**
     * collapseThreads (RFC 8621 §4.4.3): the first {@code want} rows that are each the first of their
     * thread in the sort order. Selects a few more rows than wanted and looks up only their threads,
     * growing the selection until enough threads are found or no row is left: a page of a big mailbox
     * costs the thread ids of about a page, not of the mailbox.
     */
    private static Result selectThreads(List<MailboxIndex> sources, CallContext ctx, Predicate<EmailSorts.Row> filter,
            Comparator<EmailSorts.Row> order, int dateFirst, int want) {
        long k = Math.max(16, 2L * want + 16);
        while (true) {
            Result some = select(sources, ctx, filter, order, dateFirst, (int) Math.min(Integer.MAX_VALUE - 1, k));
            boolean exhausted = some.rows().size() >= some.matched();
            Result threads = collapse(ctx, some, want);
            if (threads.rows().size() >= want || exhausted) return threads;
            k *= 4;
        }
    }

    /** The rows of {@code r} that come first in their thread, at most {@code max}. */
    private static Result collapse(CallContext ctx, Result r, int max) {
        List<String> blobs = new ArrayList<>(r.rows().size());
        for (EmailSorts.Row row : r.rows()) blobs.add(row.blobId());
        java.util.Map<String, Long> threads = Threads.byBlob(ctx, blobs);
        java.util.Set<Object> seen = new java.util.HashSet<>();
        List<EmailSorts.Row> out = new ArrayList<>();
        for (EmailSorts.Row row : r.rows()) {
            if (out.size() >= max) break;
            Long t = threads.get(row.blobId());
            // A body without a thread id is its own thread.
            if (seen.add(t == null ? row.id() : t)) out.add(row);
        }
        return new Result(out, out.size());
    }

    /**
     * How many threads have a row that matches (RFC 8621 §4.4.3), without ordering them. A whole
     * mailbox's count is {@link Threads#counts}, kept per mailbox state; otherwise the matching rows'
     * thread ids are looked up in one batch (only those not cached yet) and counted.
     */
    private static int threadTotal(List<MailboxIndex> sources, CallContext ctx, Predicate<EmailSorts.Row> filter,
            Messages.View view) {
        if (filter == null && sources.size() == 1) return Threads.counts(ctx, view, sources.getFirst().mailbox()).total();
        long acc = ctx.account().id();
        IndexRow r = new IndexRow(ctx);
        int[][] matching = new int[sources.size()][];
        List<String> missing = new ArrayList<>();
        for (int s = 0; s < sources.size(); s++) {
            MailboxIndex x = sources.get(s);
            int[] hits = new int[x.size()];
            int n = 0;
            for (int i = 0; i < x.size(); i++) {
                if (filter != null) {
                    r.at(x, i);
                    if (!filter.test(r)) continue;
                }
                hits[n++] = i;
                if (ctx.threads().cached(acc, x.blobId(i)) == null) missing.add(x.blobId(i));
            }
            matching[s] = java.util.Arrays.copyOf(hits, n);
        }
        if (!missing.isEmpty()) ctx.threads().load(ctx.store(), ctx.account().id(), missing);
        java.util.Set<Object> seen = new java.util.HashSet<>();
        for (int s = 0; s < sources.size(); s++) {
            MailboxIndex x = sources.get(s);
            for (int i : matching[s]) {
                Long t = ctx.threads().cached(acc, x.blobId(i));
                // A body without a thread id is its own thread, as in collapse().
                seen.add(t == null ? (Object) Ids.email(x.mailbox().id(), x.uid(i)) : t);
            }
        }
        return seen.size();
    }

    /** A FilterCondition naming one mailbox (with or without other conditions) needs only that mailbox. */
    private static List<MailboxIndex> sources(Messages.View view, JsonNode f) {
        if (f != null && f.isObject() && !f.has("operator") && f.path("inMailbox").isTextual()) {
            return view.index(Ids.mailboxOf(f.get("inMailbox").asText())).map(List::of).orElse(List.of());
        }
        return view.indexes();
    }

    /**
     * {@code filter} null: every row matches. {@code dateFirst} -1 or 1: the order is by receivedAt
     * (newest or oldest first) before anything else, so once the heap is full a row with a strictly
     * worse date is rejected on the date alone, without a call through the comparator.
     */
    private static Result select(List<MailboxIndex> sources, CallContext ctx, Predicate<EmailSorts.Row> filter,
            Comparator<EmailSorts.Row> order, int dateFirst, int want) {
        // The heap's head is the worst row kept.
        // A huge position must not size the heap: it grows only with the rows that match.
        PriorityQueue<EmailSorts.Row> heap = new PriorityQueue<>(Math.min(want, Queries.MAX_LIMIT) + 1, order.reversed());
        int matched = 0;
        IndexRow r = new IndexRow(ctx);
        boolean byDate = dateFirst != 0 && filter == null;
        long worst = 0;
        for (MailboxIndex x : sources) {
            if (want == 0 && filter == null) {
                matched += x.size();
                continue;
            }
            for (int i = x.size() - 1; i >= 0; i--) {
                if (byDate && heap.size() == want) {
                    long d = x.internalDateMillis(i);
                    if (dateFirst < 0 ? d < worst : d > worst) {
                        matched++;
                        continue;
                    }
                }
                r.at(x, i);
                if (filter != null && !filter.test(r)) continue;
                matched++;
                if (heap.size() < want) {
                    heap.add(r);
                    r = new IndexRow(ctx);
                } else if (want > 0 && order.compare(r, heap.peek()) < 0) {
                    heap.poll();
                    heap.add(r);
                    r = new IndexRow(ctx);
                } else {
                    continue;
                }
                worst = heap.peek().receivedAt();
            }
        }
        List<EmailSorts.Row> rows = new ArrayList<>(heap);
        rows.sort(order);
        return new Result(rows, matched);
    }

    private static Result sortAll(List<MailboxIndex> sources, CallContext ctx, Predicate<EmailSorts.Row> filter,
            Comparator<EmailSorts.Row> order) {
        List<EmailSorts.Row> rows = new ArrayList<>();
        IndexRow r = new IndexRow(ctx);
        for (MailboxIndex x : sources) {
            for (int i = 0; i < x.size(); i++) {
                r.at(x, i);
                if (!filter.test(r)) continue;
                rows.add(r);
                r = new IndexRow(ctx);
            }
        }
        rows.sort(order);
        return new Result(rows, rows.size());
    }

    /** Message {@code i} of an index; the id is built and the message parsed only when asked for. */
    private static final class IndexRow implements EmailSorts.Row, TextConditions.Indexed {
        private final CallContext ctx;
        private MailboxIndex index;
        private int i;
        private String id;
        private MimeMessage message;

        IndexRow(CallContext ctx) {
            this.ctx = ctx;
        }

        void at(MailboxIndex index, int i) {
            this.index = index;
            this.i = i;
            id = null;
            message = null;
        }

        @Override
        public long mailboxId() {
            return index.mailbox().id();
        }

        @Override
        public long uid() {
            return index.uid(i);
        }

        @Override
        public long receivedAt() {
            return index.internalDateMillis(i);
        }

        @Override
        public long size() {
            return index.messageSize(i);
        }

        @Override
        public Set<String> flags() {
            return index.flags(i);
        }

        @Override
        public String blobId() {
            return index.blobId(i);
        }

        @Override
        public String id() {
            if (id == null) id = Ids.email(index.mailbox().id(), index.uid(i));
            return id;
        }

        @Override
        public MimeMessage message() {
            if (message == null) message = ctx.messages().get(index.blobId(i));
            return message;
        }
    }
}
