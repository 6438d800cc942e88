// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.dkim;

import java.util.Locale;

/**
 * The outcome for one DKIM-Signature field (RFC 6376 §6.1; result names of RFC 8601 §2.7.1).
 *
 * @param domain d=, empty when the field could not be read
 * @param headerB the first octets of b= (RFC 6008 header.b), to tell several signatures apart
 * @param unsignedOctets body octets after l= that the signature does not cover (0 without l=)
 */
public record DkimResult(Status status, String domain, String selector, String algorithm, String identity, String headerB,
        String reason, boolean testing, long unsignedOctets) {
    public enum Status {
        NONE, PASS, FAIL, NEUTRAL, POLICY, TEMPERROR, PERMERROR;

        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static DkimResult of(Status status, DkimSignature s, String reason) {
        String b = java.util.Base64.getEncoder().encodeToString(s.signature());
        return new DkimResult(status, s.domain(), s.selector(), s.algorithm(), s.identity(), b.substring(0, Math.min(8, b.length())),
                reason, false, 0);
    }

    DkimResult withTesting(boolean t) {
        return new DkimResult(status, domain, selector, algorithm, identity, headerB, reason, t, unsignedOctets);
    }

    DkimResult withUnsigned(long octets) {
        return new DkimResult(status, domain, selector, algorithm, identity, headerB, reason, testing, octets);
    }
}
