// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.postern.dns.DnsAnswer;
import org.postern.dns.DnsResolver;
import org.postern.dns.MxRecord;

/**
 * Finds the hosts for a domain (RFC 5321 §5.1): MX records by preference, equal preferences in random
 * order to spread load; without MX records the domain itself as the implicit MX (its A/AAAA
 * records); a null MX (RFC 7505 §3) means the domain accepts no mail.
 */
public final class MxResolver {
    /** MX hosts looked at; more would only prolong a doomed attempt. */
    static final int MAX_MX_HOSTS = 10;

    private final DnsResolver dns;
    private final RandomGenerator random;

    public MxResolver(DnsResolver dns) {
        this(dns, RandomGenerator.getDefault());
    }

    public MxResolver(DnsResolver dns, RandomGenerator random) {
        this.dns = dns;
        this.random = random;
    }

    /** The resolver it asks (MTA-STS asks the same one). */
    public DnsResolver dns() {
        return dns;
    }

    public Route route(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        DnsAnswer<MxRecord> mx = dns.mx(d);
        switch (mx.status()) {
            case TEMPORARY_FAILURE -> {
                return new Route.TryLater("MX look-up for " + d + " failed: " + mx.detail());
            }
            case NO_DOMAIN -> {
                return new Route.Unroutable("5.1.2", "domain " + d + " does not exist");
            }
            case NO_RECORDS -> {
                return implicitMx(d);
            }
            case FOUND -> {
                return explicitMx(d, mx.records());
            }
        }
        throw new AssertionError(mx.status());
    }

    /** RFC 5321 §5.1: no MX, so the domain name is the host, "with a preference of 0". */
    private Route implicitMx(String d) {
        DnsAnswer<InetAddress> a = dns.addresses(d);
        return switch (a.status()) {
            case FOUND -> new Route.Hosts(List.of(new Route.Host(d, a.records())));
            case TEMPORARY_FAILURE -> new Route.TryLater("address look-up for " + d + " failed: " + a.detail());
            case NO_DOMAIN -> new Route.Unroutable("5.1.2", "domain " + d + " does not exist");
            case NO_RECORDS -> new Route.Unroutable("5.1.2", "domain " + d + " has no MX and no address records");
        };
    }

    private Route explicitMx(String d, List<MxRecord> records) {
        // RFC 7505 §3: a null MX is the only MX; when mixed with others, the null one is ignored.
        List<MxRecord> real = records.stream().filter(r -> !r.isNull()).toList();
        if (real.isEmpty()) return new Route.Unroutable("5.1.10", "domain " + d + " accepts no mail (null MX, RFC 7505)");
        List<MxRecord> ordered = order(real, random);
        List<Route.Host> hosts = new ArrayList<>();
        String lastFailure = null;
        boolean allDefinite = true;
        for (MxRecord r : ordered) {
            if (hosts.size() >= MAX_MX_HOSTS) break;
            DnsAnswer<InetAddress> a = dns.addresses(r.exchange());
            if (a.isFound()) {
                hosts.add(new Route.Host(r.exchange(), a.records()));
            } else {
                if (!a.isDefinite()) allDefinite = false;
                lastFailure = "MX host " + r.exchange() + ": " + (a.detail().isEmpty() ? a.status() : a.detail());
            }
        }
        if (!hosts.isEmpty()) return new Route.Hosts(hosts);
        // Hosts that certainly have no address make the domain unroutable; a DNS failure only delays.
        return allDefinite ? new Route.Unroutable("5.4.4", "no MX host of " + d + " has an address (" + lastFailure + ")")
                : new Route.TryLater("no MX host of " + d + " could be resolved (" + lastFailure + ")");
    }

    /** Ascending preference; records of equal preference shuffled (RFC 5321 §5.1). */
    static List<MxRecord> order(List<MxRecord> records, RandomGenerator random) {
        List<MxRecord> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingInt(MxRecord::preference));
        List<MxRecord> out = new ArrayList<>(sorted.size());
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j < sorted.size() && sorted.get(j).preference() == sorted.get(i).preference()) j++;
            List<MxRecord> group = new ArrayList<>(sorted.subList(i, j));
            Collections.shuffle(group, asRandom(random));
            out.addAll(group);
            i = j;
        }
        return out;
    }

    private static java.util.Random asRandom(RandomGenerator g) {
        return g instanceof java.util.Random r ? r : new java.util.Random(g.nextLong());
    }
}
