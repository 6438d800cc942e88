// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import java.util.List;
import org.postern.core.MailAddress;
import org.postern.smtp.wire.MailParameters;

/**
 * The accepted envelope of one transaction (RFC 5321 §2.3.1).
 *
 * @param mailFrom the reverse-path, null for {@code <>}
 * @param recipients the accepted forward-paths, de-duplicated, in RCPT order
 */
public record Envelope(MailAddress mailFrom, MailParameters params, List<MailAddress> recipients) {
    public Envelope {
        recipients = List.copyOf(recipients);
    }
}
