// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.spf;

import java.net.InetAddress;
import org.postern.dns.DnsAnswer;

/** Reverse look-ups (PTR, RFC 1035 §3.5) for SPF's ptr mechanism and %{p} macro (RFC 7208 §5.5, §7.3). */
@FunctionalInterface
public interface PtrLookup {
    /** Host names of the address, without trailing dot; never throws for DNS trouble. */
    DnsAnswer<String> ptr(InetAddress address);

    /** No reverse look-ups: ptr never matches and %{p} is "unknown". */
    PtrLookup NONE = a -> DnsAnswer.of(DnsAnswer.Status.TEMPORARY_FAILURE, "no PTR look-ups");
}
