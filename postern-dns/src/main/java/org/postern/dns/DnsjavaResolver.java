// SPDX-License-Identifier: Apache-2.0
package org.postern.dns;

import java.io.IOException;
import java.net.IDN;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@link DnsResolver} asking one recursive (or, in tests, authoritative) server with dnsjava's
 * {@link SimpleResolver}: UDP first, TCP when the answer is truncated (RFC 7766 §5). No search path:
 * every name is absolute. No cache of its own yet; the recursive server caches.
 */
public final class DnsjavaResolver implements DnsResolver {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final InetSocketAddress server;
    private final SimpleResolver resolver;

    public DnsjavaResolver(InetSocketAddress server, Duration timeout) {
        this.server = server;
        this.resolver = new SimpleResolver(server);
        resolver.setTimeout(timeout);
    }

    /** The first name server of the system configuration (/etc/resolv.conf on Unix), else 127.0.0.1:53. */
    public static DnsjavaResolver system() {
        return new DnsjavaResolver(systemServer(), DEFAULT_TIMEOUT);
    }

    public static InetSocketAddress systemServer() {
        List<InetSocketAddress> servers = ResolverConfig.getCurrentConfig().servers();
        return servers.isEmpty() ? new InetSocketAddress(InetAddress.getLoopbackAddress(), 53) : servers.get(0);
    }

    public InetSocketAddress server() {
        return server;
    }

    @Override
    public DnsAnswer<MxRecord> mx(String domain) {
        return query(domain, Type.MX, r -> r instanceof MXRecord mx
                ? new MxRecord(mx.getPriority(), hostName(mx.getTarget())) : null);
    }

    @Override
    public DnsAnswer<InetAddress> a(String host) {
        return query(host, Type.A, r -> r instanceof ARecord a ? a.getAddress() : null);
    }

    @Override
    public DnsAnswer<InetAddress> aaaa(String host) {
        return query(host, Type.AAAA, r -> r instanceof AAAARecord a ? a.getAddress() : null);
    }

    @Override
    public DnsAnswer<String> txt(String name) {
        return query(name, Type.TXT, r -> {
            if (!(r instanceof TXTRecord t)) return null;
            StringBuilder sb = new StringBuilder();
            for (Object s : t.getStringsAsByteArrays()) sb.append(new String((byte[]) s, StandardCharsets.UTF_8));
            return sb.toString();
        });
    }

    private <T> DnsAnswer<T> query(String name, int type, Function<Record, T> convert) {
        Name qname;
        try {
            qname = absolute(name);
        } catch (TextParseException | IllegalArgumentException e) {
            // A name that cannot even be asked for cannot exist (RFC 1035 §2.3.4 limits).
            return DnsAnswer.of(DnsAnswer.Status.NO_DOMAIN, "invalid name: " + e.getMessage());
        }
        Message query = Message.newQuery(Record.newRecord(qname, type, DClass.IN));
        Message response;
        try {
            response = resolver.send(query);
        } catch (IOException e) {
            return DnsAnswer.of(DnsAnswer.Status.TEMPORARY_FAILURE, Type.string(type) + " " + name + ": " + e);
        }
        int rcode = response.getRcode();
        if (rcode == Rcode.NXDOMAIN) return DnsAnswer.of(DnsAnswer.Status.NO_DOMAIN, Type.string(type) + " " + name + ": NXDOMAIN");
        if (rcode != Rcode.NOERROR) {
            return DnsAnswer.of(DnsAnswer.Status.TEMPORARY_FAILURE, Type.string(type) + " " + name + ": " + Rcode.string(rcode));
        }
        if (response.getHeader().getFlag(Flags.TC)) {
            return DnsAnswer.of(DnsAnswer.Status.TEMPORARY_FAILURE, Type.string(type) + " " + name + ": truncated answer");
        }
        List<T> out = new ArrayList<>();
        for (Record r : response.getSection(Section.ANSWER)) {
            // Records of the asked type at the end of any CNAME chain the recursive server followed.
            if (r.getType() != type) continue;
            T value = convert.apply(r);
            if (value != null) out.add(value);
            if (out.size() >= MAX_RECORDS) break;
        }
        return DnsAnswer.found(out);
    }

    static Name absolute(String name) throws TextParseException {
        String n = name.endsWith(".") ? name : name + ".";
        if (!n.equals(".")) n = IDN.toASCII(n.substring(0, n.length() - 1), IDN.ALLOW_UNASSIGNED) + ".";
        return Name.fromString(n);
    }

    private static String hostName(Name n) {
        String s = n.toString(true); // without the trailing dot; the root becomes "@"? handled below
        if (n.equals(Name.root) || s.equals("@") || s.isEmpty() || s.equals(".")) return "";
        return s.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "DnsjavaResolver[" + server + "]";
    }
}
