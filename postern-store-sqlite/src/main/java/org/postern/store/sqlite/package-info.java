// SPDX-License-Identifier: Apache-2.0
/**
 * The embedded store backend: SQLite (WAL, {@code synchronous=FULL}) for metadata, one file per message
 * body under {@code blobs/}. Entry point: {@link org.postern.store.sqlite.SqliteMailStore#open}.
 *
 * <p>Implements the invariants of {@link org.postern.store} for RFC 9051 (UID, UIDVALIDITY), RFC 7162
 * (MODSEQ, expunge log for QRESYNC), RFC 4315 (COPYUID) and RFC 6851 (MOVE). Rules kept here:
 * <ul>
 *   <li>All writes go through one connection under one lock and run as {@code BEGIN IMMEDIATE}
 *       transactions, so UID and MODSEQ allocation is serial, also against another process (the CLI)
 *       on the same file. Writers that arrive during a commit are committed together (group commit:
 *       one transaction, one savepoint per caller, one fsync); a caller returns only after the COMMIT
 *       that holds its data, and a failed COMMIT fails every caller of that batch. Reads use a small pool of connections; WAL lets them run beside the writer.</li>
 *   <li>Every per-account table has {@code account_id} first in its key and every query names the
 *       account: a later server backend distributes data by account.</li>
 *   <li>A write transaction bumps the account's MODSEQ counter at most once and stamps everything it
 *       changes with that value.</li>
 *   <li>Change events are queued while the write lock is still held (commit order) and delivered by a
 *       single notifier thread; listeners never run under the lock. Events written by another process
 *       are picked up from the {@code changelog} table by a poller.</li>
 *   <li>A blob file is deleted only after the transaction that dropped its last reference committed;
 *       a blob written but never referenced (crash between commit of the file and the transaction) is
 *       left behind as an orphan.</li>
 *   <li>Large mailboxes' compact indexes are cached ({@code SqliteIndexCache}) and brought up to date
 *       with the rows and expunge-log entries whose MODSEQ is above the cached HIGHESTMODSEQ, read in
 *       the same read transaction; the expunge log is therefore kept as long as its mailbox.</li>
 *   <li>The schema carries {@code PRAGMA user_version}; data newer than the code is refused.</li>
 * </ul>
 */
package org.postern.store.sqlite;
