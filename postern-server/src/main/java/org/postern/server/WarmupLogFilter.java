// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Keeps the throwaway server's start and stop out of the operator's log: what the modules log below WARN
 * on {@link Warmup}'s own thread (Jetty's "Started ...", the HTTP port of a server nobody else can reach)
 * would read like a second server. Warnings and errors still show, and Warmup's own lines.
 */
public final class WarmupLogFilter extends TurboFilter {
    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level == null || level.isGreaterOrEqual(Level.WARN)) return FilterReply.NEUTRAL;
        if (!Warmup.THREAD.equals(Thread.currentThread().getName())) return FilterReply.NEUTRAL;
        return logger.getName().equals(Warmup.class.getName()) ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
}
