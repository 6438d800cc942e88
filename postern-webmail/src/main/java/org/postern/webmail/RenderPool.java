// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs message renders for {@link MessageView}: at most {@code maxConcurrent} at once, one per
 * document however many requests want it (the reader's frame joins a render a prefetch or the
 * remote-content HEAD started), each result kept in the {@link RenderCache}.
 *
 * <p>Prefetches (the UI warming the messages it expects to be opened next) are best effort: they
 * never wait for a permit, take at most {@code maxPrefetch} of them, and are dropped when the server
 * is busy, so a reader opening a message never queues behind a guess.
 */
final class RenderPool implements AutoCloseable {
    private final RenderCache cache;
    private final Semaphore running;
    private final Semaphore prefetching;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<RenderCache.Key, CompletableFuture<RenderCache.Entry>> rendering = new ConcurrentHashMap<>();

    RenderPool(RenderCache cache, int maxConcurrent, int maxPrefetch) {
        this.cache = cache;
        this.running = new Semaphore(maxConcurrent);
        this.prefetching = new Semaphore(Math.min(maxPrefetch, maxConcurrent));
    }

    /** The cached document, else the render of it already under way, else null. */
    CompletableFuture<RenderCache.Entry> existing(RenderCache.Key key) {
        RenderCache.Entry done = cache.get(key);
        if (done != null) return CompletableFuture.completedFuture(done);
        return rendering.get(key);
    }

    /**
     * The document for a reader: cached, joined, or rendered once a permit is free (waiting at most
     * {@code permitWaitMs}); null when no permit came in time.
     */
    CompletableFuture<RenderCache.Entry> render(RenderCache.Key key, Callable<RenderCache.Entry> job, long permitWaitMs)
            throws InterruptedException {
        for (;;) {
            CompletableFuture<RenderCache.Entry> found = existing(key);
            if (found != null) return found;
            CompletableFuture<RenderCache.Entry> mine = new CompletableFuture<>();
            if (rendering.putIfAbsent(key, mine) != null) continue;
            if (!running.tryAcquire(permitWaitMs, TimeUnit.MILLISECONDS)) {
                rendering.remove(key, mine);
                mine.completeExceptionally(new IllegalStateException("too many renders"));
                return null;
            }
            submit(key, mine, job, null);
            return mine;
        }
    }

    /**
     * Starts rendering a document the reader may open soon, when a prefetch permit and a render
     * permit are free right now. Returns false when it was cached or under way already or the server
     * is too busy for a guess; the caller answers the same either way.
     */
    boolean prefetch(RenderCache.Key key, Callable<RenderCache.Entry> job) {
        if (existing(key) != null || !prefetching.tryAcquire()) return false;
        if (!running.tryAcquire()) {
            prefetching.release();
            return false;
        }
        CompletableFuture<RenderCache.Entry> mine = new CompletableFuture<>();
        if (rendering.putIfAbsent(key, mine) != null) {
            running.release();
            prefetching.release();
            return false;
        }
        submit(key, mine, job, prefetching);
        return true;
    }

    /** The permits are held until the render ends, even one nobody waits for any more. */
    private void submit(RenderCache.Key key, CompletableFuture<RenderCache.Entry> mine, Callable<RenderCache.Entry> job,
            Semaphore also) {
        workers.submit(() -> {
            RenderCache.Entry done = null;
            Throwable failed = null;
            try {
                done = job.call();
                cache.put(key, done);
            } catch (Throwable t) {
                failed = t;
            } finally {
                // Released before the waiters wake, so whoever reacts to the result finds the permits free.
                rendering.remove(key, mine);
                running.release();
                if (also != null) also.release();
            }
            if (failed != null) mine.completeExceptionally(failed);
            else mine.complete(done);
        });
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
