// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.spf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postern.mailauth.MapDns;

/** RFC 7208 §7.4: the examples of the RFC, verbatim. */
class SpfMacroTest {
    private static final SpfMacro.Context V4 = new SpfMacro.Context(MapDns.literal("192.0.2.3"), "strong-bad@email.example.com",
            "email.example.com", "mx.example.org", "receiver.example", 1000);
    private static final SpfMacro.Context V6 = new SpfMacro.Context(MapDns.literal("2001:db8::cb01"), "strong-bad@email.example.com",
            "email.example.com", "mx.example.org", "receiver.example", 1000);

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            %{s}                             | strong-bad@email.example.com
            %{o}                             | email.example.com
            %{d}                             | email.example.com
            %{d4}                            | email.example.com
            %{d3}                            | email.example.com
            %{d2}                            | example.com
            %{d1}                            | com
            %{dr}                            | com.example.email
            %{d2r}                           | example.email
            %{l}                             | strong-bad
            %{l-}                            | strong.bad
            %{lr}                            | strong-bad
            %{lr-}                           | bad.strong
            %{l1r-}                          | strong
            %{ir}.%{v}._spf.%{d2}            | 3.2.0.192.in-addr._spf.example.com
            %{lr-}.lp._spf.%{d2}             | bad.strong.lp._spf.example.com
            %{lr-}.lp.%{ir}.%{v}._spf.%{d2}  | bad.strong.lp.3.2.0.192.in-addr._spf.example.com
            %{ir}.%{v}.%{l1r-}.lp._spf.%{d2} | 3.2.0.192.in-addr.strong.lp._spf.example.com
            %{d2}.trusted-domains.example.net | example.com.trusted-domains.example.net
            %{S}                             | strong-bad%40email.example.com
            %%%_%-                           | '% %20'
            %{h}                             | mx.example.org
            %{p}                             | unknown
            """)
    void rfcExamplesIpv4(String macro, String expected) throws Exception {
        assertThat(SpfMacro.expand(macro, V4, false)).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void rfcExampleIpv6() throws Exception {
        assertThat(SpfMacro.expand("%{ir}.%{v}._spf.%{d2}", V6, false))
                .isEqualTo("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
    }

    @org.junit.jupiter.api.Test
    void explanationOnlyMacrosAndLongNames() throws Exception {
        assertThat(SpfMacro.expand("%{c} %{r} %{t}", V4, true)).isEqualTo("192.0.2.3 receiver.example 1000");
        assertThatThrownBy(() -> SpfMacro.expand("%{c}", V4, false)).isInstanceOf(SpfRecordParser.SpfSyntaxException.class);
        assertThatThrownBy(() -> SpfMacro.expand("%{x}", V4, false)).isInstanceOf(SpfRecordParser.SpfSyntaxException.class);
        assertThatThrownBy(() -> SpfMacro.expand("%{d0}", V4, false)).isInstanceOf(SpfRecordParser.SpfSyntaxException.class);
        assertThatThrownBy(() -> SpfMacro.expand("%", V4, false)).isInstanceOf(SpfRecordParser.SpfSyntaxException.class);
        // §7.3: longer than 253 octets: labels are dropped from the left
        String longName = SpfMacro.expandDomain("%{s}%{s}%{s}%{s}%{s}%{s}%{s}%{s}%{s}.example.com", V4);
        assertThat(longName.length()).isLessThanOrEqualTo(253);
        assertThat(longName).endsWith(".example.com");
    }
}
