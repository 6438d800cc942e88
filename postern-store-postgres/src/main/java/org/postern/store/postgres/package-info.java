// SPDX-License-Identifier: Apache-2.0
/**
 * The shared store backend: PostgreSQL for metadata, message bodies, the outbound queue and
 * cross-node change notifications, so Postern nodes are stateless. Entry point:
 * {@link org.postern.store.postgres.PostgresMailStore#open(PostgresConfig)}.
 *
 * <p>Implements the invariants of {@link org.postern.store} for RFC 9051 (UID, UIDVALIDITY), RFC 7162
 * (MODSEQ, expunge log for QRESYNC), RFC 4315 (COPYUID), RFC 6851 (MOVE), RFC 4314 (ACL), RFC 5464
 * (METADATA), RFC 6376 (shared DKIM keys), RFC 8474 (THREADID), RFC 8621 (JMAP identities, submissions,
 * vacation responses) and RFC 3834 (one auto-reply per sender). Rules kept here:
 * <ul>
 *   <li>Every write to an account's data locks the account row first; several accounts are locked in
 *       ascending id order. Writers of one account are thereby serialised across all nodes, so UIDs and
 *       MODSEQs are handed out in commit order and a snapshot showing HIGHESTMODSEQ {@code h} shows
 *       every change up to {@code h} (what the index cache and QRESYNC rely on).</li>
 *   <li>A write transaction bumps the account's MODSEQ counter at most once and stamps everything it
 *       changes with that value. Deadlock and serialization victims are retried from the start.</li>
 *   <li>Every per-account table leads its key with the account and every query on it names the
 *       account, so tables can be distributed by account (see {@code PostgresSchema}).</li>
 *   <li>Change events are sent with NOTIFY inside the transaction that made them: delivered only after
 *       commit, in commit order, to every node (this one too, by the same path). A gap in listening is
 *       made up for by a resync once LISTEN runs again, never left to the sessions' next command.</li>
 *   <li>No connection is held between the chunks of a body or while a session waits on a client; a
 *       transaction never waits on the network beyond the database.</li>
 *   <li>A body is deleted by the transaction that drops its last reference; bodies written but never
 *       referenced are removed a day later.</li>
 *   <li>{@code OutboundQueue.due} claims entries with {@code FOR UPDATE SKIP LOCKED} and a lease, so
 *       no entry is attempted by two nodes at once; a node is alive while its LISTEN connection (named
 *       after the node) is in {@code pg_stat_activity}, and a dead node's claims are freed 20 s after
 *       their last renewal instead of at the end of the lease.</li>
 *   <li>The schema carries a version; data newer than the code is refused.</li>
 * </ul>
 */
package org.postern.store.postgres;
