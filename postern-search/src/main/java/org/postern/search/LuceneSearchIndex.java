// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.Bits;
import org.postern.store.MailStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The full-text index of one node: one Lucene index under {@code DATA/index/}, one
 * document per message per mailbox, kept up to date by a {@link SearchIndexer} from the store's change
 * feed. One index for all accounts rather than one per account: a server with thousands of mostly idle
 * accounts would otherwise hold thousands of writers, RAM buffers and open files, and merges could not
 * be shared; isolation is kept by building the mailbox filter in one place ({@link #find}).
 *
 * <p>Readers see the index as of the last refresh; {@link Hits#indexedUid()} says up to which UID
 * that view is complete for the mailbox, so a caller scans any newer message itself.
 */
public final class LuceneSearchIndex implements SearchIndex {
    private static final Logger log = LoggerFactory.getLogger(LuceneSearchIndex.class);
    static final String FORMAT_KEY = "postern.format";
    /** Raise when the document layout or normalisation changes: an older index is rebuilt. */
    static final String FORMAT = "2";
    static final String MARK_PREFIX = "m.";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final FSDirectory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    /** Highest UID fully indexed and visible to searchers, per mailbox key. */
    private final Map<String, Long> visibleUid = new ConcurrentHashMap<>();
    private final SearchIndexer indexer;
    private final Duration timeout;

    /** A mailbox's indexing state, committed with the documents. */
    record Mark(long modSeq, long uid) {
        static Mark parse(String s) {
            int slash = s.indexOf('/');
            return new Mark(Long.parseLong(s.substring(0, slash)), Long.parseLong(s.substring(slash + 1)));
        }

        @Override
        public String toString() {
            return modSeq + "/" + uid;
        }
    }

    private LuceneSearchIndex(FSDirectory directory, IndexWriter writer, MailStore store, Duration timeout) throws IOException {
        this.directory = directory;
        this.writer = writer;
        this.timeout = timeout;
        this.searchers = new SearcherManager(writer, null);
        Map<String, Mark> marks = committedMarks();
        for (var e : marks.entrySet()) visibleUid.put(e.getKey(), e.getValue().uid());
        this.indexer = new SearchIndexer(this, store, marks);
    }

    /** Opens (or creates, or rebuilds when unreadable or of another format) the index and starts feeding it. */
    public static LuceneSearchIndex open(Path dir, MailStore store) throws IOException {
        return open(dir, store, DEFAULT_TIMEOUT);
    }

    static LuceneSearchIndex open(Path dir, MailStore store, Duration timeout) throws IOException {
        Files.createDirectories(dir);
        FSDirectory d = FSDirectory.open(dir);
        IndexWriter w;
        try {
            w = new IndexWriter(d, config(IndexWriterConfig.OpenMode.CREATE_OR_APPEND));
        } catch (LockObtainFailedException e) {
            throw e; // another process has it open: not ours to wipe
        } catch (IOException e) {
            // Corrupt, of an unknown format, cut short: derived data, so rebuild from the store
            // rather than refuse to start.
            log.warn("search index at {} unreadable, rebuilding: {}", dir, e.toString());
            for (String f : d.listAll()) {
                if (!f.equals(IndexWriter.WRITE_LOCK_NAME)) d.deleteFile(f);
            }
            w = new IndexWriter(d, config(IndexWriterConfig.OpenMode.CREATE));
        }
        Map<String, String> data = userData(w);
        if (!data.isEmpty() && !FORMAT.equals(data.get(FORMAT_KEY))) {
            log.info("search index at {} has format {}, rebuilding as format {}", dir, data.get(FORMAT_KEY), FORMAT);
            w.deleteAll();
            w.setLiveCommitData(Map.of(FORMAT_KEY, FORMAT).entrySet());
            w.commit();
        }
        try {
            LuceneSearchIndex index = new LuceneSearchIndex(d, w, store, timeout);
            index.indexer.start();
            return index;
        } catch (IOException | RuntimeException e) {
            w.rollback(); // releases the write lock
            d.close();
            throw e;
        }
    }

    private static IndexWriterConfig config(IndexWriterConfig.OpenMode mode) {
        IndexWriterConfig c = new IndexWriterConfig();
        c.setOpenMode(mode);
        c.setCommitOnClose(false);
        c.setRAMBufferSizeMB(64);
        // Segments flushed by the refreshes of a steady trickle are small and soon merged: writing
        // them as compound files first would copy every one of them once more.
        c.setUseCompoundFile(false);
        TieredMergePolicy mp = new TieredMergePolicy();
        // Wider tiers: fewer, larger merges (each merge rewrites its segments) for a few more
        // segments per search.
        mp.setSegmentsPerTier(16);
        c.setMergePolicy(mp);
        ConcurrentMergeScheduler ms = new ConcurrentMergeScheduler();
        // One merge thread: merging must not take every core from the protocol handlers.
        ms.setMaxMergesAndThreads(4, 1);
        c.setMergeScheduler(ms);
        return c;
    }

    private static Map<String, String> userData(IndexWriter w) {
        Map<String, String> m = new HashMap<>();
        Iterable<Map.Entry<String, String>> live = w.getLiveCommitData();
        if (live != null) for (var e : live) m.put(e.getKey(), e.getValue());
        return m;
    }

    private Map<String, Mark> committedMarks() {
        Map<String, Mark> marks = new HashMap<>();
        for (var e : userData(writer).entrySet()) {
            if (!e.getKey().startsWith(MARK_PREFIX)) continue;
            try {
                marks.put(e.getKey().substring(MARK_PREFIX.length()), Mark.parse(e.getValue()));
            } catch (RuntimeException bad) {
                log.warn("ignoring unreadable search index mark {}={}", e.getKey(), e.getValue());
            }
        }
        return marks;
    }

    /**
     * UIDs of the messages of one mailbox whose text matches, as of the last refresh, ascending.
     *
     * @throws TimeoutException when the query runs longer than the configured bound (a pathological needle)
     */
    @Override
    public Hits find(long accountId, long mailboxId, TextQuery q) throws IOException, TimeoutException {
        String key = MessageDocument.mailboxKey(accountId, mailboxId);
        // Read the mark before acquiring the searcher: marks are published only after the refresh that
        // made their documents visible, so this searcher holds at least what the mark claims.
        long indexed = visibleUid.getOrDefault(key, 0L);
        long deadline = System.nanoTime() + timeout.toNanos();
        LuceneQueries.Plan plan = LuceneQueries.plan(q);
        // Messages whose text was indexed cut are candidates for every key, confirmed one by one.
        Query candidates = new BooleanQuery.Builder().add(plan.query(), BooleanClause.Occur.SHOULD)
                .add(new TermQuery(new Term(MessageDocument.CUT, "1")), BooleanClause.Occur.SHOULD).build();
        Query query = new BooleanQuery.Builder()
                .add(new TermQuery(new Term(MessageDocument.MAILBOX, key)), BooleanClause.Occur.FILTER)
                .add(candidates, BooleanClause.Occur.FILTER).build();
        java.util.Set<String> confirmFields = MessageDocument.storedFor(q);
        IndexSearcher s = searchers.acquire();
        try {
            Weight w = s.createWeight(s.rewrite(query), ScoreMode.COMPLETE_NO_SCORES, 1f);
            long[] out = new long[16];
            int n = 0;
            long seen = 0;
            for (LeafReaderContext ctx : s.getIndexReader().leaves()) {
                Scorer sc = w.scorer(ctx);
                if (sc == null) continue;
                Bits live = ctx.reader().getLiveDocs();
                NumericDocValues uids = DocValues.getNumeric(ctx.reader(), MessageDocument.UID);
                NumericDocValues cut = DocValues.getNumeric(ctx.reader(), MessageDocument.CUT);
                StoredFields stored = ctx.reader().storedFields();
                DocIdSetIterator it = sc.iterator();
                for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
                    if ((++seen & 255) == 0 && System.nanoTime() > deadline) {
                        throw new TimeoutException("search longer than " + timeout.toMillis() + " ms");
                    }
                    if (live != null && !live.get(doc)) continue;
                    if (plan.confirm() || (cut.advanceExact(doc) && cut.longValue() != 0)) {
                        Document d = stored.document(doc, confirmFields);
                        if (!MessageDocument.matches(d, q)) continue;
                    }
                    if (!uids.advanceExact(doc)) continue;
                    if (n == out.length) out = Arrays.copyOf(out, n * 2);
                    out[n++] = uids.longValue();
                }
            }
            long[] result = Arrays.copyOf(out, n);
            Arrays.sort(result);
            return new Hits(indexed, result);
        } finally {
            searchers.release(s);
        }
    }

    /**
     * The normalised text the index holds for one message (JMAP SearchSnippet, RFC 8621 §5), or empty
     * when the message is not indexed (yet) or could not be read.
     */
    @Override
    public Optional<SearchText> text(long accountId, long mailboxId, long uid) throws IOException {
        IndexSearcher s = searchers.acquire();
        try {
            TopDocs top = s.search(new TermQuery(MessageDocument.idTerm(accountId, mailboxId, uid)), 1);
            if (top.scoreDocs.length == 0) return Optional.empty();
            SearchText t = MessageDocument.stored(s.storedFields().document(top.scoreDocs[0].doc, MessageDocument.STORED));
            return t.readable() ? Optional.of(t) : Optional.empty();
        } finally {
            searchers.release(s);
        }
    }

    @Override
    public Optional<SnippetText> snippetText(long accountId, long mailboxId, long uid) throws IOException {
        IndexSearcher s = searchers.acquire();
        try {
            TopDocs top = s.search(new TermQuery(MessageDocument.idTerm(accountId, mailboxId, uid)), 1);
            if (top.scoreDocs.length == 0) return Optional.empty();
            Document d = s.storedFields().document(top.scoreDocs[0].doc, MessageDocument.SNIPPET);
            String subject = d.get(MessageDocument.S_SUBJECT);
            String body = d.get(MessageDocument.S_PREVIEW);
            return subject == null || body == null ? Optional.empty() : Optional.of(new SnippetText(subject, body));
        } finally {
            searchers.release(s);
        }
    }

    /** Waits until the mailbox is indexed and visible up to {@code uid}. For tests and tools. */
    @Override
    public boolean awaitIndexed(long accountId, long mailboxId, long uid, Duration wait) throws InterruptedException {
        String key = MessageDocument.mailboxKey(accountId, mailboxId);
        long end = System.nanoTime() + wait.toNanos();
        while (visibleUid.getOrDefault(key, 0L) < uid) {
            if (System.nanoTime() > end) return false;
            indexer.requestRefresh();
            Thread.sleep(10);
        }
        return true;
    }

    /** Waits until the indexer has nothing queued. For tests and tools. */
    @Override
    public boolean awaitIdle(Duration wait) throws InterruptedException {
        return indexer.awaitIdle(wait);
    }

    /** Highest UID of a mailbox visible to searches (0 when none). */
    @Override
    public long indexedUid(long accountId, long mailboxId) {
        return visibleUid.getOrDefault(MessageDocument.mailboxKey(accountId, mailboxId), 0L);
    }

    // --- writer side, used by the indexer thread only ---

    void add(Document d) throws IOException {
        writer.addDocument(d);
    }

    void delete(List<Term> terms) throws IOException {
        if (!terms.isEmpty()) writer.deleteDocuments(terms.toArray(Term[]::new));
    }

    void deleteMailbox(String key) throws IOException {
        writer.deleteDocuments(new Term(MessageDocument.MAILBOX, key));
        visibleUid.remove(key);
    }

    void deleteAccount(long accountId) throws IOException {
        writer.deleteDocuments(new Term(MessageDocument.ACCOUNT, Long.toString(accountId)));
        visibleUid.keySet().removeIf(k -> k.startsWith(accountId + "/"));
    }

    /** Makes what was added visible, then publishes the marks that say so. */
    void refresh(Map<String, Long> uids) throws IOException {
        searchers.maybeRefreshBlocking();
        visibleUid.putAll(uids);
    }

    void commit(Map<String, Mark> marks) throws IOException {
        Map<String, String> data = new HashMap<>();
        data.put(FORMAT_KEY, FORMAT);
        for (var e : marks.entrySet()) data.put(MARK_PREFIX + e.getKey(), e.getValue().toString());
        writer.setLiveCommitData(data.entrySet());
        writer.commit();
    }

    /** Stops the indexer, commits what it did, closes the index. */
    @Override
    public void close() {
        indexer.close(true);
        closeQuietly();
    }

    /** Stops without committing, as a crash would: the next open resumes from the last commit. For tests. */
    void crash() {
        indexer.close(false);
        try {
            writer.rollback();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            searchers.close();
            if (writer.isOpen()) writer.close();
            directory.close();
        } catch (IOException | RuntimeException e) {
            log.warn("closing the search index failed", e);
        }
    }
}
