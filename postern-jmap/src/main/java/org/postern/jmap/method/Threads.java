// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.postern.jmap.CallContext;
import org.postern.jmap.Ids;
import org.postern.jmap.ThreadCache;

/**
 * JMAP thread ids (RFC 8621 §3): "T&lt;account&gt;-&lt;n&gt;" with the store's conversation id n,
 * character for character the THREADID IMAP reports (RFC 8474 §5.2), so every copy of a body and
 * every reply linked by References/In-Reply-To share one, whichever protocol is asked. A body the store could not thread (unreadable header) is its own thread, "t" and its
 * email's key, which §3 allows.
 */
final class Threads {
    private static final Pattern STORE_ID = Pattern.compile("T([1-9][0-9]{0,17})-([1-9][0-9]{0,17})");

    private Threads() {}

    /** The thread id of each entry, in order; one store round trip for the bodies not yet cached. */
    static List<String> of(CallContext ctx, List<Messages.Entry> entries) {
        List<String> blobs = new ArrayList<>(entries.size());
        for (Messages.Entry e : entries) blobs.add(e.record().blobId());
        Map<String, Long> t = ctx.threads().of(ctx.store(), ctx.account().id(), blobs);
        List<String> out = new ArrayList<>(entries.size());
        for (Messages.Entry e : entries) {
            Long id = t.get(e.record().blobId());
            String tid = id == null ? Ids.thread(e.mailbox().id(), e.record().uid()) : id(ctx, id);
            out.add(tid);
            ctx.threads().remember(ctx.account().id(), e.id(), tid);
        }
        return out;
    }

    static String of(CallContext ctx, Messages.Entry e) {
        return of(ctx, List.of(e)).getFirst();
    }

    static String of(CallContext ctx, String blobId, long mailboxId, long uid) {
        Long id = byBlob(ctx, List.of(blobId)).get(blobId);
        return id == null ? Ids.thread(mailboxId, uid) : id(ctx, id);
    }

    /** Thread ids by blob id (those the store could thread). */
    static Map<String, Long> byBlob(CallContext ctx, Collection<String> blobIds) {
        return ctx.threads().of(ctx.store(), ctx.account().id(), blobIds);
    }

    /**
     * Every thread of the account with its emails, sorted by receivedAt and then id (RFC 8621 §3.1:
     * "sorted by the receivedAt date of the Email, oldest first"). Touches every message of the
     * account: for Thread/get and Thread/changes, never for a mailbox listing.
     */
    static Map<String, List<Messages.Entry>> members(CallContext ctx, Messages.View view) {
        List<Messages.Entry> all = view.all();
        List<String> ids = of(ctx, all);
        Map<String, List<Messages.Entry>> out = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) out.computeIfAbsent(ids.get(i), k -> new ArrayList<>()).add(all.get(i));
        for (List<Messages.Entry> l : out.values()) {
            l.sort(java.util.Comparator.comparing((Messages.Entry e) -> e.record().internalDate()).thenComparing(Messages.Entry::id));
        }
        return out;
    }
    /**
     * The emails of the threads with the given store ids, each list sorted as {@link #members} sorts.
     * Scans the account's indexes with cached lookups only (the bodies not cached yet are threaded
     * first, in one batch), so a Thread/get costs no allocation per message of the account.
     */
    static Map<Long, List<Messages.Entry>> emailsOf(CallContext ctx, Messages.View view, java.util.Set<Long> storeIds) {
        long acc = ctx.account().id();
        List<String> missing = new ArrayList<>();
        for (var x : view.indexes()) {
            for (int i = 0; i < x.size(); i++) {
                if (ctx.threads().cached(acc, x.blobId(i)) == null) missing.add(x.blobId(i));
            }
        }
        if (!missing.isEmpty()) ctx.threads().load(ctx.store(), ctx.account().id(), missing);
        Map<Long, List<Messages.Entry>> out = new LinkedHashMap<>();
        for (var x : view.indexes()) {
            for (int i = 0; i < x.size(); i++) {
                Long t = ctx.threads().cached(acc, x.blobId(i));
                if (t != null && storeIds.contains(t)) out.computeIfAbsent(t, k -> new ArrayList<>()).add(new Messages.Entry(x.mailbox(), x.record(i)));
            }
        }
        for (List<Messages.Entry> l : out.values()) {
            l.sort(java.util.Comparator.comparing((Messages.Entry e) -> e.record().internalDate()).thenComparing(Messages.Entry::id));
        }
        return out;
    }

    /** The thread id of store conversation {@code n} of the caller's account (IMAP's THREADID form). */
    static String id(CallContext ctx, long n) {
        return "T" + ctx.account().id() + "-" + n;
    }

    /** The store id in a thread id of the caller's account, or null. */
    static Long storeId(CallContext ctx, String threadId) {
        if (threadId == null) return null;
        java.util.regex.Matcher m = STORE_ID.matcher(threadId);
        if (!m.matches()) return null;
        try {
            return Long.parseLong(m.group(1)) == ctx.account().id() ? Long.parseLong(m.group(2)) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * RFC 8621 §2 totalThreads and unreadThreads ("the simplest solution": threads with an email in
     * the mailbox, and with an email in the mailbox that has neither $seen nor $draft). Costs every
     * message of the mailbox once per mailbox state; kept until the mailbox changes.
     */
    static ThreadCache.Counts counts(CallContext ctx, Messages.View view, org.postern.store.Mailbox m) {
        ThreadCache.Counts c = ctx.threads().counts(m.id());
        if (c != null && c.modSeq() == m.highestModSeq() && c.uidNext() == m.uidNext() && c.messages() == m.messages()) return c;
        var index = view.index(m.id());
        if (index.isEmpty() || index.get().size() == 0) return new ThreadCache.Counts(m.highestModSeq(), m.uidNext(), m.messages(), 0, 0);
        var x = index.get();
        long acc = ctx.account().id();
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < x.size(); i++) if (ctx.threads().cached(acc, x.blobId(i)) == null) missing.add(x.blobId(i));
        if (!missing.isEmpty()) ctx.threads().load(ctx.store(), ctx.account().id(), missing);
        java.util.Set<Object> all = new java.util.HashSet<>();
        java.util.Set<Object> unread = new java.util.HashSet<>();
        for (int i = 0; i < x.size(); i++) {
            Long id = ctx.threads().cached(acc, x.blobId(i));
            Object key = id == null ? (Object) ("u" + x.uid(i)) : id;
            all.add(key);
            java.util.Set<String> flags = x.flags(i);
            if (!flags.contains(org.postern.core.Flags.SEEN) && !flags.contains(org.postern.core.Flags.DRAFT)) unread.add(key);
        }
        c = new ThreadCache.Counts(m.highestModSeq(), m.uidNext(), m.messages(), all.size(), unread.size());
        ctx.threads().counts(m.id(), c);
        return c;
    }
}
