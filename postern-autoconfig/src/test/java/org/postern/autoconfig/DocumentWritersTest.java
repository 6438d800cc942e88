// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The writers' output, read back with an XML parser the way a client would. */
class DocumentWritersTest {
    private static final ClientSettings S = new ClientSettings("mail.example.test", 10993, 10143, 10995, 10110, 10465, 10587);

    static Document xml(String s) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)));
    }

    static String text(Element e, String tag) {
        NodeList n = e.getElementsByTagNameNS("*", tag);
        return n.getLength() == 0 ? null : n.item(0).getTextContent();
    }

    @Test
    void thunderbirdListsImplicitTlsFirstWithTheRealPorts() throws Exception {
        Document d = xml(ThunderbirdConfigWriter.write(S, "example.test"));
        List<String> rows = new ArrayList<>();
        for (String kind : List.of("incomingServer", "outgoingServer")) {
            NodeList n = d.getElementsByTagName(kind);
            for (int i = 0; i < n.getLength(); i++) {
                Element e = (Element) n.item(i);
                rows.add(e.getAttribute("type") + " " + text(e, "hostname") + ":" + text(e, "port") + " " + text(e, "socketType"));
            }
        }
        assertThat(rows).containsExactly("imap mail.example.test:10993 SSL", "imap mail.example.test:10143 STARTTLS",
                "pop3 mail.example.test:10995 SSL", "pop3 mail.example.test:10110 STARTTLS",
                "smtp mail.example.test:10465 SSL", "smtp mail.example.test:10587 STARTTLS");
        assertThat(d.getDocumentElement().getAttribute("version")).isEqualTo("1.1");
        assertThat(text(d.getDocumentElement(), "domain")).isEqualTo("example.test");
    }

    @Test
    void autodiscoverNamesEncryptionPerProtocol() throws Exception {
        Document d = xml(AutodiscoverWriter.response(S, "alice@example.test"));
        NodeList protocols = d.getElementsByTagNameNS(AutodiscoverRequest.OUTLOOK_RESPONSE_SCHEMA, "Protocol");
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < protocols.getLength(); i++) {
            Element p = (Element) protocols.item(i);
            rows.add(text(p, "Type") + " " + text(p, "Port") + " " + text(p, "Encryption") + " " + text(p, "LoginName"));
        }
        assertThat(rows).containsExactly("IMAP 10993 SSL alice@example.test", "IMAP 10143 TLS alice@example.test",
                "POP3 10995 SSL alice@example.test", "POP3 10110 TLS alice@example.test",
                "SMTP 10465 SSL alice@example.test", "SMTP 10587 TLS alice@example.test");
        assertThat(d.getDocumentElement().getNamespaceURI()).isEqualTo(AutodiscoverWriter.RESPONSE_NS);
    }

    @Test
    void autodiscoverErrorAndEscaping() throws Exception {
        Document d = xml(AutodiscoverWriter.error(600, "Invalid <Request> & more", Instant.EPOCH));
        assertThat(text(d.getDocumentElement(), "ErrorCode")).isEqualTo("600");
        assertThat(text(d.getDocumentElement(), "Message")).isEqualTo("Invalid <Request> & more");
        assertThat(AutodiscoverWriter.v2("AutodiscoverV1", "https://h/\"x\"")).isEqualTo(
                "{\"Protocol\":\"AutodiscoverV1\",\"Url\":\"https://h/\\\"x\\\"\"}");
    }

    @Test
    void mobileconfigHasNoPasswordUnlessAsked() throws Exception {
        String without = MobileconfigWriter.write(S, "alice@example.test", Optional.empty());
        String with = MobileconfigWriter.write(S, "alice@example.test", Optional.of("s3cret<&>"));
        assertThat(without).doesNotContain("<key>IncomingPassword</key>").doesNotContain("<key>OutgoingPassword</key>").contains("<integer>10993</integer>").contains("<integer>10465</integer>");
        assertThat(with).contains("<key>IncomingPassword</key>\n      <string>s3cret&lt;&amp;&gt;</string>");
        // Same account and host: the same UUIDs, so reinstalling replaces the profile.
        assertThat(MobileconfigWriter.write(S, "alice@example.test", Optional.empty())).isEqualTo(without);
        assertThat(MobileconfigWriter.write(S, "bob@example.test", Optional.empty())).isNotEqualTo(without);
    }

    @Test
    void mtaStsPolicyTextAndId() {
        MtaStsPolicy p = MtaStsPolicy.forHost("Mail.Example.Test", false);
        assertThat(p.text()).isEqualTo("version: STSv1\r\nmode: enforce\r\nmx: mail.example.test\r\nmax_age: 604800\r\n");
        assertThat(p.id()).matches("[A-Za-z0-9]{1,32}");
        assertThat(p.txtRecord()).isEqualTo("v=STSv1; id=" + p.id());
        MtaStsPolicy testing = MtaStsPolicy.forHost("mail.example.test", true);
        assertThat(testing.text()).contains("mode: testing\r\n");
        assertThat(testing.id()).isNotEqualTo(p.id());
        assertThat(MtaStsPolicy.forHost("mail.example.test", false).id()).isEqualTo(p.id());
        assertThatThrownBy(() -> new MtaStsPolicy(MtaStsPolicy.Mode.ENFORCE, List.of("x\r\nmode: none"), Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MtaStsPolicy(MtaStsPolicy.Mode.ENFORCE, List.of("a.test"), Duration.ofDays(400)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void standardPortsWithOffset() {
        assertThat(ClientSettings.standard("h.test", 10000).endpoints()).extracting(ClientSettings.Endpoint::port)
                .containsExactly(10993, 10995, 10465, 10143, 10110, 10587);
    }

    @Test
    void basicCredentials() {
        assertThat(AutoconfigHandler.basic("Basic YWxpY2VAZXhhbXBsZS50ZXN0OnB3OmQ=")).get()
                .satisfies(c -> assertThat(c).containsExactly("alice@example.test", "pw:d"));
        assertThat(AutoconfigHandler.basic("Bearer x")).isEmpty();
        assertThat(AutoconfigHandler.basic("Basic !!!")).isEmpty();
        assertThat(AutoconfigHandler.basic("Basic " + "A".repeat(5000))).isEmpty();
        assertThat(AutoconfigHandler.basic(null)).isEmpty();
    }
}
