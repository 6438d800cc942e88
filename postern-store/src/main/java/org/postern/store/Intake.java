// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One accepted message to place: a copy in each local mailbox target and, when there are remote
 * recipients, one outbound queue entry.
 */
public record Intake(String blobId, long size, Instant receivedAt, List<Target> local, Outbound outbound) {
    public Intake {
        local = List.copyOf(local);
    }

    /** A mailbox to deliver into, with the flags the message starts with. */
    public record Target(long accountId, long mailboxId, Set<String> flags) {}

    /**
     * Envelope of the remote part; null when every recipient is local.
     *
     * @param options the envelope's DSN and TLS options
     * @param recipientOptions the DSN options of each recipient, in the order of {@code recipients}
     */
    public record Outbound(String mailFrom, List<String> recipients, Options options,
            List<RecipientOptions> recipientOptions) {
        public Outbound {
            recipients = List.copyOf(recipients);
            if (options == null) options = Options.NONE;
            if (recipientOptions == null || recipientOptions.isEmpty()) {
                recipientOptions = java.util.Collections.nCopies(recipients.size(), RecipientOptions.NONE);
            }
            recipientOptions = List.copyOf(recipientOptions);
            if (recipientOptions.size() != recipients.size()) {
                throw new IllegalArgumentException("one RecipientOptions per recipient");
            }
        }

        public Outbound(String mailFrom, List<String> recipients) {
            this(mailFrom, recipients, Options.NONE, List.of());
        }
    }

    /**
     * Options of the whole envelope, kept with a queue entry.
     *
     * @param ret RFC 3461 §4.3 RET: "FULL", "HDRS" or null when not given
     * @param envId RFC 3461 §4.4 ENVID, decoded (printable ASCII), or null
     * @param requireTls RFC 8689 REQUIRETLS: relay only over authenticated TLS
     * @param binary the body is BINARYMIME (RFC 3030 §3): relay only with BDAT
     * @param holdUntil RFC 4865 FUTURERELEASE: no delivery attempt before this instant; null for none
     */
    public record Options(String ret, String envId, boolean requireTls, boolean binary, Instant holdUntil) {
        public static final Options NONE = new Options(null, null, false, false, null);

        public Options(String ret, String envId, boolean requireTls, boolean binary) {
            this(ret, envId, requireTls, binary, null);
        }

        public Options withHoldUntil(Instant until) {
            return new Options(ret, envId, requireTls, binary, until);
        }
    }

    /**
     * DSN options of one recipient (RFC 3461 §4.1, §4.2).
     *
     * @param notifyOn "NEVER" or a comma list of SUCCESS, FAILURE, DELAY; null when not given
     * @param orcptType the ORCPT address type ("rfc822"), null when not given
     * @param orcpt the ORCPT address, decoded, null when not given
     */
    public record RecipientOptions(String notifyOn, String orcptType, String orcpt) {
        public static final RecipientOptions NONE = new RecipientOptions(null, null, null);

        /** RFC 3461 §4.1: with NOTIFY absent, failures (and perhaps delays) are reported. */
        public boolean notifies(String event) {
            if (notifyOn == null) return !event.equals("SUCCESS");
            return java.util.Arrays.asList(notifyOn.split(",")).contains(event);
        }
    }
}
