// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.wire;

/**
 * The MAIL FROM parameters Postern supports.
 *
 * @param size the declared size (RFC 1870 §6), or -1 when not declared
 * @param body BODY= (RFC 6152)
 * @param smtpUtf8 SMTPUTF8 was given (RFC 6531 §3.4)
 */
public record MailParameters(long size, BodyType body, boolean smtpUtf8) {
    public static final MailParameters NONE = new MailParameters(-1, BodyType.SEVEN_BIT, false);

    public boolean isEmpty() {
        return equals(NONE);
    }
}
