// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.postern.delivery.queue.QueueAdmin;
import org.postern.store.MailStore;
import org.postern.store.OutboundQueue.QueuedMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code postern queue list|retry|delete|bounce}: the outbound queue for the administrator. Works
 * while the server runs (the store takes writes from several processes); a running queue runner
 * sees a retried entry at its next poll.
 */
@Command(name = "queue", description = "List, retry, delete or bounce mail waiting for other servers.",
        mixinStandardHelpOptions = true)
public final class QueueCommand implements Runnable {
    private final CliContext ctx;
    @Spec
    CommandSpec spec;

    public QueueCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "say what to do: queue list|retry|delete|bounce");
    }

    @Command(name = "list", description = "Show every queued message: id, age, attempts, sender, recipients, last error.")
    int list() {
        try (MailStore store = ctx.openStore()) {
            List<QueuedMessage> all = store.queue().list();
            if (all.isEmpty()) {
                ctx.out().println("the queue is empty");
                return 0;
            }
            Instant now = Instant.now();
            for (QueuedMessage q : all) {
                ctx.out().printf("%d  %s old  %d attempt(s)  next in %s  <%s> -> %s%n", q.id(),
                        human(Duration.between(q.queuedAt(), now)), q.attempts(),
                        q.nextAttempt().isAfter(now) ? human(Duration.between(now, q.nextAttempt())) : "now",
                        q.mailFrom(), String.join(", ", q.recipients()) + flags(q));
                if (q.lastError() != null && !q.lastError().isEmpty()) ctx.out().println("    " + q.lastError());
            }
            ctx.out().println(all.size() + " message(s)");
        }
        return 0;
    }

    @Command(name = "retry", description = "Make one message (or, without ID, every message) due now.")
    int retry(@Parameters(paramLabel = "ID", arity = "0..1") Long id) {
        try (MailStore store = ctx.openStore()) {
            if (id == null) {
                int n = 0;
                for (QueuedMessage q : store.queue().list()) if (store.queue().retryNow(q.id())) n++;
                ctx.out().println(n + " message(s) due now");
                return 0;
            }
            if (!store.queue().retryNow(id)) throw CliFailure.failed("no queued message " + id);
            ctx.out().println("message " + id + " is due now");
        }
        return 0;
    }

    @Command(name = "delete", description = "Remove a message from the queue without telling its sender.")
    int delete(@Parameters(paramLabel = "ID") long id) {
        try (MailStore store = ctx.openStore()) {
            if (!store.queue().delete(id)) throw CliFailure.failed("no queued message " + id);
            ctx.out().println("deleted message " + id);
        }
        return 0;
    }

    @Command(name = "bounce", description = "Return a message to its sender now with a failure report, and remove it.")
    int bounce(@Parameters(paramLabel = "ID") long id) throws IOException {
        try (MailStore store = ctx.openStore()) {
            Optional<Boolean> sent = new QueueAdmin(store, ctx.config().hostname(), Clock.systemUTC()).bounce(id);
            if (sent.isEmpty()) throw CliFailure.failed("no queued message " + id);
            ctx.out().println("returned message " + id + (sent.get() ? " to its sender" : " (no report: null sender or NOTIFY)"));
        }
        return 0;
    }

    /** The envelope options an operator may need to know about (why it waits, what the sender asked). */
    private static String flags(QueuedMessage q) {
        StringBuilder sb = new StringBuilder();
        if (q.options().requireTls()) sb.append(" REQUIRETLS");
        if (q.options().binary()) sb.append(" BINARYMIME");
        if (q.options().envId() != null) sb.append(" ENVID=").append(q.options().envId());
        return sb.isEmpty() ? "" : "  [" + sb.toString().strip() + "]";
    }

    private static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 120) return s + "s";
        if (s < 7200) return s / 60 + "m";
        if (s < 172800) return s / 3600 + "h";
        return s / 86400 + "d";
    }
}
