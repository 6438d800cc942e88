// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery.queue;

import java.util.List;
import org.postern.smtp.client.OutboundMessage;
import org.postern.smtp.client.RecipientResult;

/**
 * Sends one message to the recipients of one domain; {@link org.postern.smtp.client.DomainDelivery}
 * in production, a fake in tests. Must return one result per recipient and never throw for network
 * trouble.
 */
@FunctionalInterface
public interface Transport {
    List<RecipientResult> deliver(String domain, OutboundMessage message);
}
