// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.postern.jmap.CallContext;

/**
 * The thread forms of keyword filters and sorts (RFC 8621 §4.4.1 allInThreadHaveKeyword,
 * someInThreadHaveKeyword, noneInThreadHaveKeyword; §4.4.2 the same as sorts): whether some or all
 * emails of a row's thread have a keyword. Computed once per keyword and call over every email of the
 * account, and only when a query uses these forms.
 */
final class ThreadKeywords {
    /** For a thread: how many of its emails have the keyword, and how many do not. */
    private record Tally(int with, int without) {}

    private final CallContext ctx;
    private Map<String, Long> threadOfBlob;
    private final Map<String, Map<Object, Tally>> byKeyword = new HashMap<>();

    ThreadKeywords(CallContext ctx) {
        this.ctx = ctx;
    }

    boolean some(EmailSorts.Row r, String keyword) {
        Tally t = tally(keyword).get(key(r));
        return t == null ? Keywords.has(r.flags(), keyword) : t.with() > 0;
    }

    boolean all(EmailSorts.Row r, String keyword) {
        Tally t = tally(keyword).get(key(r));
        return t == null ? Keywords.has(r.flags(), keyword) : t.without() == 0;
    }

    private Object key(EmailSorts.Row r) {
        Long t = threads().get(r.blobId());
        return t == null ? r.id() : t;
    }

    private Map<String, Long> threads() {
        if (threadOfBlob == null) {
            List<Messages.Entry> all = Messages.view(ctx).all();
            List<String> blobs = new java.util.ArrayList<>(all.size());
            for (Messages.Entry e : all) blobs.add(e.record().blobId());
            threadOfBlob = Threads.byBlob(ctx, blobs);
        }
        return threadOfBlob;
    }

    private Map<Object, Tally> tally(String keyword) {
        return byKeyword.computeIfAbsent(keyword, k -> {
            Map<Object, Tally> m = new HashMap<>();
            Map<String, Long> t = threads();
            for (Messages.Entry e : Messages.view(ctx).all()) {
                Long id = t.get(e.record().blobId());
                Object key = id == null ? e.id() : id;
                boolean has = Keywords.has(e.record().flags(), k);
                m.merge(key, has ? new Tally(1, 0) : new Tally(0, 1), (a, b) -> new Tally(a.with() + b.with(), a.without() + b.without()));
            }
            return m;
        });
    }
}
