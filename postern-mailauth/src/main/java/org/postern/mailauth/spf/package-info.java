// SPDX-License-Identifier: Apache-2.0
/**
 * Sender Policy Framework, RFC 7208: record syntax ({@link org.postern.mailauth.spf.SpfRecordParser},
 * pure), macro expansion (§7) and {@code check_host()} (§4) in {@link org.postern.mailauth.spf.SpfCheck}.
 *
 * <p>Invariants:
 * <ul>
 *   <li>One evaluation asks at most 10 DNS-querying terms (§4.6.4), 10 names per MX or PTR answer, and
 *       tolerates 2 void look-ups; exceeding any of them is permerror, so a hostile record costs a bounded
 *       number of queries however it nests or loops.</li>
 *   <li>DNS trouble is temperror, never fail: a sender is never refused because our resolver was down.</li>
 *   <li>The ptr mechanism and the %{p} macro use a {@link org.postern.mailauth.spf.PtrLookup}, asked at most
 *       once per evaluation, with at most 10 names validated (§4.6.4); without one, ptr never matches
 *       (as §5.5 prescribes for a failed PTR look-up) and %{p} is "unknown" (§7.3).</li>
 * </ul>
 */
package org.postern.mailauth.spf;
