// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.wire;

import java.time.Duration;
import java.time.Instant;

/**
 * The MAIL FROM parameters Postern supports.
 *
 * @param size the declared size (RFC 1870 §6), or -1 when not declared
 * @param body BODY= (RFC 6152, RFC 3030 §3)
 * @param smtpUtf8 SMTPUTF8 was given (RFC 6531 §3.4)
 * @param ret RET= (RFC 3461 §4.3), null when absent
 * @param envId ENVID= decoded from xtext (RFC 3461 §4.4), null when absent
 * @param requireTls REQUIRETLS was given (RFC 8689 §4)
 * @param holdFor HOLDFOR= (RFC 4865 §3), null when absent
 * @param holdUntil HOLDUNTIL= (RFC 4865 §3), or HOLDFOR made absolute by {@link #released}; null when absent
 */
public record MailParameters(long size, BodyType body, boolean smtpUtf8, Ret ret, String envId, boolean requireTls,
        Duration holdFor, Instant holdUntil) {
    public static final MailParameters NONE = new MailParameters(-1, BodyType.SEVEN_BIT, false);

    /** RFC 3461 §4.3: what a failure DSN returns of the message. */
    public enum Ret { FULL, HDRS }

    public MailParameters(long size, BodyType body, boolean smtpUtf8) {
        this(size, body, smtpUtf8, null, null, false);
    }

    public MailParameters(long size, BodyType body, boolean smtpUtf8, Ret ret, String envId, boolean requireTls) {
        this(size, body, smtpUtf8, ret, envId, requireTls, null, null);
    }

    /** Whether a FUTURERELEASE hold-param (RFC 4865 §3) was given. */
    public boolean held() {
        return holdFor != null || holdUntil != null;
    }

    /**
     * The hold as an instant, HOLDFOR counted from {@code now}; no hold when the release time is not
     * after {@code now} (a HOLDUNTIL already past, HOLDFOR=0: nothing to wait for).
     */
    public MailParameters released(Instant now) {
        Instant at = holdFor != null ? now.plus(holdFor) : holdUntil;
        return new MailParameters(size, body, smtpUtf8, ret, envId, requireTls, null,
                at != null && at.isAfter(now) ? at : null);
    }

    public boolean isEmpty() {
        return equals(NONE);
    }
}
