// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * An MTA-STS policy (RFC 8461 §3.2) as fetched for one domain.
 *
 * @param id the policy id of the TXT record it was fetched for (RFC 8461 §3.1)
 * @param mx the allowed MX host patterns, lower case; "*.example.com" matches one leftmost label
 * @param maxAge how long the policy may be cached
 * @param fetchedAt when it was fetched
 */
public record MtaStsPolicy(String id, Mode mode, List<String> mx, Duration maxAge, Instant fetchedAt) {
    public enum Mode { ENFORCE, TESTING, NONE }

    public MtaStsPolicy {
        mx = mx.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }

    public boolean expired(Instant now) {
        return !now.isBefore(fetchedAt.plus(maxAge));
    }

    /** RFC 8461 §4.1: the MX host name matches a pattern exactly or by a wildcard of one label. */
    public boolean allows(String mxHost) {
        String h = mxHost.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        for (String p : mx) {
            if (p.startsWith("*.")) {
                int dot = h.indexOf('.');
                if (dot > 0 && h.substring(dot + 1).equals(p.substring(2))) return true;
            } else if (p.equals(h)) {
                return true;
            }
        }
        return false;
    }
}
