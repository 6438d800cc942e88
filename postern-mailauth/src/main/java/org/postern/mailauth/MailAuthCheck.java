// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntSupplier;
import org.postern.dns.DnsResolver;
import org.postern.mailauth.dkim.DkimResult;
import org.postern.mailauth.dkim.DkimVerifier;
import org.postern.mailauth.dmarc.DmarcCheck;
import org.postern.mailauth.dmarc.DmarcRecord;
import org.postern.mailauth.dmarc.DmarcVerdict;
import org.postern.mailauth.spf.PtrLookup;
import org.postern.mailauth.spf.SpfCheck;
import org.postern.mailauth.spf.SpfVerdict;

/**
 * The inbound check of one message: SPF for the envelope, DKIM for the content, DMARC joining both to
 * the From domain, and the Authentication-Results field recording them. Thread-safe.
 */
public final class MailAuthCheck {
    /** Distinct From domains evaluated for DMARC (RFC 7489 §6.6.1 leaves several From addresses to policy). */
    static final int MAX_FROM_DOMAINS = 5;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String authservId;
    private final SpfCheck spf;
    private final DkimVerifier dkim;
    private final DmarcCheck dmarc;

    public MailAuthCheck(DnsResolver dns, String authservId, Clock clock) {
        this(dns, PtrLookup.NONE, authservId, clock, () -> RANDOM.nextInt(100));
    }

    public MailAuthCheck(DnsResolver dns, PtrLookup ptr, String authservId, Clock clock) {
        this(dns, ptr, authservId, clock, () -> RANDOM.nextInt(100));
    }

    public MailAuthCheck(DnsResolver dns, String authservId, Clock clock, IntSupplier percentile) {
        this(dns, PtrLookup.NONE, authservId, clock, percentile);
    }

    public MailAuthCheck(DnsResolver dns, PtrLookup ptr, String authservId, Clock clock, IntSupplier percentile) {
        this.authservId = authservId.toLowerCase(Locale.ROOT);
        this.spf = new SpfCheck(dns, ptr, authservId, clock);
        this.dkim = new DkimVerifier(dns, clock);
        this.dmarc = new DmarcCheck(dns, percentile);
    }

    public String authservId() {
        return authservId;
    }

    /**
     * @param mailFrom the reverse-path as local@domain, null for {@code <>}
     * @param fromDomains the domains of the From field's addresses, in order
     */
    public MailAuthVerdict check(InetAddress client, String helo, String mailFrom, HeaderSection headers,
            List<String> fromDomains, InputStream body) throws IOException {
        SpfVerdict s = spf.check(client, helo, mailFrom);
        List<DkimResult> d = dkim.verify(headers, body);
        Set<String> domains = new LinkedHashSet<>();
        for (String f : fromDomains) {
            if (domains.size() >= MAX_FROM_DOMAINS) break;
            domains.add(f.toLowerCase(Locale.ROOT));
        }
        DmarcVerdict decisive = null;
        for (String f : domains) {
            DmarcVerdict v = dmarc.check(f, s, d);
            if (decisive == null || v.disposition().ordinal() > decisive.disposition().ordinal()) decisive = v;
        }
        if (decisive == null) {
            decisive = new DmarcVerdict(DmarcVerdict.Result.NONE, "", DmarcRecord.Policy.NONE, DmarcRecord.Policy.NONE, "no From domain");
        }
        MailAuthVerdict.Disposition disposition = switch (decisive.disposition()) {
            case REJECT -> MailAuthVerdict.Disposition.REJECT;
            case QUARANTINE -> MailAuthVerdict.Disposition.QUARANTINE;
            case NONE -> MailAuthVerdict.Disposition.ACCEPT;
        };
        return new MailAuthVerdict(s, d, decisive, disposition, AuthenticationResults.field(authservId, s, d, decisive));
    }
}
