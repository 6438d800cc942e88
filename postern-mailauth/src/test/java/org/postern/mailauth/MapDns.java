// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.postern.dns.DnsAnswer;
import org.postern.dns.DnsResolver;
import org.postern.dns.MxRecord;

/** An in-memory {@link DnsResolver} for unit tests: records by name, SERVFAIL names, and a query log. */
public final class MapDns implements DnsResolver {
    private final Map<String, List<Object>> records = new HashMap<>();
    private final Set<String> failing = new HashSet<>();
    public final List<String> queries = new ArrayList<>();

    private record Txt(String text) {}

    private record Addr(InetAddress address) {}

    public MapDns txt(String name, String text) {
        return add(name, new Txt(text));
    }

    public MapDns a(String name, String ip) {
        return add(name, new Addr(literal(ip)));
    }

    public MapDns mx(String name, int preference, String exchange) {
        return add(name, new MxRecord(preference, exchange));
    }

    public MapDns servfail(String name) {
        failing.add(key(name));
        return this;
    }

    private MapDns add(String name, Object r) {
        records.computeIfAbsent(key(name), k -> new ArrayList<>()).add(r);
        return this;
    }

    private static String key(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    public static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    private <T> DnsAnswer<T> answer(String type, String name, java.util.function.Function<Object, T> pick) {
        String k = key(name);
        queries.add(type + " " + k);
        if (failing.contains(k)) return DnsAnswer.of(DnsAnswer.Status.TEMPORARY_FAILURE, "SERVFAIL");
        List<Object> all = records.get(k);
        if (all == null) return DnsAnswer.of(DnsAnswer.Status.NO_DOMAIN, "NXDOMAIN");
        List<T> out = new ArrayList<>();
        for (Object o : all) {
            T t = pick.apply(o);
            if (t != null) out.add(t);
        }
        return DnsAnswer.found(out);
    }

    @Override
    public DnsAnswer<MxRecord> mx(String domain) {
        return answer("MX", domain, o -> o instanceof MxRecord m ? m : null);
    }

    @Override
    public DnsAnswer<InetAddress> a(String host) {
        return answer("A", host, o -> o instanceof Addr a && a.address().getAddress().length == 4 ? a.address() : null);
    }

    @Override
    public DnsAnswer<InetAddress> aaaa(String host) {
        return answer("AAAA", host, o -> o instanceof Addr a && a.address().getAddress().length == 16 ? a.address() : null);
    }

    @Override
    public DnsAnswer<String> txt(String name) {
        return answer("TXT", name, o -> o instanceof Txt t ? t.text() : null);
    }
}
