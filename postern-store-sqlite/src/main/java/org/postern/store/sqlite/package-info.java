// SPDX-License-Identifier: Apache-2.0
/**
 * The embedded store backend: SQLite (WAL, {@code synchronous=FULL} but see below) for metadata and for message
 * bodies up to 32 KiB ({@code blob_data}, written by the group commit instead of a file create, fsync,
 * rename and directory fsync each), one file per larger body under {@code blobs/}. Entry point:
 * {@link org.postern.store.sqlite.SqliteMailStore#open}.
 *
 * <p>Durability: a write returns after the COMMIT holding it is on disk ({@code synchronous=FULL}: the
 * WAL is fsynced), and a message body is durable no later than its message row (a small body's row
 * is written in the same transaction, a blob file fsynced with its directory before it); "OK" to
 * APPEND or a delivery means both survive a power loss. One exception, a deliberate trade: flag changes
 * (STORE, the implicit \Seen of FETCH) commit in transactions of their own with {@code synchronous=NORMAL},
 * without fsync, as Dovecot does by default. WAL mode keeps the database consistent after a power loss;
 * what may be lost is the flag changes since the last fsync (the next durable commit's or a
 * checkpoint's, which covers every earlier WAL frame, so a durable write never outlives an earlier
 * lost flag change). A client that saw such a change's MODSEQ may then find the message's flags as
 * before and the same MODSEQ value given again to a later change; no message, expunge or mailbox
 * change is ever affected. Flag changes are the most frequent writes (several per IMAP session) and
 * each fsync costs a disk flush every other writer waits behind.
 *
 * <p>Implements the invariants of {@link org.postern.store} for RFC 9051 (UID, UIDVALIDITY), RFC 7162
 * (MODSEQ, expunge log for QRESYNC), RFC 4315 (COPYUID) and RFC 6851 (MOVE). Rules kept here:
 * <ul>
 *   <li>All writes go through one connection, run by one platform thread (the committer, so SQLite's
 *       native fsync never pins a virtual thread's carrier), as {@code BEGIN IMMEDIATE}
 *       transactions, so UID and MODSEQ allocation is serial, also against another process (the CLI)
 *       on the same file. Writers that arrive during a commit are committed together (group commit:
 *       one transaction, one savepoint per caller, one fsync); a caller returns only after the COMMIT
 *       that holds its data, and a failed COMMIT fails every caller of that batch. Reads use a small pool of connections; WAL lets them run beside the writer.</li>
 *   <li>Every per-account table has {@code account_id} first in its key and every query names the
 *       account: a later server backend distributes data by account.</li>
 *   <li>A write transaction bumps the account's MODSEQ counter at most once and stamps everything it
 *       changes with that value.</li>
 *   <li>Change events are queued by the committer right after each COMMIT (commit order) and delivered by a
 *       single notifier thread; listeners never run on the committer. Events written by another process
 *       are picked up from the {@code changelog} table by a poller.</li>
 *   <li>A body kept in the database is deleted in the transaction that drops its last reference, a
 *       blob file only after that transaction committed. A body written but never referenced (crash
 *       between its commit and the transaction that references it) is an orphan: rows older than a
 *       day that nothing references are deleted when the store is opened, files are left behind.
 *       With an object store new bodies all go there and its orphans are swept at open too.</li>
 *   <li>Large mailboxes' compact indexes are cached ({@code SqliteIndexCache}) and brought up to date
 *       with the rows and expunge-log entries whose MODSEQ is above the cached HIGHESTMODSEQ, read in
 *       the same read transaction; the expunge log is therefore kept as long as its mailbox.</li>
 *   <li>Each account's mailbox rows are cached ({@code SqliteMailboxCache}) for one value of the
 *       account's MODSEQ counter, which every transaction changing a mailbox row bumps; a read uses
 *       the cached rows only when its own snapshot reads that same value, so no write, of this process
 *       or another, is ever hidden from a read that starts after it returned.</li>
 *   <li>A write alone in its batch runs without a savepoint (its failure rolls back the whole
 *       transaction); the change log is pruned by sequence and always keeps its newest row, so its
 *       sequence numbers only grow without AUTOINCREMENT.</li>
 *   <li>The schema carries {@code PRAGMA user_version}; data newer than the code is refused.</li>
 * </ul>
 */
package org.postern.store.sqlite;
