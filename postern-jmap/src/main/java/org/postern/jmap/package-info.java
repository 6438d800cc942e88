// SPDX-License-Identifier: Apache-2.0
/**
 * JMAP over HTTPS: RFC 8620 (core: session resource §2, API §3, upload/download §6, Blob/copy §6.3,
 * EventSource push §7.3), JMAP over WebSocket with push (RFC 8887) and RFC 8621 (mail: Mailbox,
 * Thread, Email, SearchSnippet, Identity), on the protocol-neutral store, so IMAP, POP3 and JMAP see
 * one mailbox state; downloads are attachments named as RFC 6266 says. Postern's own capability
 * urn:postern:params:jmap:settings (Settings, Password/change) serves the webmail.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Every object is scoped by the authenticated account: another account's ids, blobs and
 *       downloads answer exactly like ids that do not exist (HOSTILE.md A61, no existence oracle).</li>
 *   <li>Email and Thread states are the account's highest MODSEQ, the same counter IMAP CONDSTORE
 *       reports, so a change through either protocol changes the other's state.</li>
 *   <li>Every input is bounded by {@link org.postern.jmap.proto.JmapLimits}: request and upload size
 *       while streaming, calls per request, objects per get/set, JSON depth and lengths.</li>
 *   <li>Ids: account "a&lt;n&gt;", mailbox "m&lt;n&gt;", email "e&lt;mailbox&gt;-&lt;uid&gt;", thread
 *       "T&lt;n&gt;" (the store's conversation id, IMAP's THREADID, RFC 8474), or "t..." like the email
 *       for a body that could not be threaded; blob ids are the store's random 128-bit+ ids, unguessable.</li>
 *   <li>Push wakes on the store's change feed alone, which announces every pushed type (messages,
 *       mailboxes, identities, submissions, the vacation response, settings and annotations) whoever
 *       changed it: JMAP, IMAP, the CLI, the queue, another node. A listener never writes.</li>
 * </ul>
 */
package org.postern.jmap;
