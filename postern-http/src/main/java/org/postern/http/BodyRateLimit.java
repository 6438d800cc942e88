// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Fails a request body that trickles in (the slowloris of bodies, HOSTILE.md A45): after a grace
 * period, the body must have arrived at {@code minRate} octets per second on average, or the next
 * read fails with a TimeoutException (the router answers 408). The grace period keeps small bodies
 * that a handler reads only after slow work (a password hash) from being judged by a meaningless
 * rate, which is why Jetty's own MinimumDataRateHandler is not used. A body that stops completely
 * is ended by the idle timeout.
 */
final class BodyRateLimit extends Handler.Wrapper {
    private final long minRate;
    private final long graceNanos;

    BodyRateLimit(Handler next, long minRate, java.time.Duration grace) {
        super(next);
        this.minRate = minRate;
        this.graceNanos = grace.toNanos();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        return super.handle(new Rated(request), response, callback);
    }

    private final class Rated extends Request.Wrapper {
        private final long start = System.nanoTime();
        private long received;

        Rated(Request wrapped) {
            super(wrapped);
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk c = super.read();
            if (c == null || Content.Chunk.isFailure(c)) return c;
            received += c.remaining();
            if (c.isLast()) return c;
            long late = System.nanoTime() - start - graceNanos;
            if (late > 0 && received < minRate * (late / 1_000_000L) / 1000L) {
                c.release();
                return Content.Chunk.from(new TimeoutException("request body slower than " + minRate + " octets/s"), true);
            }
            return c;
        }
    }
}
