// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AutodiscoverRequestParserTest {
    private static final String OUTLOOK = """
            <?xml version="1.0" encoding="utf-8"?>
            <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
              <Request>
                <EMailAddress>alice@example.test</EMailAddress>
                <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
              </Request>
            </Autodiscover>
            """;

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of(OUTLOOK, "valid alice@example.test"),
                Arguments.of(OUTLOOK.replace("<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>", ""),
                        "valid alice@example.test"),
                Arguments.of("<Autodiscover><Request><EMailAddress> bob@example.test </EMailAddress></Request></Autodiscover>",
                        "valid bob@example.test"),
                Arguments.of("", "invalid"),
                Arguments.of("not xml at all", "invalid"),
                Arguments.of("<Autodiscover><Request></Request></Autodiscover>", "invalid"),
                Arguments.of("<Autodiscover/>", "invalid"),
                Arguments.of("<Other><Request><EMailAddress>a@b.test</EMailAddress></Request></Other>", "invalid"),
                Arguments.of("<Autodiscover><Request><EMailAddress>no-at-sign</EMailAddress></Request></Autodiscover>", "invalid"),
                Arguments.of("<Autodiscover><Request><EMailAddress>a@b.test</EMailAddress></Request>", "invalid"),
                // Hostile: external entity (XXE), entity expansion bomb, external DTD.
                Arguments.of("<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                        + "<Autodiscover><Request><EMailAddress>&x;</EMailAddress></Request></Autodiscover>", "invalid"),
                Arguments.of("<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
                        + "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]>"
                        + "<Autodiscover><Request><EMailAddress>&d;@x.test</EMailAddress></Request></Autodiscover>", "invalid"),
                Arguments.of("<!DOCTYPE Autodiscover SYSTEM \"http://127.0.0.1:1/evil.dtd\"><Autodiscover/>", "invalid"),
                Arguments.of("<Autodiscover><Request><EMailAddress>a@b.test\u0000</EMailAddress></Request></Autodiscover>", "invalid"),
                Arguments.of("<Autodiscover>" + "<x>".repeat(5000) + "</Autodiscover>", "invalid"));
    }

    @ParameterizedTest
    @MethodSource("rows")
    void parses(String body, String expected) {
        AutodiscoverRequest r = AutodiscoverRequestParser.parse(body.getBytes(StandardCharsets.UTF_8));
        String got = switch (r) {
            case AutodiscoverRequest.Valid v -> "valid " + v.emailAddress();
            case AutodiscoverRequest.Invalid i -> "invalid";
        };
        assertThat(got).isEqualTo(expected);
    }

    @Test
    void defaultsToTheOutlookSchemaAndKeepsTheNamedOne() {
        var v = (AutodiscoverRequest.Valid) AutodiscoverRequestParser.parse(OUTLOOK.getBytes(StandardCharsets.UTF_8));
        assertThat(v.responseSchema()).isEqualTo(AutodiscoverRequest.OUTLOOK_RESPONSE_SCHEMA);
        var m = (AutodiscoverRequest.Valid) AutodiscoverRequestParser.parse(OUTLOOK.replace("outlook/responseschema/2006a",
                "mobilesync/responseschema/2006").getBytes(StandardCharsets.UTF_8));
        assertThat(m.responseSchema()).contains("mobilesync");
    }

    @Test
    void refusesBodiesOverTheBoundWithoutParsing() {
        byte[] big = ("<Autodiscover><Request><EMailAddress>a@b.test</EMailAddress></Request>" + " ".repeat(AutodiscoverRequestParser.MAX_BYTES)
                + "</Autodiscover>").getBytes(StandardCharsets.UTF_8);
        assertThat(AutodiscoverRequestParser.parse(big)).isInstanceOf(AutodiscoverRequest.Invalid.class);
    }
}
