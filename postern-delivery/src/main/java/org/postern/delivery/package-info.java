// SPDX-License-Identifier: Apache-2.0
/**
 * Durable intake of accepted mail: relay rules and sender ownership checked during the SMTP session,
 * alias expansion, the trace fields, and one store transaction placing the message in local INBOXes
 * and the outbound queue.
 *
 * <p>RFC 5321 §4.4 (Received:, Return-Path:), §3.6 and §4.5.1 (relaying, postmaster), §6.1
 * (reliable delivery), §6.3 (loops); RFC 3848 (ESMTPS/ESMTPSA); RFC 6531 §3.7.3 (UTF8SMTP);
 * RFC 6409 §6.1 (submission sender checks).
 *
 * <p>Invariants:
 * <ul>
 *   <li>{@link org.postern.delivery.LocalDelivery#accept} returns only after
 *       {@code MailStore.deliver} returned: the blob is fsynced first, then all mailboxes and the
 *       queue entry commit in one transaction. Any failure is an IntakeException with 451.</li>
 *   <li>No open relay: a recipient outside the local domains is accepted only from an authenticated
 *       session; '%', '!', quoted local parts and address literals are plain addresses (HOSTILE A15).</li>
 *   <li>Unknown local users are refused at RCPT (550 5.1.1), so nothing is accepted that would
 *       later bounce to a forged sender (no backscatter).</li>
 *   <li>Alias expansion is bounded (depth 10, 1000 addresses) and survives loops.</li>
 * </ul>
 */
package org.postern.delivery;
