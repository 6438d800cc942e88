// SPDX-License-Identifier: Apache-2.0
/**
 * One class per JMAP data type: Core/echo and Blob/copy (RFC 8620 §4, §6.3), Mailbox (RFC 8621 §2),
 * Thread (§3), Email (§4), Identity (§6), EmailSubmission (§7, with DSN envelope parameters, RFC 3461,
 * and FUTURERELEASE holds, RFC 4865),
 * VacationResponse (§8), and the webmail's Settings and Password/change. Standard /get, /changes,
 * /query and /set semantics follow RFC 8620 §5.
 *
 * <p>EmailSubmission sends only through {@link org.postern.jmap.method.MailSubmitter}, the SMTP
 * submission intake, so its sender checks, DKIM signing and queue are those of port 587. Vacation
 * replies are sent by delivery, never by JMAP.
 *
 * <p>Emails are read from the store's cached {@link org.postern.store.MailboxIndex} through one
 * {@link org.postern.jmap.method.Messages.View} per call (mailboxes listed once, each index read at
 * most once), so a request costs the store the changes since the last one, never a reload of a
 * mailbox. Email/query returns the same window as sorting the whole result would (ties by id), but
 * selects only the first position + limit rows when there is no anchor; with collapseThreads it looks
 * up the thread ids of about that many rows, growing the selection only while threads are missing.
 *
 * <p>Email/query's text conditions (RFC 8621 §4.4.1 text, body, from, to, cc, bcc, subject) are
 * answered by the full-text index ({@link org.postern.search.SearchIndex}) when the server has one,
 * exactly as IMAP SEARCH's text keys are: one index query per mailbox and condition, messages newer
 * than the index's mark scanned, both comparing the same {@link org.postern.search.SearchText}, so
 * the answer is the scan's. SearchSnippet/get reads the requested emails themselves: the index holds
 * only case-folded text, which a snippet cannot show, and the cost is a page of emails, not a mailbox.
 *
 * <p>Email/queryChanges (RFC 8620 §5.6) is computed from the change log and the query as it stands:
 * an Email id never changes mailbox, so only creations, destructions and (for keyword conditions)
 * updates move a result; text conditions, which follow the asynchronous full-text index, cannot be
 * followed and say so.
 */
package org.postern.jmap.method;
