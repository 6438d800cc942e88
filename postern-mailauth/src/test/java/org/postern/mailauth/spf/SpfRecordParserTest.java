// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.spf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 7208 §4.6.1, §5, §6, §12: record syntax, including the hostile and the malformed. */
class SpfRecordParserTest {
    @Test
    void parsesEveryMechanismAndModifier() throws Exception {
        SpfRecord r = SpfRecordParser.parse("v=spf1 +all -include:_spf.example.com ~a ?a:x.example/24//64 mx:m.example/16 ptr "
                + "ptr:p.example ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{ir}.x.example redirect=r.example exp=e.example unknown=x");
        assertThat(r.directives()).hasSize(10);
        assertThat(r.directives().get(1)).isEqualTo(new SpfRecord.Directive('-', new SpfRecord.Include("_spf.example.com")));
        assertThat(r.directives().get(3).mechanism()).isEqualTo(new SpfRecord.A("x.example", 24, 64));
        assertThat(r.directives().get(4).mechanism()).isEqualTo(new SpfRecord.Mx("m.example", 16, 128));
        assertThat(r.directives().get(5).mechanism()).isEqualTo(new SpfRecord.Ptr(null));
        assertThat(r.directives().get(7).mechanism()).isInstanceOf(SpfRecord.Ip4.class);
        assertThat(((SpfRecord.Ip6) r.directives().get(8).mechanism()).prefix()).isEqualTo(32);
        assertThat(r.redirect()).isEqualTo("r.example");
        assertThat(r.exp()).isEqualTo("e.example");
    }

    @ParameterizedTest
    @ValueSource(strings = {"v=spf1", "v=spf1 ", "V=SPF1 -ALL", "v=spf1  ip4:10.0.0.1   -all  ", "v=spf1 a/0", "v=spf1 mx//0",
            "v=spf1 ip6:::1", "v=spf1 ip6:::ffff:192.0.2.1/128", "v=spf1 x-custom.mod=%{d}"})
    void accepts(String record) throws Exception {
        SpfRecordParser.parse(record);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v=spf10 -all", "spf1 -all", "v=spf1 foo", "v=spf1 all:x", "v=spf1 include", "v=spf1 include:",
            "v=spf1 ip4:1.2.3", "v=spf1 ip4:1.2.3.4/33", "v=spf1 ip4:256.0.0.1", "v=spf1 ip6:zz::1", "v=spf1 ip6:example.com",
            "v=spf1 a/33", "v=spf1 a//129", "v=spf1 a/08", "v=spf1 redirect=a redirect=b", "v=spf1 exp=a exp=b",
            "v=spf1 exists:%{z}.x", "v=spf1 exists:%x", "v=spf1 a:%{d", "v=spf1 -all\tfoo", "v=spf1 a:ex\u00e4mple.com",
            "v=spf1 redirect=", "v=spf1 %{d}"})
    void refuses(String record) {
        assertThatThrownBy(() -> SpfRecordParser.parse(record)).isInstanceOf(SpfRecordParser.SpfSyntaxException.class);
    }

    @Test
    void hugeRecordsAreRefusedWithoutWork() {
        assertThatThrownBy(() -> SpfRecordParser.parse("v=spf1 " + "a ".repeat(5000))).isInstanceOf(SpfRecordParser.SpfSyntaxException.class);
        assertThatThrownBy(() -> SpfRecordParser.parse("v=spf1 " + "a ".repeat(300))).isInstanceOf(SpfRecordParser.SpfSyntaxException.class);
    }
}
