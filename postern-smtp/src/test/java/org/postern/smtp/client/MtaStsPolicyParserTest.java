// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 8461 §3.1 TXT records and §3.2 policy files, including hostile ones. */
class MtaStsPolicyParserTest {
    static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    static Stream<Arguments> txt() {
        return Stream.of(
                Arguments.of(List.of("v=STSv1; id=20160831085700Z;"), "20160831085700Z"),
                Arguments.of(List.of("v=STSv1;id=abc"), "abc"),
                Arguments.of(List.of("v=spf1 -all", "v=STSv1; id=x1"), "x1"),
                Arguments.of(List.of("v=STSv1; id=a", "v=STSv1; id=b"), null), // two records: no policy
                Arguments.of(List.of("v=STSv1;"), null),
                Arguments.of(List.of("v=STSv1; id=" + "a".repeat(33)), null),
                Arguments.of(List.of("v=STSv1; id=a-b"), null),
                Arguments.of(List.of("v=STSv2; id=a"), null),
                Arguments.of(List.of(), null));
    }

    @ParameterizedTest
    @MethodSource
    void txt(List<String> records, String id) {
        assertThat(MtaStsPolicyParser.txtId(records)).isEqualTo(id);
    }

    static Stream<Arguments> policies() {
        String ok = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n";
        return Stream.of(
                Arguments.of(ok, "ENFORCE"),
                Arguments.of(ok.replace("\r\n", "\n"), "ENFORCE"),
                Arguments.of(ok.replace("enforce", "testing"), "TESTING"),
                Arguments.of("version: STSv1\nmode: none\nmax_age: 86400\n", "NONE"),
                Arguments.of(ok + "future_key: whatever\n", "ENFORCE"),
                Arguments.of(ok.replace("STSv1", "STSv2"), "invalid"),
                Arguments.of(ok.replace("enforce", "Enforce"), "invalid"),
                Arguments.of(ok.replace("enforce", "strict"), "invalid"),
                Arguments.of(ok.replace("max_age: 604800\r\n", ""), "invalid"),
                Arguments.of(ok.replace("604800", "-1"), "invalid"),
                Arguments.of(ok.replace("604800", "99999999999"), "invalid"),
                Arguments.of("version: STSv1\nmode: enforce\nmax_age: 86400\n", "invalid"), // enforce without mx
                Arguments.of(ok.replace("mail.example.com", "mail example.com"), "invalid"),
                Arguments.of("<html>not a policy</html>", "invalid"),
                Arguments.of("", "invalid"));
    }

    @ParameterizedTest
    @MethodSource
    void policies(String text, String expected) {
        MtaStsPolicyParser.Result r = MtaStsPolicyParser.policy(text, "id1", T);
        String got = r instanceof MtaStsPolicyParser.Result.Policy p ? p.policy().mode().name() : "invalid";
        assertThat(got).isEqualTo(expected);
    }

    @Test
    void maxAgeIsCappedAndExpiryFollowsIt() {
        String text = "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 9999999999\n";
        MtaStsPolicy p = ((MtaStsPolicyParser.Result.Policy) MtaStsPolicyParser.policy(text, "i", T)).policy();
        assertThat(p.maxAge()).isEqualTo(Duration.ofSeconds(MtaStsPolicyParser.MAX_AGE_LIMIT));
        assertThat(p.expired(T.plusSeconds(10))).isFalse();
        assertThat(p.expired(T.plus(p.maxAge()))).isTrue();
    }

    static Stream<Arguments> matching() {
        return Stream.of(
                Arguments.of("mail.example.com", true),
                Arguments.of("MAIL.example.com.", true),
                Arguments.of("a.example.net", true),
                Arguments.of("a.b.example.net", false), // the wildcard covers one label only (§4.1)
                Arguments.of("example.net", false),
                Arguments.of("evil-mail.example.com", false),
                Arguments.of("mail.example.com.evil.test", false));
    }

    @ParameterizedTest
    @MethodSource
    void matching(String host, boolean allowed) {
        MtaStsPolicy p = new MtaStsPolicy("i", MtaStsPolicy.Mode.ENFORCE, List.of("mail.example.com", "*.example.net"),
                Duration.ofDays(1), T);
        assertThat(p.allows(host)).isEqualTo(allowed);
    }
}
