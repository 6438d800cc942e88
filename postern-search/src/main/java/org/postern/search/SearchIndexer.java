// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.Term;
import org.postern.core.mime.MessageParser;
import org.postern.core.mime.MimeMessage;
import org.postern.core.mime.TextExtractor;
import org.postern.search.IndexQueue.Key;
import org.postern.store.Account;
import org.postern.store.Mailbox;
import org.postern.store.MailStore;
import org.postern.store.MailboxChanges;
import org.postern.store.MessageRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the index from the store, on one thread. Change events only name a mailbox (or an account);
 * the indexer then asks the store what changed since the mailbox's mark ({@code changesSince}), adds
 * messages above the mark's UID and deletes expunged ones. UIDs only grow within a mailbox, so the
 * mark (MODSEQ, highest UID indexed) says exactly what the index holds; it is committed with the
 * documents, so after a crash the same question is asked again from the last commit. At start every
 * mailbox of every account is compared with its mark, which also catches up on changes made while
 * the server was down and drops mailboxes and accounts deleted meanwhile.
 *
 * <p>Change listeners only enqueue (they run on the store's notifier thread and must return quickly).
 * While the machine's CPUs are busy the indexer works a tenth of the time ({@link IndexPacer}), for
 * at most 20 seconds of pending work; {@link #awaitIdle} waiters get full speed.
 */
final class SearchIndexer implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(SearchIndexer.class);
    /** Documents between refreshes while catching up, so searches see progress. */
    static final int CHUNK = 1000;
    static final int COMMIT_DOCS = 20_000;
    /** Commits (each one fsyncs) while idle; a crash loses at most this much work, redone from the store. */
    static final long COMMIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    /**
     * Searchers are refreshed at most this often: a refresh writes a segment, so one per delivered
     * message would flood the index with tiny segments (and merges of them). Searches do not wait for
     * it: messages above the published mark are scanned by the caller. {@link #requestRefresh} (tests,
     * tools) asks for one sooner. Refreshing less often (with each commit) measured no cheaper per
     * message: a refresh's cost is its flush, which costs per posting, and the next commit or a full RAM
     * buffer flushes the same postings anyway.
     */
    static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Messages larger than this are indexed as unreadable (they are far above any SMTP size limit). */
    static final long MAX_MESSAGE = 256L << 20;

    /** What to look at: a mailbox; every mailbox of an account (mailbox 0); every account (both 0). */
    private final LuceneSearchIndex index;
    private final MailStore store;
    /** Indexer thread only (and the closing thread once the indexer thread has ended). */
    private final Map<String, LuceneSearchIndex.Mark> marks;
    private final IndexQueue queue = new IndexQueue();
    private volatile boolean closing;
    private Thread thread;
    private int uncommitted;
    private long lastCommit = System.nanoTime();
    /** Marks of documents added since the last refresh, published by the next one. */
    private final Map<String, Long> unpublished = new HashMap<>();
    private boolean refreshNeeded;
    private long lastRefresh;
    private volatile boolean refreshWanted;
    /** Added or deleted documents not yet visible to searchers (read by {@link #awaitIdle}). */
    private volatile boolean unpublishedWork;
    /** Paces the indexer thread while the machine is busy; reads that thread's CPU time. */
    private final IndexPacer pacer;

    SearchIndexer(LuceneSearchIndex index, MailStore store, Map<String, LuceneSearchIndex.Mark> marks) {
        this.index = index;
        this.store = store;
        this.marks = new HashMap<>(marks);
        this.pacer = IndexPacer.forIndexerThread();
    }

    void start() {
        // Subscribe before the full comparison, so nothing changed in between is missed.
        queue.listenTo(store.changes());
        queue.add(Key.EVERYTHING);
        // Below the protocol threads: indexing is background work whose delay searches cover by scanning.
        // Linux ignores the priority: the IndexPacer is what makes the indexer yield there.
        thread = Thread.ofPlatform().daemon().name("search-indexer").priority(Thread.MIN_PRIORITY).start(this);
    }

    @Override
    public void run() {
        while (!closing) {
            Key k;
            boolean dirty = refreshNeeded || !unpublished.isEmpty();
            try {
                k = queue.poll(dirty ? 20 : 200);
            } catch (InterruptedException e) {
                return;
            }
            if (k == null) pacer.caughtUp();
            if (k != null) {
                try {
                    process(k);
                    // Before the key counts as done, so that awaitIdle() means "searchable".
                    if (refreshDue()) publish();
                    unpublishedWork = refreshNeeded || !unpublished.isEmpty();
                } catch (IOException | RuntimeException e) {
                    if (closing) return;
                    log.warn("search indexing of {} failed, retrying", k, e);
                    pause();
                    queue.add(k);
                } finally {
                    queue.done();
                    if (queue.pending() == 0) pacer.caughtUp();
                }
            }
            try {
                if (k == null && refreshDue()) {
                    publish();
                    unpublishedWork = refreshNeeded || !unpublished.isEmpty();
                }
                maybeCommit(false);
            } catch (IOException | RuntimeException e) {
                log.warn("search index commit failed", e);
                pause();
            }
        }
    }

    private void process(Key k) throws IOException {
        if (k.accountId() == 0) {
            Set<Long> accounts = new HashSet<>();
            for (Account a : store.directory().accounts()) {
                accounts.add(a.id());
                checkAccount(a.id());
            }
            for (long gone : accountsOf(marks.keySet())) {
                if (!accounts.contains(gone)) dropAccount(gone);
            }
        } else if (k.mailboxId() == 0) {
            checkAccount(k.accountId());
        } else {
            indexMailbox(k.accountId(), k.mailboxId());
        }
    }

    private void checkAccount(long accountId) throws IOException {
        if (store.directory().account(accountId).isEmpty()) {
            dropAccount(accountId);
            return;
        }
        Set<String> live = new HashSet<>();
        for (Mailbox m : store.mailboxes().list(accountId)) {
            String key = MessageDocument.mailboxKey(accountId, m.id());
            live.add(key);
            LuceneSearchIndex.Mark mark = marks.get(key);
            if (mark == null || m.highestModSeq() > mark.modSeq()) indexMailbox(accountId, m.id());
        }
        for (String key : List.copyOf(marks.keySet())) {
            if (key.startsWith(accountId + "/") && !live.contains(key)) dropMailbox(key);
        }
    }

    private void indexMailbox(long accountId, long mailboxId) throws IOException {
        String key = MessageDocument.mailboxKey(accountId, mailboxId);
        Optional<Mailbox> box = store.mailboxes().byId(accountId, mailboxId);
        if (box.isEmpty()) {
            dropMailbox(key);
            return;
        }
        LuceneSearchIndex.Mark mark = marks.get(key);
        if (mark != null && box.get().highestModSeq() <= mark.modSeq()) return;
        if (mark == null) mark = new LuceneSearchIndex.Mark(0, 0);
        MailboxChanges ch = store.mailboxes().changesSince(accountId, mailboxId, mark.modSeq());
        List<Term> gone = new ArrayList<>();
        for (long uid : ch.expunged()) {
            if (uid <= mark.uid()) gone.add(MessageDocument.idTerm(accountId, mailboxId, uid));
        }
        index.delete(gone);
        if (!gone.isEmpty()) refreshNeeded = true;
        uncommitted += gone.size();
        long uid = mark.uid();
        int inChunk = 0;
        int chunks = 0;
        for (MessageRecord r : ch.changed()) {
            if (r.uid() <= uid) continue; // already indexed; only its flags changed
            if (closing) return;
            long started = System.nanoTime();
            Texts t = text(r);
            index.add(MessageDocument.of(accountId, mailboxId, r.uid(), t.search(), t.snippet()));
            pacer.afterDocument(System.nanoTime() - started);
            uid = r.uid();
            // The MODSEQ stays old until the whole answer is indexed: a commit in between resumes here.
            marks.put(key, new LuceneSearchIndex.Mark(mark.modSeq(), uid));
            uncommitted++;
            if (++inChunk == CHUNK) {
                inChunk = 0;
                unpublished.put(key, uid);
                publish();
                maybeCommit(true);
                if (++chunks % 20 == 0) log.info("search index: mailbox {} indexed up to UID {}", key, uid);
            }
        }
        if (chunks > 0) log.info("search index: mailbox {} caught up at UID {}", key, uid);
        marks.put(key, new LuceneSearchIndex.Mark(ch.highestModSeq(), uid));
        uncommitted++;
        if (uid > mark.uid()) {
            unpublished.put(key, uid);
            refreshNeeded = true;
        }
    }

    private boolean refreshDue() {
        return refreshWanted || System.nanoTime() - lastRefresh >= REFRESH_NANOS;
    }

    /** Asks for the next refresh as soon as the work at hand is done, rather than within a second. */
    void requestRefresh() {
        refreshWanted = true;
    }

    private void publish() throws IOException {
        refreshWanted = false;
        if (!refreshNeeded && unpublished.isEmpty()) return;
        index.refresh(unpublished);
        unpublished.clear();
        refreshNeeded = false;
        lastRefresh = System.nanoTime();
    }

    /** What one message contributes: its folded text (for matching) and its snippet text (null when unreadable). */
    private record Texts(SearchText search, SnippetText snippet) {}

    private static final Texts UNREADABLE = new Texts(SearchText.UNREADABLE, null);

    private Texts text(MessageRecord r) {
        if (r.size() > MAX_MESSAGE) return UNREADABLE;
        byte[] bytes;
        try (InputStream in = store.blobs().open(r.blobId())) {
            bytes = in.readNBytes((int) MAX_MESSAGE);
        } catch (IOException | RuntimeException e) {
            // Expunged meanwhile, or unreadable: like the brute-force scan, it matches no text key.
            log.debug("search indexing could not read blob {}: {}", r.blobId(), e.toString());
            return UNREADABLE;
        }
        try {
            MimeMessage m = MessageParser.parse(bytes);
            // One text extraction for both: it is most of what reading the text costs.
            String body = TextExtractor.text(m, SearchText.MAX_BODY);
            SearchText t = SearchText.of(m, body);
            return t.readable() ? new Texts(t, SnippetText.of(m, body)) : UNREADABLE;
        } catch (RuntimeException e) {
            return UNREADABLE;
        }
    }

    private void dropMailbox(String key) throws IOException {
        index.deleteMailbox(key);
        unpublished.remove(key);
        refreshNeeded = true;
        marks.remove(key);
        uncommitted++;
    }

    private void dropAccount(long accountId) throws IOException {
        index.deleteAccount(accountId);
        unpublished.keySet().removeIf(k -> k.startsWith(accountId + "/"));
        refreshNeeded = true;
        marks.keySet().removeIf(k -> k.startsWith(accountId + "/"));
        uncommitted++;
    }

    private static Set<Long> accountsOf(Set<String> keys) {
        Set<Long> out = new HashSet<>();
        for (String k : keys) out.add(Long.parseLong(k.substring(0, k.indexOf('/'))));
        return out;
    }

    private void maybeCommit(boolean catchingUp) throws IOException {
        if (uncommitted == 0) return;
        boolean due = System.nanoTime() - lastCommit >= COMMIT_NANOS;
        // While catching up, commit by volume (each commit fsyncs); otherwise a second after a change.
        if (catchingUp ? uncommitted >= COMMIT_DOCS : due) commit();
    }

    private void commit() throws IOException {
        index.commit(marks);
        uncommitted = 0;
        lastCommit = System.nanoTime();
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean awaitIdle(Duration wait) throws InterruptedException {
        long end = System.nanoTime() + wait.toNanos();
        pacer.hurry(true);
        try {
            while (queue.pending() > 0 || unpublishedWork) {
                requestRefresh();
                if (System.nanoTime() > end) return false;
                Thread.sleep(10);
            }
            return true;
        } finally {
            pacer.hurry(false);
        }
    }

    /** Stops the thread (it finishes the message at hand), then commits when asked to. */
    void close(boolean commit) {
        closing = true;
        queue.close();
        if (thread == null) return;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("search indexer did not stop; its last work is not committed");
            return;
        }
        if (commit && uncommitted > 0) {
            try {
                commit();
            } catch (IOException | RuntimeException e) {
                log.warn("final search index commit failed", e);
            }
        }
    }
}
