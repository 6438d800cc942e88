// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postern.mailauth.dkim.DkimResult;
import org.postern.mailauth.dmarc.DmarcRecord;
import org.postern.mailauth.dmarc.DmarcVerdict;
import org.postern.mailauth.spf.SpfResult;
import org.postern.mailauth.spf.SpfVerdict;

/** RFC 8601: our field's syntax, and recognizing forgeries of it (§5). */
class AuthenticationResultsTest {
    @Test
    void writesEveryMethod() {
        String f = AuthenticationResults.field("mx.example.org",
                new SpfVerdict(SpfResult.PASS, "mailfrom", "example.com", "joe@example.com", ""),
                List.of(new DkimResult(DkimResult.Status.PASS, "example.com", "sel", "ed25519-sha256", "@example.com", "ab+/cd", "", false, 12)),
                new DmarcVerdict(DmarcVerdict.Result.PASS, "example.com", DmarcRecord.Policy.REJECT, DmarcRecord.Policy.NONE, ""));
        assertThat(f).isEqualTo("Authentication-Results: mx.example.org;\r\n"
                + "\tspf=pass smtp.mailfrom=joe@example.com;\r\n"
                + "\tdkim=pass (12 unsigned body octets after l=) header.d=example.com header.s=sel header.a=ed25519-sha256 header.b=\"ab+/cd\";\r\n"
                + "\tdmarc=pass (p=reject dis=none) header.from=example.com\r\n");
    }

    @Test
    void hostileValuesAreQuotedAndCommentsCleaned() {
        String f = AuthenticationResults.field("mx.example.org",
                new SpfVerdict(SpfResult.FAIL, "helo", "evil.test", "evil\";\r\nX-Injected: 1", "bad (nested) \\ text\r\n"),
                List.of(), null);
        assertThat(f).doesNotContain("\r\nX-Injected").contains("smtp.helo=\"evil\\\";X-Injected: 1\"").contains("(bad  nested    text)")
                .contains("dkim=none");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            'Authentication-Results: mx.example.org; spf=pass'              | true
            'Authentication-Results:   MX.Example.ORG ; dkim=pass'          | true
            'Authentication-Results: (comment) mx.example.org; none'        | true
            'authentication-results: "mx.example.org"; none'                | true
            'Authentication-Results: mx.example.org'                        | true
            'Authentication-Results: other.example.org; spf=pass'           | false
            'Authentication-Results: mx.example.org.evil; spf=pass'         | false
            'X-Authentication-Results: mx.example.org; spf=pass'            | false
            """)
    void recognizesOurAuthservId(String field, boolean ours) {
        HeaderSection h = HeaderSection.parse((field + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(AuthenticationResults.claims(h.fields().get(0), "mx.example.org")).isEqualTo(ours);
    }
}
