// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth;

import java.util.List;
import org.postern.mailauth.dkim.DkimResult;
import org.postern.mailauth.dmarc.DmarcVerdict;
import org.postern.mailauth.spf.SpfVerdict;

/**
 * Everything checked about one inbound message.
 *
 * @param dmarc the verdict that decided {@code disposition} (the strictest when From names several domains)
 * @param authenticationResults the field to prepend, "Authentication-Results: ...\r\n"
 */
public record MailAuthVerdict(SpfVerdict spf, List<DkimResult> dkim, DmarcVerdict dmarc, Disposition disposition,
        String authenticationResults) {
    public enum Disposition { ACCEPT, QUARANTINE, REJECT }

    public MailAuthVerdict {
        dkim = List.copyOf(dkim);
    }
}
