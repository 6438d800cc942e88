// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.postern.smtp.wire.MailParameters;
import org.postern.smtp.wire.RcptParameters;

/**
 * One message to relay to one destination domain.
 *
 * @param mailFrom the reverse-path, empty for the null path {@code <>} (bounces, RFC 5321 §4.5.5)
 * @param recipients forward-paths of the destination domain, each "local@domain"
 * @param content opens the stored message (possibly starting with Return-Path:) each time it is called
 * @param options the envelope options to honour and pass on
 */
public record OutboundMessage(String mailFrom, List<String> recipients, Content content, Options options) {
    public OutboundMessage {
        recipients = List.copyOf(recipients);
        if (mailFrom == null) mailFrom = "";
        if (options == null) options = Options.NONE;
    }

    public OutboundMessage(String mailFrom, List<String> recipients, Content content) {
        this(mailFrom, recipients, content, Options.NONE);
    }

    @FunctionalInterface
    public interface Content {
        InputStream open() throws IOException;
    }

    /**
     * @param ret RFC 3461 RET, null when not given
     * @param envId RFC 3461 ENVID (decoded), null when not given
     * @param requireTls RFC 8689: only over authenticated TLS to a REQUIRETLS next hop
     * @param binary BODY=BINARYMIME (RFC 3030): only with BDAT to a BINARYMIME next hop
     * @param recipientParams NOTIFY/ORCPT per recipient address (absent: none)
     */
    public record Options(MailParameters.Ret ret, String envId, boolean requireTls, boolean binary,
            Map<String, RcptParameters> recipientParams) {
        public static final Options NONE = new Options(null, null, false, false, Map.of());

        public Options {
            recipientParams = Map.copyOf(recipientParams);
        }

        RcptParameters of(String recipient) {
            return recipientParams.getOrDefault(recipient, RcptParameters.NONE);
        }

        boolean hasDsn() {
            return ret != null || envId != null || recipientParams.values().stream().anyMatch(p -> !p.equals(RcptParameters.NONE));
        }
    }

    /** RFC 6531 §3.4: any non-ASCII address needs SMTPUTF8. */
    boolean needsSmtpUtf8() {
        if (!mailFrom.chars().allMatch(c -> c < 0x80)) return true;
        for (String r : recipients) if (!r.chars().allMatch(c -> c < 0x80)) return true;
        return false;
    }
}
