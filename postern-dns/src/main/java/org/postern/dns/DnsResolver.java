// SPDX-License-Identifier: Apache-2.0
package org.postern.dns;

import java.net.InetAddress;
import java.util.List;

/**
 * The DNS look-ups mail needs. Implementations never throw for DNS trouble: it is an answer with
 * {@link DnsAnswer.Status#TEMPORARY_FAILURE}. Names may be given with or without the trailing dot
 * and as U-labels; they are asked as A-labels.
 */
public interface DnsResolver {
    DnsAnswer<MxRecord> mx(String domain);

    /** IPv4 addresses (A). */
    DnsAnswer<InetAddress> a(String host);

    /** IPv6 addresses (AAAA, RFC 3596). */
    DnsAnswer<InetAddress> aaaa(String host);

    /** TXT records, each one's character-strings joined without separator (RFC 7208 §3.3). */
    DnsAnswer<String> txt(String name);

    /** Longest list of records kept from one answer; the rest is ignored. */
    int MAX_RECORDS = 100;

    /**
     * A and AAAA together, IPv6 first (RFC 6724 preference), FOUND when either has addresses; a
     * temporary failure of one family only counts when the other found nothing.
     */
    default DnsAnswer<InetAddress> addresses(String host) {
        DnsAnswer<InetAddress> six = aaaa(host);
        DnsAnswer<InetAddress> four = a(host);
        if (six.isFound() || four.isFound()) {
            List<InetAddress> all = new java.util.ArrayList<>(six.records());
            all.addAll(four.records());
            return DnsAnswer.found(all);
        }
        if (six.status() == DnsAnswer.Status.TEMPORARY_FAILURE) return six;
        if (four.status() == DnsAnswer.Status.TEMPORARY_FAILURE) return four;
        if (four.status() == DnsAnswer.Status.NO_DOMAIN) return four;
        return six.status() == DnsAnswer.Status.NO_DOMAIN ? six : four;
    }
}
