// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery.queue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.postern.core.MailAddress;
import org.postern.smtp.client.OutboundMessage;
import org.postern.smtp.server.Envelope;
import org.postern.smtp.wire.BodyType;
import org.postern.smtp.wire.MailParameters;
import org.postern.smtp.wire.RcptParameters;
import org.postern.store.Intake;
import org.postern.store.OutboundQueue.QueuedMessage;

/**
 * Carries the envelope options (DSN, RFC 3461; REQUIRETLS, RFC 8689; BINARYMIME, RFC 3030; the
 * FUTURERELEASE hold, RFC 4865) from the SMTP session into a queue entry, and from the queue entry to
 * the SMTP client.
 */
public final class OutboundOptions {
    private OutboundOptions() {}

    /** The queue entry's envelope for the {@code remote} recipients of an accepted message. */
    public static Intake.Outbound outbound(Envelope envelope, List<MailAddress> remote) {
        MailParameters p = envelope.params();
        // RFC 4865: the hold (made absolute by the session) stays with the entry; it is never passed on.
        Intake.Options options = new Intake.Options(p.ret() == null ? null : p.ret().name(), p.envId(), p.requireTls(),
                p.body() == BodyType.BINARY_MIME, p.holdUntil());
        List<Intake.RecipientOptions> per = new ArrayList<>();
        for (MailAddress r : remote) {
            // An address that came out of alias expansion has no RCPT parameters of its own: defaults.
            RcptParameters rp = envelope.paramsOf(r);
            per.add(new Intake.RecipientOptions(rp.notifyKeyword(), rp.orcptType(), rp.orcpt()));
        }
        return new Intake.Outbound(envelope.mailFrom() == null ? "" : envelope.mailFrom().toString(),
                remote.stream().map(MailAddress::toString).toList(), options, per);
    }

    /** What the SMTP client must honour and pass on for {@code recipients} of {@code entry}. */
    static OutboundMessage.Options forClient(QueuedMessage entry, List<String> recipients) {
        Intake.Options o = entry.options();
        Map<String, RcptParameters> per = new HashMap<>();
        for (String r : recipients) {
            Intake.RecipientOptions ro = entry.optionsOf(r);
            if (ro.equals(Intake.RecipientOptions.NONE)) continue;
            Set<RcptParameters.Notify> notify = EnumSet.noneOf(RcptParameters.Notify.class);
            if (ro.notifyOn() != null) {
                for (String n : ro.notifyOn().split(",")) {
                    try {
                        notify.add(RcptParameters.Notify.valueOf(n.toUpperCase(Locale.ROOT)));
                    } catch (IllegalArgumentException ignored) {
                        // written by us; an unknown word is skipped rather than failing the delivery
                    }
                }
            }
            per.put(r, new RcptParameters(notify, ro.orcptType(), ro.orcpt()));
        }
        MailParameters.Ret ret = o.ret() == null ? null : "HDRS".equals(o.ret()) ? MailParameters.Ret.HDRS : MailParameters.Ret.FULL;
        return new OutboundMessage.Options(ret, o.envId(), o.requireTls(), o.binary(), per);
    }
}
