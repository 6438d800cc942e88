// SPDX-License-Identifier: Apache-2.0
/**
 * The protocol-neutral store API. IMAP, POP3, SMTP delivery, JMAP and the CLI all use it; none of them
 * knows which backend is underneath.
 *
 * <p>Invariants every backend keeps (checked by the contract suites in this module's test-jar):
 * <ul>
 *   <li>A method that writes returns only once the change is durable (fsynced). "250 OK" and IMAP "OK"
 *       for APPEND rely on this (RFC 5321 §6.1).</li>
 *   <li>UIDs in a mailbox strictly increase and are never reused while UIDVALIDITY is unchanged
 *       (RFC 9051 §2.3.1.1). UIDVALIDITY changes only when a mailbox is re-created.</li>
 *   <li>Every change gets a MODSEQ from one counter per account, strictly increasing; the change log
 *       records expunges with their MODSEQ so sessions can catch up (RFC 7162).</li>
 *   <li>Change events are published after commit, in commit order.</li>
 *   <li>{@link org.postern.store.MailboxIndex} has exactly the content of the snapshot taken at the
 *       same HIGHESTMODSEQ; a backend may serve it from a cache it brings up to date from its change
 *       log, so it never needs one object per message.</li>
 *   <li>{@link org.postern.store.MessageSortKeys} are kept per message body and account, and dropped
 *       with the body's last reference; the store compares none of them. Backends write the keys of
 *       each delivered or appended message in its transaction (derived by
 *       {@link org.postern.store.backend.SortKeyDerivation}). {@link org.postern.store.SortKeyColumns}
 *       holds the same keys of a mailbox as primitive columns in UID order, for SORT of large mailboxes.</li>
 *   <li>Thread ids ({@link org.postern.store.ThreadStore}) are per account and body, never change once
 *       assigned and are never reused (RFC 8474 §5.2).</li>
 * </ul>
 */
package org.postern.store;
