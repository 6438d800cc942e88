// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.dmarc;

import java.util.Locale;

/**
 * The DMARC outcome for one RFC5322.From domain (RFC 7489 §6.6; RFC 8601 §2.7 "dmarc=").
 *
 * @param policy the record's policy for this domain (p= or sp=); NONE without a record
 * @param disposition what to do after pct= sampling: NONE, QUARANTINE or REJECT
 */
public record DmarcVerdict(Result result, String fromDomain, DmarcRecord.Policy policy, DmarcRecord.Policy disposition,
        String reason) {
    public enum Result {
        NONE, PASS, FAIL, TEMPERROR, PERMERROR;

        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
