// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postern.imap.codec.ResponseWriter;
import org.postern.store.ChangeFeed;
import org.postern.store.Mailbox;
import org.postern.store.MailboxChanges;
import org.postern.store.MailboxIndex;
import org.postern.store.MailboxSnapshot;
import org.postern.store.MessageRecord;
import org.postern.store.SpecialUse;

/** The compact view: sequence numbers, copy-on-write of the shared index, expunge/append/flag sync. */
class SelectedMailboxTest {
    private static MessageRecord rec(long uid, long modSeq, String... flags) {
        return new MessageRecord(uid, modSeq, Set.of(flags), 100 + uid, Instant.ofEpochSecond(1_000 + uid),
                String.format("%032x", uid), Instant.ofEpochSecond(2_000 + uid));
    }

    private static MailboxIndex index(List<MessageRecord> msgs, long uidNext) {
        Mailbox mb = new Mailbox(1, 1, "INBOX", SpecialUse.NONE, 7, uidNext, 50, true, msgs.size(), 0);
        return MailboxIndex.of(new MailboxSnapshot(mb, msgs));
    }

    @Test
    void syncReportsExpungesHighestFirstThenFlagsAndExistsWithoutTouchingTheSharedIndex() throws Exception {
        List<MessageRecord> msgs = new ArrayList<>();
        for (long uid = 1; uid <= 10; uid++) msgs.add(rec(uid * 2, uid, uid % 3 == 0 ? "\\Seen" : "\\Flagged"));
        MailboxIndex shared = index(msgs, 21);
        SelectedMailbox view = new SelectedMailbox(shared, false, EnumSet.noneOf(ImapSession.Extension.class));
        assertThat(view.size()).isEqualTo(10);
        assertThat(view.seqOf(8)).isEqualTo(4);
        assertThat(view.seqOf(7)).isEqualTo(-1);
        assertThat(view.at(4)).isEqualTo(msgs.get(3));
        assertThat(view.messages()).isEqualTo(msgs);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ResponseWriter out = new ResponseWriter(bytes);
        // Expunge UIDs 4, 10 and 20 (seq 2, 5, 10); change 6's flags; a new message with UID 22 and a keyword.
        view.sync(new MailboxChanges(60, 23, List.of(rec(6, 55, "\\Deleted"), rec(22, 56, "$Work")), List.of(4L, 10L, 20L)),
                true, out);
        out.flush();
        assertThat(bytes.toString(StandardCharsets.US_ASCII).split("\r\n")).containsExactly(
                "* 10 EXPUNGE", "* 5 EXPUNGE", "* 2 EXPUNGE",
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)",
                "* 2 FETCH (FLAGS (\\Deleted))",
                "* 8 EXISTS", "* 1 RECENT");
        assertThat(view.size()).isEqualTo(8);
        List<Long> uids = new ArrayList<>();
        for (int seq = 1; seq <= view.size(); seq++) uids.add(view.uidAt(seq));
        assertThat(uids).containsExactly(2L, 6L, 8L, 12L, 14L, 16L, 18L, 22L);
        assertThat(view.flagsAt(2)).containsExactly("\\Deleted");
        assertThat(view.at(8)).isEqualTo(rec(22, 56, "$Work"));
        assertThat(view.highestModSeq()).isEqualTo(60);
        // Other sessions share the index: it is as it was.
        assertThat(shared.size()).isEqualTo(10);
        assertThat(shared.record(1)).isEqualTo(msgs.get(1));
        assertThat(shared.flags(2)).containsExactly("\\Seen");
    }

    @Test
    void pendingExpungesStayUntilAllowedAndUidSetsResolve() throws Exception {
        List<MessageRecord> msgs = List.of(rec(1, 1), rec(2, 1), rec(5, 1));
        SelectedMailbox view = new SelectedMailbox(index(msgs, 6), true, EnumSet.noneOf(ImapSession.Extension.class));
        ResponseWriter out = new ResponseWriter(new ByteArrayOutputStream());
        view.sync(new MailboxChanges(2, 6, List.of(), List.of(2L)), false, out);
        assertThat(view.size()).isEqualTo(3);
        assertThat(view.isPendingExpunge(2)).isTrue();
        assertThat(view.resolveUid(org.postern.imap.parse.SequenceSet.of(3, org.postern.imap.parse.SequenceSet.STAR))).containsExactly(3);
        view.sync(new MailboxChanges(2, 6, List.of(), List.of()), true, out);
        assertThat(view.size()).isEqualTo(2);
        assertThat(view.seqOf(5)).isEqualTo(2);
        assertThat(SelectedMailbox.flagList(Set.of("\\Seen", "$a"), true)).isEqualTo("($a \\Seen \\Recent)");
        assertThat(SelectedMailbox.flagList(Set.of(), true)).isEqualTo("(\\Recent)");
    }

    @Test
    void releasedViewLoadsDetailsAgainOnceAndKnowsWhatArrivedMeanwhile() throws Exception {
        List<MessageRecord> msgs = new ArrayList<>();
        for (long uid = 1; uid <= 5; uid++) msgs.add(rec(uid, uid, uid == 2 ? "\\Seen" : "\\Flagged"));
        List<MessageRecord> stored = new ArrayList<>(msgs);
        int[] loads = {0};
        SelectedMailbox view = new SelectedMailbox(index(msgs, 6), false, EnumSet.noneOf(ImapSession.Extension.class),
                () -> {
                    loads[0]++;
                    return index(stored, 8);
                });
        view.release();
        System.gc();
        // Columns the view keeps itself answer without loading; whole records load the index once.
        assertThat(view.uidAt(5)).isEqualTo(5);
        assertThat(view.flagsAt(2)).containsExactly("\\Seen");
        assertThat(view.messages()).isEqualTo(msgs);
        assertThat(view.at(3)).isEqualTo(msgs.get(2));
        assertThat(loads[0]).isLessThanOrEqualTo(1);

        // While released: a flag change, an arrival and an expunge the store has applied but the view
        // has not reported yet (the view's flags win; the expunged message has no content left).
        view.release();
        ResponseWriter out = new ResponseWriter(new ByteArrayOutputStream());
        stored.set(0, rec(1, 10, "\\Answered"));
        stored.add(rec(6, 11));
        view.sync(new MailboxChanges(11, 7, List.of(rec(1, 10, "\\Answered"), rec(6, 11)), List.of()), true, out);
        assertThat(view.at(6)).isEqualTo(rec(6, 11));
        stored.remove(3);
        view.release();
        System.gc();
        view.sync(new MailboxChanges(12, 7, List.of(), List.of(4L)), false, out);
        assertThat(view.at(1)).isEqualTo(rec(1, 10, "\\Answered"));
        assertThat(view.at(6)).isEqualTo(rec(6, 11));
        assertThat(view.isPendingExpunge(4)).isTrue();
        assertThat(view.at(4).uid()).isEqualTo(4);
        assertThat(view.at(4).size()).isZero();
        view.sync(new MailboxChanges(12, 7, List.of(), List.of()), true, out);
        assertThat(view.messages()).containsExactly(rec(1, 10, "\\Answered"), msgs.get(1), msgs.get(2), msgs.get(4),
                rec(6, 11));
    }

    @Test
    void ownAppendsStandForTheChangesOnlyWhileTheirSpansChainFromTheSyncToTheCurrentVersion() {
        SelectedMailbox view = new SelectedMailbox(index(List.of(rec(1, 50)), 2), false, EnumSet.noneOf(ImapSession.Extension.class));
        // Not synced since it was opened: nothing to chain from.
        view.appended(1, rec(2, 51), new ChangeFeed.Span(10, 11));
        assertThat(view.ownChangesUpTo(11)).isNull();
        view.synced(11);
        view.appended(1, rec(3, 53), new ChangeFeed.Span(11, 12));
        view.appended(9, rec(1, 54), new ChangeFeed.Span(12, 13)); // another mailbox of the account
        view.appended(1, rec(4, 55), new ChangeFeed.Span(13, 15));
        // Someone else's change published after the last APPEND: the version went past the chain.
        assertThat(view.ownChangesUpTo(16)).isNull();
        MailboxChanges own = view.ownChangesUpTo(15);
        assertThat(own.changed()).containsExactly(rec(3, 53), rec(4, 55));
        assertThat(own.expunged()).isEmpty();
        assertThat(own.highestModSeq()).isEqualTo(55);
        assertThat(own.uidNext()).isEqualTo(5);
        // A gap between two of its own writes (someone else's in between) breaks the chain for good.
        view.synced(15);
        view.appended(1, rec(5, 56), new ChangeFeed.Span(16, 17));
        view.appended(1, rec(6, 57), new ChangeFeed.Span(17, 18));
        assertThat(view.ownChangesUpTo(18)).isNull();
        // A write the feed could not tell about, likewise.
        view.synced(18);
        view.appended(1, rec(5, 56), null);
        assertThat(view.ownChangesUpTo(18)).isNull();
        // Synced and nothing written since: no own changes to stand for anything.
        view.synced(20);
        assertThat(view.ownChangesUpTo(20)).isNull();
    }
}
