// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postern.jmap.CallContext;
import org.postern.jmap.Ids;
import org.postern.store.Mailbox;
import org.postern.store.MailboxSnapshot;
import org.postern.store.MessageRecord;

/** The account's messages as JMAP sees them: one Email per (mailbox, UID). */
public final class Messages {
    private Messages() {}

    public record Entry(Mailbox mailbox, MessageRecord record) {
        public String id() {
            return Ids.email(mailbox.id(), record.uid());
        }

        public String threadId() {
            return Ids.thread(mailbox.id(), record.uid());
        }
    }

    public static List<Entry> all(CallContext ctx) {
        List<Entry> out = new ArrayList<>();
        for (Mailbox m : ctx.store().mailboxes().list(ctx.account().id())) {
            MailboxSnapshot s = ctx.snapshots().get(ctx.store().mailboxes(), m);
            for (MessageRecord r : s.messages()) out.add(new Entry(s.mailbox(), r));
        }
        return out;
    }

    public static Optional<Entry> find(CallContext ctx, String emailId, char kind) {
        Ids.MessageKey k = Ids.messageOf(emailId, kind);
        if (k == null) return Optional.empty();
        long acc = ctx.account().id();
        Optional<Mailbox> mb = ctx.store().mailboxes().byId(acc, k.mailboxId());
        if (mb.isEmpty()) return Optional.empty();
        // The cached snapshot is in UID order and exact for the mailbox's current HIGHESTMODSEQ.
        List<MessageRecord> msgs = ctx.snapshots().get(ctx.store().mailboxes(), mb.get()).messages();
        int lo = 0;
        int hi = msgs.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long uid = msgs.get(mid).uid();
            if (uid == k.uid()) return Optional.of(new Entry(mb.get(), msgs.get(mid)));
            if (uid < k.uid()) lo = mid + 1;
            else hi = mid - 1;
        }
        return Optional.empty();
    }

    /**
     * The Email/Thread state: the account's highest MODSEQ (one counter per account, the value IMAP
     * CONDSTORE reports, so both protocols move it), followed by each mailbox's UIDNEXT. The UIDNEXT
     * values let /changes tell a message created since the state (UID at or above the old UIDNEXT)
     * from one only updated. Both only change together with the MODSEQ, so equal store state gives an
     * equal string.
     */
    public static String emailState(CallContext ctx) {
        List<Mailbox> list = ctx.store().mailboxes().list(ctx.account().id());
        long max = 0;
        for (Mailbox m : list) max = Math.max(max, m.highestModSeq());
        StringBuilder b = new StringBuilder("s").append(max);
        list.stream().sorted(java.util.Comparator.comparingLong(Mailbox::id))
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
        for (Entry e : all(ctx)) {
            if (e.record().blobId().equals(blobId)) return true;
        }
        return false;
    }
}
