// SPDX-License-Identifier: Apache-2.0
/**
 * DMARC, RFC 7489: record syntax (§6.3), policy discovery with the organizational-domain fallback
 * (§6.6.3, public suffix list per §3.2) and identifier alignment (§3.1).
 *
 * <p>Invariants: at most two DNS questions per From domain; DNS trouble is temperror and never leads to
 * a reject; pct= sampling only ever weakens a policy (§6.6.4). Aggregate and failure reports (rua=,
 * ruf=) are not sent.
 */
package org.postern.mailauth.dmarc;
