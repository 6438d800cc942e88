// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RenderPoolTest {
    private static final long WAIT = 10_000;

    private static RenderCache.Key key(String blob) {
        return new RenderCache.Key(1, blob, false);
    }

    /** A render that blocks until released, counting its runs. */
    private static final class Job implements Callable<RenderCache.Entry> {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger runs = new AtomicInteger();
        final String text;

        Job(String text) {
            this.text = text;
        }

        @Override
        public RenderCache.Entry call() throws InterruptedException {
            runs.incrementAndGet();
            started.countDown();
            assertThat(release.await(WAIT, TimeUnit.MILLISECONDS)).isTrue();
            return new RenderCache.Entry(text.getBytes(StandardCharsets.UTF_8), false);
        }
    }

    @Test
    void aReaderJoinsThePrefetchUnderWayAndLaterOnesHitTheCache() throws Exception {
        try (RenderPool pool = new RenderPool(new RenderCache(16, 1 << 20), 4, 2)) {
            Job job = new Job("doc");
            assertThat(pool.prefetch(key("a"), job)).isTrue();
            assertThat(job.started.await(WAIT, TimeUnit.MILLISECONDS)).isTrue();
            assertThat(pool.prefetch(key("a"), job)).as("already under way").isFalse();
            var joined = pool.render(key("a"), job, WAIT);
            assertThat(joined).isNotDone();
            job.release.countDown();
            assertThat(new String(joined.get(WAIT, TimeUnit.MILLISECONDS).html(), StandardCharsets.UTF_8)).isEqualTo("doc");
            assertThat(pool.render(key("a"), job, WAIT).isDone()).as("cached").isTrue();
            assertThat(pool.prefetch(key("a"), job)).as("cached").isFalse();
            assertThat(job.runs).hasValue(1);
        }
    }

    @Test
    void prefetchesTakeAtMostTheirShareAndNeverWait() throws Exception {
        try (RenderPool pool = new RenderPool(new RenderCache(16, 1 << 20), 3, 2)) {
            Job p1 = new Job("p1"), p2 = new Job("p2"), p3 = new Job("p3");
            assertThat(pool.prefetch(key("p1"), p1)).isTrue();
            assertThat(pool.prefetch(key("p2"), p2)).isTrue();
            assertThat(pool.prefetch(key("p3"), p3)).as("over the prefetch share").isFalse();
            // A reader still gets the permit left.
            Job r1 = new Job("r1");
            var reader = pool.render(key("r1"), r1, WAIT);
            assertThat(reader).isNotNull();
            assertThat(r1.started.await(WAIT, TimeUnit.MILLISECONDS)).isTrue();
            // Every permit busy: a reader waits (here: in vain, briefly), a prefetch is dropped at once.
            assertThat(pool.render(key("r2"), new Job("r2"), 50)).isNull();
            p1.release.countDown();
            p2.release.countDown();
            r1.release.countDown();
            assertThat(reader.get(WAIT, TimeUnit.MILLISECONDS)).isNotNull();
            assertThat(p3.runs).hasValue(0);
        }
    }

    @Test
    void aPrefetchIsDroppedWhenReadersHoldEveryPermit() throws Exception {
        try (RenderPool pool = new RenderPool(new RenderCache(16, 1 << 20), 1, 1)) {
            Job r = new Job("r");
            var reader = pool.render(key("r"), r, WAIT);
            assertThat(r.started.await(WAIT, TimeUnit.MILLISECONDS)).isTrue();
            Job p = new Job("p");
            assertThat(pool.prefetch(key("p"), p)).isFalse();
            r.release.countDown();
            reader.get(WAIT, TimeUnit.MILLISECONDS);
            // The permits came back: the next guess runs.
            p.release.countDown();
            assertThat(pool.prefetch(key("p"), p)).isTrue();
            assertThat(pool.render(key("p"), p, WAIT).get(WAIT, TimeUnit.MILLISECONDS)).isNotNull();
        }
    }

    @Test
    void aFailedRenderIsReportedAndNotCached() throws Exception {
        try (RenderPool pool = new RenderPool(new RenderCache(16, 1 << 20), 2, 1)) {
            AtomicInteger runs = new AtomicInteger();
            Callable<RenderCache.Entry> broken = () -> {
                runs.incrementAndGet();
                throw new IllegalStateException("bad mime");
            };
            var f = pool.render(key("x"), broken, WAIT);
            assertThat(f).failsWithin(WAIT, TimeUnit.MILLISECONDS);
            var again = pool.render(key("x"), broken, WAIT);
            assertThat(again).failsWithin(WAIT, TimeUnit.MILLISECONDS);
            assertThat(runs).hasValue(2);
        }
    }
}
