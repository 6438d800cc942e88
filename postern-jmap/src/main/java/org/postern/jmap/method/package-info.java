// SPDX-License-Identifier: Apache-2.0
/**
 * One class per JMAP data type: Core/echo and Blob/copy (RFC 8620 §4, §6.3), Mailbox (RFC 8621 §2),
 * Thread (§3), Email (§4), Identity (§6). Standard /get, /changes, /query and /set semantics follow
 * RFC 8620 §5.
 */
package org.postern.jmap.method;
