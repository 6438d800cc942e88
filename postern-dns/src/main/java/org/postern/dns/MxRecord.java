// SPDX-License-Identifier: Apache-2.0
package org.postern.dns;

/**
 * One MX record (RFC 1035 §3.3.9): {@code exchange} without the trailing dot, lower case; the root
 * name "." of a null MX (RFC 7505) is the empty string.
 */
public record MxRecord(int preference, String exchange) {
    public MxRecord {
        if (preference < 0 || preference > 0xFFFF) throw new IllegalArgumentException("preference " + preference);
    }

    /** RFC 7505 §3: preference 0 and the root as exchange. */
    public boolean isNull() {
        return exchange.isEmpty();
    }
}
