// SPDX-License-Identifier: Apache-2.0
/**
 * The IMAP server: IMAP4rev1 (RFC 3501) and, after ENABLE IMAP4rev2, IMAP4rev2 (RFC 9051), with IDLE
 * (RFC 2177), NAMESPACE (RFC 2342), ID (RFC 2971), MULTIAPPEND (RFC 3502), BINARY (RFC 3516),
 * UNSELECT (RFC 3691), UIDPLUS (RFC 4315), ESEARCH (RFC 4731), SASL-IR (RFC 4959), WITHIN
 * (RFC 5032), ENABLE (RFC 5161), SEARCHRES (RFC 5182), LIST-EXTENDED (RFC 5258), LIST-STATUS
 * (RFC 5819), SPECIAL-USE and CREATE-SPECIAL-USE (RFC 6154), UTF8=ACCEPT (RFC 6855), MOVE (RFC 6851),
 * CONDSTORE and QRESYNC (RFC 7162), LITERAL+ (RFC 7888), APPENDLIMIT (RFC 7889), STATUS=SIZE
 * (RFC 8438), OBJECTID (RFC 8474), SAVEDATE (RFC 8514), SORT and THREAD (RFC 5256), ESORT
 * (RFC 5267), SORT=DISPLAY (RFC 5957), REPLACE (RFC 8508), PREVIEW (RFC 8970), CATENATE (RFC 4469,
 * with IMAP URLs of RFC 5092 into the user's own mailboxes), COMPRESS=DEFLATE (RFC 4978), QUOTA
 * with STORAGE and MESSAGE (RFC 9208), METADATA and METADATA-SERVER (RFC 5464), ACL with
 * RIGHTS=texk and shared mailboxes under "Other Users/" (RFC 4314, RFC 2342), NOTIFY (RFC 5465), STARTTLS and
 * LOGINDISABLED (RFC 3501 §6.2.1, RFC 9051 §6.2.1) and response codes of RFC 5530.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Never write to the socket while a store call is in progress; store calls finish, then the
 *       session writes (a slow client must not block anyone else).</li>
 *   <li>Sequence numbers change only where the session reports it: EXPUNGE never during FETCH,
 *       STORE or SEARCH (RFC 3501 §7.4.1); {@link org.postern.imap.CommandTable} says where.</li>
 *   <li>One place writes tagged NO/BAD: the session loop, from {@link org.postern.imap.ImapException}.</li>
 *   <li>No credential is checked before TLS unless plaintext auth is configured (HOSTILE A17), and
 *       nothing pipelined before STARTTLS is executed after it (HOSTILE A02).</li>
 *   <li>Every input is bounded: line and command size, literal count and size, SEARCH depth,
 *       messages per MULTIAPPEND, patterns per LIST.</li>
 *   <li>What ENABLE turned on lives in the session ({@code ImapSession.enabled}) and changes how
 *       responses look, never what is stored: no \Recent or RECENT under IMAP4rev2, UTF-8 instead
 *       of modified UTF-7 names under IMAP4rev2 or UTF8=ACCEPT, VANISHED instead of EXPUNGE under
 *       QRESYNC, UID and MODSEQ in unsolicited FETCH once CONDSTORE is on.</li>
 *   <li>Handlers see mailboxes only through {@link org.postern.imap.SharedMailboxes}: another
 *       account's mailbox is reachable only with a right on it, is absent (exactly like a
 *       non-existent one) without any, and carries the user's own \Seen.</li>
 *   <li>After COMPRESS, inflated input is bounded per command like plain input (HOSTILE A66).</li>
 *   <li>MODSEQs, UIDVALIDITY and the expunge log come from the store; MAILBOXID and EMAILID are
 *       derived from store ids ({@link org.postern.imap.ObjectIds}); THREADID is the store's thread
 *       id of the message's body in the owner's account, assigned on first use and then fixed.</li>
 *   <li>Anything keyed by a mailbox's data (full-text index, sort keys, thread ids) uses the owner's
 *       account ({@code SelectedMailbox.ownerId}), never the session's: a shared mailbox is the
 *       owner's.</li>
 *   <li>After NOTIFY SET a second thread may write between commands; it and the session's thread
 *       write only while holding {@code ImapSession.outLock}, which is not held while waiting for a
 *       command or for IDLE's DONE. The session's own changes are not reported back to it.</li>
 *   <li>Expensive searches (those reading message contents) are capped per user across sessions
 *       ({@link org.postern.imap.SearchLimit}).</li>
 *   <li>IDLE sessions woken by a change may share one store answer for the same mailbox and MODSEQ,
 *       but only one asked after the change event that woke them ({@link org.postern.imap.ChangesCache});
 *       commands always ask the store themselves.</li>
 * </ul>
 */
package org.postern.imap;
