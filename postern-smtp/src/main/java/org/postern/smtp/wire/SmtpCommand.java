// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.wire;

import org.postern.core.MailAddress;

/** One parsed SMTP command line (RFC 5321 §4.1.1; RFC 3207; RFC 4954). */
public sealed interface SmtpCommand {
    record Ehlo(String domain) implements SmtpCommand {}

    record Helo(String domain) implements SmtpCommand {}

    /** {@code from} is null for the null reverse-path {@code <>}. */
    record Mail(MailAddress from, MailParameters params) implements SmtpCommand {}

    /**
     * {@code postmaster} is true for the bare {@code <Postmaster>} path without a domain, which every
     * server must accept (RFC 5321 §4.5.1); {@code to} is then null.
     */
    record Rcpt(MailAddress to, boolean postmaster, RcptParameters params) implements SmtpCommand {
        public Rcpt(MailAddress to, boolean postmaster) {
            this(to, postmaster, RcptParameters.NONE);
        }
    }

    record Data() implements SmtpCommand {}

    /**
     * BDAT (RFC 3030 §2): {@code size} octets follow the command line. {@code size} is
     * {@link Long#MAX_VALUE} for a number too large for a long (it exceeds any limit) and -1 when the
     * arguments are malformed: the session cannot know how much data follows and must end.
     */
    record Bdat(long size, boolean last) implements SmtpCommand {}

    record Rset() implements SmtpCommand {}

    record Noop() implements SmtpCommand {}

    record Quit() implements SmtpCommand {}

    record Vrfy(String argument) implements SmtpCommand {}

    record Expn(String argument) implements SmtpCommand {}

    record Help(String topic) implements SmtpCommand {}

    record StartTls() implements SmtpCommand {}

    /**
     * {@code initialResponse} is the base64 text as sent (null when absent, "=" for an empty one,
     * RFC 4954 §4); the session decodes it so a decoding error gets the AUTH-specific reply.
     */
    record Auth(String mechanism, String initialResponse) implements SmtpCommand {}

    /** A verb Postern knows but does not implement (yet): ETRN, TURN. */
    record NotImplemented(String verb) implements SmtpCommand {}

    /** Unknown verb or malformed line; {@code reply} is what to answer. */
    record Invalid(SmtpReply reply) implements SmtpCommand {}
}
