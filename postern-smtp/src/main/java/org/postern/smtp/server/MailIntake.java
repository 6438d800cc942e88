// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import java.io.IOException;
import org.postern.core.MailAddress;

/**
 * Where the SMTP session hands accepted mail: declared here, by its consumer, and implemented by
 * postern-delivery (DESIGN.md: the SMTP server owns the interface it delivers to).
 *
 * <p>Everything that can reject runs inside the session, before "250" (no backscatter). Methods are
 * called from the session's virtual thread; implementations must be thread-safe across sessions.
 */
public interface MailIntake {
    /** MAIL FROM (null for {@code <>}): sender ownership on submission, later SPF on MX. */
    SenderDecision sender(SessionInfo session, MailAddress mailFrom);

    /** RCPT TO: local user, relay rules (HOSTILE A15). */
    RecipientDecision recipient(SessionInfo session, MailAddress recipient);

    /**
     * RCPT TO knowing the size MAIL FROM declared (RFC 1870 §6; 0 when none), so a full mailbox can be
     * refused before any data is sent.
     */
    default RecipientDecision recipient(SessionInfo session, MailAddress recipient, long declaredSize) {
        return recipient(session, recipient);
    }

    /**
     * Stores the message for every recipient. Returns only once it is durable (RFC 5321 §6.1); the
     * session answers 250 after that, and never otherwise.
     *
     * @throws IntakeException with the reply to give (4xx on store failure, 5xx on policy)
     * @throws IOException only when reading {@code data} failed (the client is gone)
     */
    Receipt accept(SessionInfo session, Envelope envelope, MessageSource data) throws IntakeException, IOException;
}
