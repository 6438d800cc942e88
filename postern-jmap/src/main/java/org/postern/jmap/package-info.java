// SPDX-License-Identifier: Apache-2.0
/**
 * JMAP over HTTPS: RFC 8620 (core: session resource §2, API §3, upload/download §6, Blob/copy §6.3,
 * EventSource push §7.3), JMAP over WebSocket with push (RFC 8887) and RFC 8621 (mail: Mailbox,
 * Thread, Email, SearchSnippet, Identity), on the protocol-neutral store, so IMAP, POP3 and JMAP see
 * one mailbox state.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Every object is scoped by the authenticated account: another account's ids, blobs and
 *       downloads answer exactly like ids that do not exist (HOSTILE.md A61, no existence oracle).</li>
 *   <li>Email and Thread states are the account's highest MODSEQ, the same counter IMAP CONDSTORE
 *       reports, so a change through either protocol changes the other's state.</li>
 *   <li>Every input is bounded by {@link org.postern.jmap.proto.JmapLimits}: request and upload size
 *       while streaming, calls per request, objects per get/set, JSON depth and lengths.</li>
 *   <li>Ids: account "a&lt;n&gt;", mailbox "m&lt;n&gt;", email "e&lt;mailbox&gt;-&lt;uid&gt;" (its
 *       thread "t..." alike); blob ids are the store's random 128-bit+ ids, unguessable.</li>
 * </ul>
 */
package org.postern.jmap;
