// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * One message to relay to one destination domain.
 *
 * @param mailFrom the reverse-path, empty for the null path {@code <>} (bounces, RFC 5321 §4.5.5)
 * @param recipients forward-paths of the destination domain, each "local@domain"
 * @param content opens the stored message (possibly starting with Return-Path:) each time it is called
 */
public record OutboundMessage(String mailFrom, List<String> recipients, Content content) {
    public OutboundMessage {
        recipients = List.copyOf(recipients);
        if (mailFrom == null) mailFrom = "";
    }

    @FunctionalInterface
    public interface Content {
        InputStream open() throws IOException;
    }

    /** RFC 6531 §3.4: any non-ASCII address needs SMTPUTF8. */
    boolean needsSmtpUtf8() {
        if (!mailFrom.chars().allMatch(c -> c < 0x80)) return true;
        for (String r : recipients) if (!r.chars().allMatch(c -> c < 0x80)) return true;
        return false;
    }
}
