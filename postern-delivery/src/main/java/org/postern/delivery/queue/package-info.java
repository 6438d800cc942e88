// SPDX-License-Identifier: Apache-2.0
/**
 * The outbound queue runner: takes due entries of the durable queue, relays them per destination
 * domain through the SMTP client, retries with backoff, warns about delays and returns failures to
 * the sender as delivery status notifications.
 *
 * <p>RFC 5321 §4.5.4.1 (retry strategy: give up after 4-5 days), §4.5.5 and §6.1 (a failure must be
 * reported to the reverse-path, never for a null reverse-path), §6.2 (no bounce of a bounce);
 * RFC 3464 (the DSN format: multipart/report, message/delivery-status), RFC 6522
 * (multipart/report), RFC 3463 (status codes, 4.4.7 delivery time expired), RFC 3834
 * (Auto-Submitted: on automatic replies), RFC 6533 (utf-8 address type in DSNs), RFC 3461 (DSN
 * requests kept with each entry: NOTIFY decides which reports go out, RET what they return, ENVID and
 * ORCPT are echoed; "relayed" reports when the next hop takes no DSN), RFC 8689 §5 (reports about
 * REQUIRETLS messages return headers only and ask for REQUIRETLS themselves), RFC 4865 (a held entry
 * is not attempted before its release time, and ages from it), RFC 8621 §7 (each attempt's results
 * become the deliveryStatus of the JMAP submissions sent through the entry).
 *
 * <p>Invariants:
 * <ul>
 *   <li>No recipient is lost: a queue entry is deleted only after every recipient in it is delivered,
 *       bounced (the DSN committed first) or re-queued in a new entry (committed first). A crash
 *       between those two commits re-sends to the recipients already delivered: duplication, never
 *       loss (RFC 5321 §6.1 prefers it). The other duplication window is inherent to SMTP
 *       (RFC 1047): between the remote "250" after the final "." and our commit.</li>
 *   <li>An entry is worked on by one thread at a time; the poller never picks an entry in flight.</li>
 *   <li>Parallelism is bounded overall and per destination domain; attempts are bounded in time by
 *       the client's timeouts.</li>
 *   <li>The null reverse-path never gets a DSN; a DSN is itself sent from the null reverse-path.</li>
 *   <li>A recipient with NOTIFY=NEVER leaves the queue on failure without any report.</li>
 *   <li>No delivery attempt before an entry's RFC 4865 release time, whoever made it due.</li>
 *   <li>Submission status is recorded after the queue's own commits and is never a reason to retry.</li>
 *   <li>New entries wake the runner at once ({@link org.postern.store.OutboundQueue#onQueued}); the
 *       poll interval only bounds how late entries queued by another process are seen.</li>
 * </ul>
 */
package org.postern.delivery.queue;
