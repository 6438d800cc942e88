// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery.queue;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.postern.core.MailAddress;
import org.postern.smtp.server.Envelope;
import org.postern.smtp.wire.RcptParameters;
import org.postern.store.Intake;
import org.postern.store.MailStore;
import org.postern.store.OutboundQueue.QueuedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Success reports for final delivery (RFC 3461 §4.1, RFC 3464 §2.3.3 Action "delivered"): a
 * recipient whose RCPT said NOTIFY=SUCCESS and whose copy went into a local mailbox gets its sender
 * a report. Best effort, after the commit: the message is accepted whether or not the report can be
 * stored.
 */
public final class DeliveryReports {
    private static final Logger log = LoggerFactory.getLogger(DeliveryReports.class);

    private final MailStore store;
    private final BounceSender reports;

    public DeliveryReports(MailStore store, String hostname, Clock clock) {
        this.store = store;
        this.reports = new BounceSender(store, QueueConfig.defaults(hostname), clock);
    }

    /** Reports {@code delivered} (local recipients of {@code envelope}) that asked for it; never throws. */
    public void delivered(Envelope envelope, List<MailAddress> delivered, String blobId, long size, Instant arrival) {
        if (envelope.mailFrom() == null) return; // RFC 3461 §6.2: never to the null reverse-path
        List<DsnWriter.Recipient> rcpts = new ArrayList<>();
        for (MailAddress r : delivered) {
            RcptParameters p = envelope.paramsOf(r);
            if (!p.notifyOn().contains(RcptParameters.Notify.SUCCESS)) continue;
            rcpts.add(new DsnWriter.Recipient(r.toString(), "2.0.0", "", "delivered to the mailbox", false,
                    p.orcpt() == null ? null : p.orcptType() + ";" + p.orcpt()));
        }
        if (rcpts.isEmpty()) return;
        Intake.Outbound o = OutboundOptions.outbound(envelope, delivered);
        QueuedMessage pseudo = new QueuedMessage(-1, o.mailFrom(), o.recipients(), blobId, size, arrival, arrival, 0, "",
                new Intake.Options(null, o.options().envId(), o.options().requireTls(), false), o.recipientOptions());
        try {
            reports.send(pseudo, DsnWriter.Kind.DELIVERED, rcpts);
        } catch (IOException | RuntimeException e) {
            log.warn("success report for <{}> could not be stored: {}", envelope.mailFrom(), e.toString());
        }
    }
}
