// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import java.util.ArrayList;
import java.util.List;
import org.postern.core.MailAddress;
import org.postern.smtp.wire.MailParameters;
import org.postern.smtp.wire.RcptParameters;

/**
 * The accepted envelope of one transaction (RFC 5321 §2.3.1).
 *
 * @param mailFrom the reverse-path, null for {@code <>}
 * @param recipients the accepted forward-paths, de-duplicated, in RCPT order
 * @param recipientParams the RCPT parameters (RFC 3461 NOTIFY, ORCPT) of each recipient, same order
 */
public record Envelope(MailAddress mailFrom, MailParameters params, List<MailAddress> recipients,
        List<RcptParameters> recipientParams) {
    public Envelope {
        recipients = List.copyOf(recipients);
        if (recipientParams == null || recipientParams.isEmpty()) {
            List<RcptParameters> none = new ArrayList<>();
            for (int i = 0; i < recipients.size(); i++) none.add(RcptParameters.NONE);
            recipientParams = none;
        }
        recipientParams = List.copyOf(recipientParams);
        if (recipientParams.size() != recipients.size()) {
            throw new IllegalArgumentException("one RcptParameters per recipient");
        }
    }

    public Envelope(MailAddress mailFrom, MailParameters params, List<MailAddress> recipients) {
        this(mailFrom, params, recipients, List.of());
    }

    /** The RCPT parameters given with {@code recipient} (matched by look-up key), or NONE. */
    public RcptParameters paramsOf(MailAddress recipient) {
        for (int i = 0; i < recipients.size(); i++) {
            if (recipients.get(i).key().equals(recipient.key())) return recipientParams.get(i);
        }
        return RcptParameters.NONE;
    }
}
