// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.wire;

import java.util.Set;

/**
 * The RCPT TO parameters of DSN (RFC 3461 §4.1, §4.2).
 *
 * @param notifyOn NOTIFY= values; empty when absent (the default: FAILURE, perhaps DELAY, §4.1);
 *     {@code {NEVER}} alone for NEVER
 * @param orcptType the ORCPT address type ("rfc822", "utf-8"), null when absent
 * @param orcpt the ORCPT address, decoded from xtext, null when absent
 */
public record RcptParameters(Set<Notify> notifyOn, String orcptType, String orcpt) {
    public static final RcptParameters NONE = new RcptParameters(Set.of(), null, null);

    public enum Notify { NEVER, SUCCESS, FAILURE, DELAY }

    public RcptParameters {
        notifyOn = Set.copyOf(notifyOn);
    }

    /** The NOTIFY list as sent on the wire ("SUCCESS,FAILURE"), or null when absent. */
    public String notifyKeyword() {
        if (notifyOn.isEmpty()) return null;
        StringBuilder sb = new StringBuilder();
        for (Notify n : Notify.values()) {
            if (notifyOn.contains(n)) sb.append(sb.isEmpty() ? "" : ",").append(n.name());
        }
        return sb.toString();
    }
}
