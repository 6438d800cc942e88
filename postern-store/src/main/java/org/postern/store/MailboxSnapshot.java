// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.List;

/** A mailbox and all its messages in UID order, as of {@code mailbox.highestModSeq()}. */
public record MailboxSnapshot(Mailbox mailbox, List<MessageRecord> messages) {}
