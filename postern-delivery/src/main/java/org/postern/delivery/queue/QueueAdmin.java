// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery.queue;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.postern.store.MailStore;
import org.postern.store.OutboundQueue.QueuedMessage;
import org.postern.store.SubmissionStore;
import org.slf4j.LoggerFactory;

/**
 * What the administrator may do to a queue entry beyond retry and delete: return it to its sender
 * now, with a failure DSN (RFC 3464) as if it had expired. Works on the store, so the CLI can use it
 * while the server runs.
 */
public final class QueueAdmin {
    private final MailStore store;
    private final BounceSender bounces;

    public QueueAdmin(MailStore store, String hostname, Clock clock) {
        this.store = store;
        this.bounces = new BounceSender(store, QueueConfig.defaults(hostname), clock);
    }

    /**
     * Sends the failure DSN (to the recipients whose NOTIFY asks for one, RFC 3461 §4.1), then
     * removes the entry; empty when there is no such entry. The DSN is committed before the entry
     * goes, so a crash between the two can only repeat it.
     */
    public Optional<Boolean> bounce(long id) throws IOException {
        Optional<QueuedMessage> entry = store.queue().get(id);
        if (entry.isEmpty()) return Optional.empty();
        QueuedMessage e = entry.get();
        List<DsnWriter.Recipient> rcpts = e.recipients().stream()
                .filter(r -> e.optionsOf(r).notifies("FAILURE"))
                .map(r -> {
                    var o = e.optionsOf(r);
                    return new DsnWriter.Recipient(r, "5.0.0", "", "returned to sender by the postmaster", false,
                            o.orcpt() == null ? null : o.orcptType() + ";" + o.orcpt());
                }).toList();
        boolean sent = !rcpts.isEmpty() && bounces.send(e, DsnWriter.Kind.FAILURE, rcpts);
        store.queue().delete(id);
        try {
            // RFC 8621 §7 deliveryStatus of a JMAP submission waiting in this entry: failed, for good.
            store.submissions().recordDelivery(id, e.recipients().stream().map(r -> new SubmissionStore.Delivery(r, "no",
                    "550 5.0.0 Returned to the sender by the postmaster")).toList(), -1);
        } catch (RuntimeException x) {
            LoggerFactory.getLogger(QueueAdmin.class).warn("queue entry {}: submission status not recorded: {}", id, x.toString());
        }
        return Optional.of(sent);
    }
}
