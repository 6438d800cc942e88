// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.wire;

/**
 * The MAIL FROM parameters Postern supports.
 *
 * @param size the declared size (RFC 1870 §6), or -1 when not declared
 * @param body BODY= (RFC 6152, RFC 3030 §3)
 * @param smtpUtf8 SMTPUTF8 was given (RFC 6531 §3.4)
 * @param ret RET= (RFC 3461 §4.3), null when absent
 * @param envId ENVID= decoded from xtext (RFC 3461 §4.4), null when absent
 * @param requireTls REQUIRETLS was given (RFC 8689 §4)
 */
public record MailParameters(long size, BodyType body, boolean smtpUtf8, Ret ret, String envId, boolean requireTls) {
    public static final MailParameters NONE = new MailParameters(-1, BodyType.SEVEN_BIT, false);

    /** RFC 3461 §4.3: what a failure DSN returns of the message. */
    public enum Ret { FULL, HDRS }

    public MailParameters(long size, BodyType body, boolean smtpUtf8) {
        this(size, body, smtpUtf8, null, null, false);
    }

    public boolean isEmpty() {
        return equals(NONE);
    }
}
