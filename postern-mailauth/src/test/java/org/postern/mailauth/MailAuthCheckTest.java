// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.mailauth.dkim.DkimSignature;
import org.postern.mailauth.dkim.DkimSigner;
import org.postern.mailauth.dkim.DkimSigningKey;

/** The whole inbound check: SPF + DKIM + DMARC to one disposition and one Authentication-Results field. */
class MailAuthCheckTest {
    static final DkimSigningKey KEY = DkimSigningKey.generate("sender.test", "k1", DkimSignature.ED25519_SHA256);

    static MapDns world() {
        return new MapDns().txt("sender.test", "v=spf1 ip4:192.0.2.1 -all").txt(KEY.recordName(), KEY.recordText())
                .txt("_dmarc.sender.test", "v=DMARC1; p=reject")
                .txt("bounce.sender.test", "v=spf1 ip4:192.0.2.1 -all");
    }

    static MailAuthVerdict check(String ip, String mailFrom, String message, List<String> fromDomains) throws Exception {
        int split = message.indexOf("\r\n\r\n");
        byte[] all = message.getBytes(StandardCharsets.ISO_8859_1);
        return new MailAuthCheck(world(), "mx.ours.test", Clock.systemUTC(), () -> 0).check(MapDns.literal(ip), "helo.sender.test",
                mailFrom, HeaderSection.parse(Arrays.copyOf(all, split + 2)), fromDomains,
                new ByteArrayInputStream(all, split + 4, all.length - split - 4));
    }

    static String signed(String message) throws Exception {
        int split = message.indexOf("\r\n\r\n");
        byte[] all = message.getBytes(StandardCharsets.ISO_8859_1);
        return String.join("", DkimSigner.sign(List.of(KEY), HeaderSection.parse(Arrays.copyOf(all, split + 2)),
                new ByteArrayInputStream(all, split + 4, all.length - split - 4), Instant.now())) + message;
    }

    static final String MESSAGE = "From: news@sender.test\r\nSubject: hi\r\n\r\nHello\r\n";

    @Test
    void everythingPasses() throws Exception {
        MailAuthVerdict v = check("192.0.2.1", "news@sender.test", signed(MESSAGE), List.of("sender.test"));
        assertThat(v.disposition()).isEqualTo(MailAuthVerdict.Disposition.ACCEPT);
        assertThat(v.authenticationResults()).startsWith("Authentication-Results: mx.ours.test;\r\n\tspf=pass smtp.mailfrom=news@sender.test;")
                .contains("\tdkim=pass header.d=sender.test header.s=k1 header.a=ed25519-sha256")
                .endsWith("\tdmarc=pass (p=reject dis=none) header.from=sender.test\r\n");
    }

    @Test
    void eitherAlignedPassIsEnough() throws Exception {
        // DKIM alone: forwarded mail, SPF fails
        assertThat(check("198.51.100.1", "news@sender.test", signed(MESSAGE), List.of("sender.test")).disposition())
                .isEqualTo(MailAuthVerdict.Disposition.ACCEPT);
        // SPF alone (relaxed alignment of a subdomain bounce address), no signature
        assertThat(check("192.0.2.1", "b@bounce.sender.test", MESSAGE, List.of("sender.test")).disposition())
                .isEqualTo(MailAuthVerdict.Disposition.ACCEPT);
    }

    @Test
    void spoofedFromIsRejected() throws Exception {
        MailAuthVerdict v = check("198.51.100.1", "x@elsewhere.test", MESSAGE, List.of("sender.test"));
        assertThat(v.disposition()).isEqualTo(MailAuthVerdict.Disposition.REJECT);
        assertThat(v.authenticationResults()).contains("spf=none").contains("dkim=none").contains("dmarc=fail (p=reject dis=reject)");
        // several From domains: the strictest decides
        assertThat(check("198.51.100.1", "x@elsewhere.test", MESSAGE, List.of("nopolicy.test", "sender.test")).disposition())
                .isEqualTo(MailAuthVerdict.Disposition.REJECT);
    }

    @Test
    void nullSenderUsesHeloAndNoFromMeansNoPolicy() throws Exception {
        MailAuthVerdict v = check("192.0.2.1", null, "Subject: no from\r\n\r\nx\r\n", List.of());
        assertThat(v.spf().identity()).isEqualTo("helo");
        assertThat(v.authenticationResults()).contains("smtp.helo=helo.sender.test").contains("dmarc=none");
        assertThat(v.disposition()).isEqualTo(MailAuthVerdict.Disposition.ACCEPT);
    }
}
