// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.spf;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.postern.dns.DnsAnswer;
import org.postern.dns.DnsResolver;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** {@link PtrLookup} asking the same server as the {@link org.postern.dns.DnsjavaResolver} of the checks. */
public final class DnsjavaPtrLookup implements PtrLookup {
    private final SimpleResolver resolver;

    public DnsjavaPtrLookup(InetSocketAddress server, Duration timeout) {
        this.resolver = new SimpleResolver(server);
        resolver.setTimeout(timeout);
    }

    @Override
    public DnsAnswer<String> ptr(InetAddress address) {
        Message response;
        try {
            response = resolver.send(Message.newQuery(Record.newRecord(ReverseMap.fromAddress(address), Type.PTR, DClass.IN)));
        } catch (IOException e) {
            return DnsAnswer.of(DnsAnswer.Status.TEMPORARY_FAILURE, "PTR " + address.getHostAddress() + ": " + e);
        }
        if (response.getRcode() == Rcode.NXDOMAIN) return DnsAnswer.of(DnsAnswer.Status.NO_DOMAIN, "NXDOMAIN");
        if (response.getRcode() != Rcode.NOERROR) return DnsAnswer.of(DnsAnswer.Status.TEMPORARY_FAILURE, Rcode.string(response.getRcode()));
        List<String> names = new ArrayList<>();
        for (Record r : response.getSection(Section.ANSWER)) {
            if (r instanceof PTRRecord p) names.add(p.getTarget().toString(true).toLowerCase(Locale.ROOT));
            if (names.size() >= DnsResolver.MAX_RECORDS) break;
        }
        return DnsAnswer.found(names);
    }
}
