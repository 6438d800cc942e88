// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.dmarc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postern.mailauth.MapDns;
import org.postern.mailauth.dkim.DkimResult;
import org.postern.mailauth.spf.SpfResult;
import org.postern.mailauth.spf.SpfVerdict;

/** RFC 7489: records (§6.3), organizational domains (§3.2), alignment (§3.1), policy choice (§6.6). */
class DmarcCheckTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            example.com              | example.com
            mail.example.com         | example.com
            a.b.c.example.co.uk      | example.co.uk
            example.test             | example.test
            deep.sub.example.test    | example.test
            foo.blogspot.com         | foo.blogspot.com
            com                      | com
            EXAMPLE.COM.             | example.com
            """)
    void organizationalDomain(String domain, String org) {
        assertThat(OrganizationalDomain.of(domain)).isEqualTo(org);
    }

    @Test
    void alignment() {
        assertThat(OrganizationalDomain.aligned("mail.example.com", "example.com", false)).isTrue();
        assertThat(OrganizationalDomain.aligned("mail.example.com", "example.com", true)).isFalse();
        assertThat(OrganizationalDomain.aligned("example.com", "example.com", true)).isTrue();
        assertThat(OrganizationalDomain.aligned("example.net", "example.com", false)).isFalse();
        assertThat(OrganizationalDomain.aligned("a.blogspot.com", "b.blogspot.com", false)).isFalse();
    }

    @Test
    void records() throws Exception {
        DmarcRecord r = DmarcRecord.parse("v=DMARC1; p=reject; sp=none; adkim=s; aspf=r; pct=20; rua=mailto:d@example.com");
        assertThat(r).isEqualTo(new DmarcRecord(DmarcRecord.Policy.REJECT, DmarcRecord.Policy.NONE, true, false, 20));
        assertThat(DmarcRecord.parse("v=DMARC1;p=quarantine").subdomainPolicy()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
        assertThat(DmarcRecord.parse("v=DMARC1; p=bogus; rua=mailto:x@example.com").policy()).isEqualTo(DmarcRecord.Policy.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v=DMARC2; p=reject", "p=reject; v=DMARC1", "v=DMARC1", "v=DMARC1; p=bogus", "v=DMARC1; p=reject; pct=101",
            "v=DMARC1; p=reject; pct=-1", "v=DMARC1; p=reject; garbage", "", "v=spf1 -all"})
    void refusedRecords(String text) {
        assertThatThrownBy(() -> DmarcRecord.parse(text)).isInstanceOf(DmarcRecord.DmarcSyntaxException.class);
    }

    private static DkimResult dkim(DkimResult.Status s, String d) {
        return new DkimResult(s, d, "sel", "rsa-sha256", "@" + d, "abc", "", false, 0);
    }

    private static SpfVerdict spf(SpfResult r, String domain) {
        return new SpfVerdict(r, "mailfrom", domain, "x@" + domain, "");
    }

    static MapDns world() {
        return new MapDns().txt("_dmarc.reject.test", "v=DMARC1; p=reject; sp=quarantine")
                .txt("_dmarc.strict.test", "v=DMARC1; p=reject; adkim=s; aspf=s")
                .txt("_dmarc.half.test", "v=DMARC1; p=reject; pct=50")
                .txt("_dmarc.two.test", "v=DMARC1; p=reject").txt("_dmarc.two.test", "v=DMARC1; p=none")
                .servfail("_dmarc.down.test");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            reject.test      | pass | reject.test     | fail | -              | PASS      | NONE
            reject.test      | fail | reject.test     | pass | mail.reject.test | PASS    | NONE
            reject.test      | fail | other.test      | fail | reject.test    | FAIL      | REJECT
            reject.test      | pass | other.test      | pass | other.test     | FAIL      | REJECT
            sub.reject.test  | fail | x.test          | fail | -              | FAIL      | QUARANTINE
            sub.reject.test  | pass | reject.test     | fail | -              | PASS      | NONE
            strict.test      | pass | mail.strict.test | pass | mail.strict.test | FAIL   | REJECT
            strict.test      | pass | strict.test     | fail | -              | PASS      | NONE
            two.test         | fail | x.test          | fail | -              | NONE      | NONE
            nothing.test     | fail | x.test          | fail | -              | NONE      | NONE
            down.test        | fail | x.test          | fail | -              | TEMPERROR | NONE
            """)
    void policy(String from, String spfResult, String spfDomain, String dkimResult, String dkimDomain,
            DmarcVerdict.Result expected, DmarcRecord.Policy disposition) {
        List<DkimResult> d = dkimDomain.equals("-") ? List.of()
                : List.of(dkim(dkimResult.equals("pass") ? DkimResult.Status.PASS : DkimResult.Status.FAIL, dkimDomain));
        SpfVerdict s = spf(spfResult.equals("pass") ? SpfResult.PASS : SpfResult.FAIL, spfDomain);
        DmarcVerdict v = new DmarcCheck(world(), () -> 0).check(from, s, d);
        assertThat(v.result()).isEqualTo(expected);
        assertThat(v.disposition()).isEqualTo(disposition);
    }

    @Test
    void pctSamplingOnlyWeakens() {
        SpfVerdict s = spf(SpfResult.FAIL, "x.test");
        assertThat(new DmarcCheck(world(), () -> 49).check("half.test", s, List.of()).disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
        assertThat(new DmarcCheck(world(), () -> 50).check("half.test", s, List.of()).disposition()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
    }
}
