// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postern.jmap.CallContext;
import org.postern.jmap.Ids;
import org.postern.store.Mailbox;
import org.postern.store.MailboxIndex;
import org.postern.store.MessageRecord;
import org.postern.store.StoreException;

/**
 * The account's messages as JMAP sees them: one Email per (mailbox, UID). Messages are read from the
 * store's {@link MailboxIndex} (the cache IMAP SELECT uses, brought up to date from the change log),
 * so a new message costs the next request the change, not a reload of the mailbox.
 */
public final class Messages {
    private Messages() {}

    public record Entry(Mailbox mailbox, MessageRecord record) {
        public String id() {
            return Ids.email(mailbox.id(), record.uid());
        }

        /** RFC 8621 §3: the conversation this email belongs to ({@link Threads}). */
        public String threadId(CallContext ctx) {
            return Threads.of(ctx, this);
        }
    }

    /**
     * What one method call reads: the account's mailboxes, listed once, and each mailbox's index, read
     * at most once. The list is taken first, so a state computed from it never claims more than the
     * indexes read after it show (changes racing with the call may be reported twice, never missed).
     */
    public static final class View {
        private final CallContext ctx;
        private final List<Mailbox> mailboxes;
        private final Map<Long, Mailbox> byId = new LinkedHashMap<>();
        private final Map<Long, Optional<MailboxIndex>> indexes = new HashMap<>();

        View(CallContext ctx) {
            this.ctx = ctx;
            this.mailboxes = ctx.store().mailboxes().list(ctx.account().id());
            for (Mailbox m : mailboxes) byId.put(m.id(), m);
        }

        public List<Mailbox> mailboxes() {
            return mailboxes;
        }

        public Optional<Mailbox> mailbox(long id) {
            return Optional.ofNullable(byId.get(id));
        }

        /** The mailbox's messages, or empty when it is not the account's (or was deleted meanwhile). */
        public Optional<MailboxIndex> index(long mailboxId) {
            if (!byId.containsKey(mailboxId)) return Optional.empty();
            return indexes.computeIfAbsent(mailboxId, id -> {
                try {
                    return Optional.of(ctx.store().mailboxes().index(ctx.account().id(), id));
                } catch (StoreException.NotFound e) {
                    return Optional.empty();
                }
            });
        }

        /** Every mailbox's index, in the order of {@link #mailboxes()}. */
        public List<MailboxIndex> indexes() {
            List<MailboxIndex> out = new ArrayList<>(mailboxes.size());
            for (Mailbox m : mailboxes) index(m.id()).ifPresent(out::add);
            return out;
        }

        public Optional<Entry> find(String emailId, char kind) {
            Ids.MessageKey k = Ids.messageOf(emailId, kind);
            if (k == null) return Optional.empty();
            Optional<MailboxIndex> idx = index(k.mailboxId());
            if (idx.isEmpty()) return Optional.empty();
            int i = idx.get().indexOf(k.uid());
            return i < 0 ? Optional.empty() : Optional.of(new Entry(idx.get().mailbox(), idx.get().record(i)));
        }

        public List<Entry> all() {
            List<MailboxIndex> idx = indexes();
            int n = 0;
            for (MailboxIndex x : idx) n += x.size();
            List<Entry> out = new ArrayList<>(n);
            for (MailboxIndex x : idx) {
                for (int i = 0; i < x.size(); i++) out.add(new Entry(x.mailbox(), x.record(i)));
            }
            return out;
        }

        /** The Email/Thread state of {@link #mailboxes()}: see {@link Messages#emailState(CallContext)}. */
        public String state() {
            return emailState(mailboxes);
        }
    }

    public static View view(CallContext ctx) {
        return new View(ctx);
    }

    public static List<Entry> all(CallContext ctx) {
        return view(ctx).all();
    }

    public static Optional<Entry> find(CallContext ctx, String emailId, char kind) {
        return view(ctx).find(emailId, kind);
    }

    /**
     * The Email/Thread state: the account's highest MODSEQ (one counter per account, the value IMAP
     * CONDSTORE reports, so both protocols move it), followed by each mailbox's UIDNEXT. The UIDNEXT
     * values let /changes tell a message created since the state (UID at or above the old UIDNEXT)
     * from one only updated. Both only change together with the MODSEQ, so equal store state gives an
     * equal string.
     */
    public static String emailState(CallContext ctx) {
        return emailState(ctx.store().mailboxes().list(ctx.account().id()));
    }

    private static String emailState(List<Mailbox> list) {
        long max = 0;
        for (Mailbox m : list) max = Math.max(max, m.highestModSeq());
        StringBuilder b = new StringBuilder("s").append(max);
        list.stream().sorted(Comparator.comparingLong(Mailbox::id))
                .forEach(m -> b.append('_').append(m.id()).append('.').append(m.uidNext()));
        return b.toString();
    }

    public static long modSeq(CallContext ctx) {
        long max = 0;
        for (Mailbox m : ctx.store().mailboxes().list(ctx.account().id())) max = Math.max(max, m.highestModSeq());
        return max;
    }

    /** A parsed state: MODSEQ and UIDNEXT per mailbox id. */
    public record State(long modSeq, java.util.Map<Long, Long> uidNext) {}

    private static final java.util.regex.Pattern STATE = java.util.regex.Pattern.compile("s([0-9]{1,18})((?:_[0-9]{1,18}\\.[0-9]{1,18}){0,10000})");

    /** The state a string stands for, or null when it is not one of ours. */
    public static State parseState(String state) {
        if (state == null || state.length() > 400_000) return null;
        java.util.regex.Matcher m = STATE.matcher(state);
        if (!m.matches()) return null;
        java.util.Map<Long, Long> next = new java.util.HashMap<>();
        if (!m.group(2).isEmpty()) {
            for (String part : m.group(2).substring(1).split("_")) {
                int dot = part.indexOf('.');
                next.put(Long.parseLong(part.substring(0, dot)), Long.parseLong(part.substring(dot + 1)));
            }
        }
        return new State(Long.parseLong(m.group(1)), next);
    }

    /** Whether the account may read the blob: an upload of its own or the body of one of its messages. */
    public static boolean canRead(CallContext ctx, String blobId) {
        if (blobId == null) return false;
        if (ctx.uploads().owns(ctx.account().id(), blobId)) return true;
        for (MailboxIndex x : view(ctx).indexes()) {
            for (int i = 0; i < x.size(); i++) {
                if (x.blobId(i).equals(blobId)) return true;
            }
        }
        return false;
    }
}
