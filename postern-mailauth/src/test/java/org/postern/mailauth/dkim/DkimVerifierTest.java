// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.mailauth.HeaderSection;
import org.postern.mailauth.MapDns;

/** RFC 6376 §6 verification, starting from RFC 8463 Appendix A (both algorithms), then hostile inputs. */
class DkimVerifierTest {
    static final String RFC8463_MESSAGE = """
            DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;
             d=football.example.com; i=@football.example.com;
             q=dns/txt; s=brisbane; t=1528637909; h=from : to :
             subject : date : message-id : from : subject : date;
             bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;
             b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus
             Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==
            DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;
             d=football.example.com; i=@football.example.com;
             q=dns/txt; s=test; t=1528637909; h=from : to : subject :
             date : message-id : from : subject : date;
             bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;
             b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3
             DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz
             dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=
            From: Joe SixPack <joe@football.example.com>
            To: Suzie Q <suzie@shopping.example.net>
            Subject: Is dinner ready?
            Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)
            Message-ID: <20030712040037.46341.5F8J@football.example.com>

            Hi.

            We lost the game.  Are you hungry yet?

            Joe.
            """.replace("\n", "\r\n");

    static MapDns rfc8463Keys() {
        return new MapDns()
                .txt("brisbane._domainkey.football.example.com", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
                .txt("test._domainkey.football.example.com", "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR"
                        + "iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC"
                        + "DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3"
                        + "Ip3G+2kryOTIKT+l/K4w3QIDAQAB");
    }

    static final Clock NOW = Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC);

    static List<DkimResult> verify(MapDns dns, String message) throws Exception {
        int split = message.indexOf("\r\n\r\n");
        byte[] all = message.getBytes(StandardCharsets.ISO_8859_1);
        HeaderSection h = HeaderSection.parse(java.util.Arrays.copyOf(all, split + 2));
        return new DkimVerifier(dns, NOW).verify(h, new ByteArrayInputStream(all, split + 4, all.length - split - 4));
    }

    @Test
    void rfc8463ExampleVerifiesWithBothAlgorithms() throws Exception {
        List<DkimResult> r = verify(rfc8463Keys(), RFC8463_MESSAGE);
        assertThat(r).extracting(DkimResult::status).containsExactly(DkimResult.Status.PASS, DkimResult.Status.PASS);
        assertThat(r).extracting(DkimResult::algorithm).containsExactly("ed25519-sha256", "rsa-sha256");
        assertThat(r.get(0).domain()).isEqualTo("football.example.com");
        assertThat(r.get(0).headerB()).isEqualTo("/gCrinpc");
    }

    @Test
    void resultsKeepHeaderOrder() throws Exception {
        List<DkimResult> r = verify(rfc8463Keys(), "DKIM-Signature: v=1; garbage\r\n" + RFC8463_MESSAGE);
        assertThat(r).extracting(DkimResult::status)
                .containsExactly(DkimResult.Status.PERMERROR, DkimResult.Status.PASS, DkimResult.Status.PASS);
    }

    @Test
    void alteredMessagesFail() throws Exception {
        assertThat(verify(rfc8463Keys(), RFC8463_MESSAGE.replace("hungry", "thirsty"))).extracting(DkimResult::reason)
                .containsOnly("body hash did not verify");
        assertThat(verify(rfc8463Keys(), RFC8463_MESSAGE.replace("dinner", "lunch"))).extracting(DkimResult::reason)
                .containsOnly("signature did not verify");
        // relaxed: whitespace changes keep the signature valid
        assertThat(verify(rfc8463Keys(), RFC8463_MESSAGE.replace("Subject: Is dinner", "subject:   Is  dinner")))
                .extracting(DkimResult::status).containsOnly(DkimResult.Status.PASS);
        // an added From (signed twice: over-signed) breaks it
        assertThat(verify(rfc8463Keys(), RFC8463_MESSAGE.replace("To: Suzie", "From: evil@example.net\r\nTo: Suzie")))
                .extracting(DkimResult::status).containsOnly(DkimResult.Status.FAIL);
    }

    @Test
    void keyProblems() throws Exception {
        assertThat(verify(new MapDns(), RFC8463_MESSAGE)).extracting(DkimResult::status).containsOnly(DkimResult.Status.PERMERROR);
        MapDns down = new MapDns().servfail("brisbane._domainkey.football.example.com").servfail("test._domainkey.football.example.com");
        assertThat(verify(down, RFC8463_MESSAGE)).extracting(DkimResult::status).containsOnly(DkimResult.Status.TEMPERROR);
        MapDns revoked = new MapDns().txt("brisbane._domainkey.football.example.com", "v=DKIM1; k=ed25519; p=")
                .txt("test._domainkey.football.example.com", "v=DKIM1; p=; t=y");
        List<DkimResult> r = verify(revoked, RFC8463_MESSAGE);
        assertThat(r).extracting(DkimResult::reason).containsOnly("key revoked");
        assertThat(r.get(1).testing()).isTrue();
        MapDns wrongType = new MapDns().txt("brisbane._domainkey.football.example.com", "v=DKIM1; k=rsa; p=MIGfMA0G")
                .txt("test._domainkey.football.example.com", "k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
        assertThat(verify(wrongType, RFC8463_MESSAGE)).extracting(DkimResult::status).containsOnly(DkimResult.Status.PERMERROR);
        MapDns sha1Only = rfc8463Keys();
        sha1Only = new MapDns().txt("brisbane._domainkey.football.example.com", "v=DKIM1; h=sha1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
        assertThat(verify(sha1Only, RFC8463_MESSAGE).get(0).reason()).isEqualTo("key does not allow sha256");
    }

    @Test
    void malformedSignaturesArePermerrors() throws Exception {
        String[] bad = {
            "v=1; a=rsa-sha1; d=x.test; s=s; h=from; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA",
            "v=2; a=rsa-sha256; d=x.test; s=s; h=from; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA",
            "v=1; a=rsa-sha256; d=x.test; s=s; h=to; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA",
            "v=1; a=rsa-sha256; d=x.test; s=s; h=from; bh=!!; b=AAAA",
            "v=1; a=rsa-sha256; d=x.test; d=y.test; s=s; h=from; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA",
            "v=1; a=rsa-sha256; d=x.test; s=s; h=from; i=a@other.test; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA",
            "v=1; a=rsa-sha256; d=x.test; s=s; h=from; l=abc; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA",
            "v=1; a=rsa-sha256; d=x.test; s=s; h=from; t=10; x=5; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA",
            "v=1; a=rsa-sha256; d=x.test; s=s; h=from; c=fancy; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA",
            "v=1; a=rsa-sha256; d=x.test; s=s; h=" + "from:".repeat(200) + "from; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA",
            "garbage", "", ";;;", "v=1; a=rsa-sha256; =x", "v=1; l=999999999999999999999999999"};
        for (String sig : bad) {
            String msg = "DKIM-Signature: " + sig + "\r\nFrom: a@x.test\r\n\r\nbody\r\n";
            assertThat(verify(new MapDns(), msg)).as(sig).extracting(DkimResult::status).containsExactly(DkimResult.Status.PERMERROR);
        }
    }

    @Test
    void workIsBoundedPerMessage() throws Exception {
        String one = RFC8463_MESSAGE.substring(0, RFC8463_MESSAGE.indexOf("DKIM-Signature: v=1; a=rsa"));
        String msg = one.repeat(50) + RFC8463_MESSAGE.substring(RFC8463_MESSAGE.indexOf("From:"));
        MapDns dns = rfc8463Keys();
        List<DkimResult> r = verify(dns, msg);
        assertThat(r).hasSize(DkimVerifier.MAX_SIGNATURES);
        assertThat(dns.queries).hasSizeLessThanOrEqualTo(DkimVerifier.MAX_SIGNATURES);
    }

    @Test
    void expiredSignatureFails() throws Exception {
        MapDns dns = new MapDns();
        DkimSigningKey key = DkimSigningKey.generate("x.test", "sel", DkimSignature.ED25519_SHA256);
        dns.txt(key.recordName(), key.recordText());
        String msg = "From: a@x.test\r\nSubject: hi\r\n\r\nbody\r\n";
        String signed = DkimSignerTest.sign(List.of(key), msg, Instant.ofEpochSecond(1_700_000_000L));
        assertThat(verify(dns, signed).get(0).status()).isEqualTo(DkimResult.Status.PASS);
        String expired = signed.replace("t=1700000000;", "t=1700000000; x=1700000001;");
        assertThat(verify(dns, expired).get(0).reason()).isEqualTo("signature expired");
    }
}
