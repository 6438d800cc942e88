// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.dmarc;

import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;
import org.postern.dns.DnsAnswer;
import org.postern.dns.DnsResolver;
import org.postern.mailauth.dkim.DkimResult;
import org.postern.mailauth.spf.SpfResult;
import org.postern.mailauth.spf.SpfVerdict;

/** RFC 7489 §6.6: policy discovery and identifier alignment for one From domain. Thread-safe. */
public final class DmarcCheck {
    private final DnsResolver dns;
    private final IntSupplier percentile;

    /** @param percentile draws 0-99 for pct= sampling (§6.6.4) */
    public DmarcCheck(DnsResolver dns, IntSupplier percentile) {
        this.dns = dns;
        this.percentile = percentile;
    }

    public DmarcVerdict check(String fromDomain, SpfVerdict spf, List<DkimResult> dkim) {
        String from = fromDomain.toLowerCase(Locale.ROOT);
        String org = OrganizationalDomain.of(from);
        // §6.6.3: the From domain's record, else the organizational domain's (whose sp= then applies)
        Lookup own = lookup(from);
        if (own.temporary) return new DmarcVerdict(DmarcVerdict.Result.TEMPERROR, from, DmarcRecord.Policy.NONE, DmarcRecord.Policy.NONE, "DNS failure");
        DmarcRecord record = own.record;
        boolean subdomain = false;
        if (record == null && !org.equals(from)) {
            Lookup parent = lookup(org);
            if (parent.temporary) return new DmarcVerdict(DmarcVerdict.Result.TEMPERROR, from, DmarcRecord.Policy.NONE, DmarcRecord.Policy.NONE, "DNS failure");
            record = parent.record;
            subdomain = true;
        }
        if (record == null) return new DmarcVerdict(DmarcVerdict.Result.NONE, from, DmarcRecord.Policy.NONE, DmarcRecord.Policy.NONE, "no policy");
        DmarcRecord rec = record;
        DmarcRecord.Policy policy = subdomain ? rec.subdomainPolicy() : rec.policy();
        boolean spfAligned = spf != null && spf.result() == SpfResult.PASS && OrganizationalDomain.aligned(spf.domain(), from, rec.strictSpf());
        boolean dkimAligned = dkim.stream().anyMatch(r -> r.status() == DkimResult.Status.PASS
                && OrganizationalDomain.aligned(r.domain(), from, rec.strictDkim()));
        if (spfAligned || dkimAligned) {
            return new DmarcVerdict(DmarcVerdict.Result.PASS, from, policy, DmarcRecord.Policy.NONE,
                    dkimAligned ? "aligned DKIM" : "aligned SPF");
        }
        DmarcRecord.Policy disposition = policy;
        if (rec.percent() < 100 && percentile.getAsInt() >= rec.percent()) disposition = policy.weaker();
        return new DmarcVerdict(DmarcVerdict.Result.FAIL, from, policy, disposition, "no aligned SPF or DKIM pass");
    }

    private record Lookup(DmarcRecord record, boolean temporary) {}

    private Lookup lookup(String domain) {
        DnsAnswer<String> answer = dns.txt("_dmarc." + domain);
        if (answer.status() == DnsAnswer.Status.TEMPORARY_FAILURE) return new Lookup(null, true);
        List<String> records = answer.records().stream().filter(DmarcRecord::isDmarcRecord).toList();
        // §6.6.3: more than one record means none applies
        if (records.size() != 1) return new Lookup(null, false);
        try {
            return new Lookup(DmarcRecord.parse(records.get(0)), false);
        } catch (DmarcRecord.DmarcSyntaxException e) {
            return new Lookup(null, false);
        }
    }
}
