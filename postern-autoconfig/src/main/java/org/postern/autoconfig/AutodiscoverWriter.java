// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.postern.autoconfig.ClientSettings.Endpoint;

/**
 * Microsoft Autodiscover answers: the POX response of [MS-OXDSCLI] §2.2.4 (Outlook schema 2006a)
 * listing IMAP, POP3 and SMTP, and the v2 JSON answer that points Outlook at the POX endpoint.
 * Outlook uses the first Protocol element of each Type, so implicit TLS is listed first.
 */
public final class AutodiscoverWriter {
    static final String RESPONSE_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private AutodiscoverWriter() {}

    public static String response(ClientSettings s, String emailAddress) {
        StringBuilder b = new StringBuilder(2048);
        b.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        b.append("<Autodiscover xmlns=\"").append(RESPONSE_NS).append("\">\n");
        b.append("  <Response xmlns=\"").append(AutodiscoverRequest.OUTLOOK_RESPONSE_SCHEMA).append("\">\n");
        b.append("    <Account>\n");
        b.append("      <AccountType>email</AccountType>\n");
        b.append("      <Action>settings</Action>\n");
        for (Endpoint e : s.incoming()) protocol(b, e, s.hostname(), emailAddress);
        for (Endpoint e : s.outgoing()) protocol(b, e, s.hostname(), emailAddress);
        b.append("    </Account>\n");
        b.append("  </Response>\n");
        b.append("</Autodiscover>\n");
        return b.toString();
    }

    private static void protocol(StringBuilder b, Endpoint e, String host, String login) {
        b.append("      <Protocol>\n");
        b.append("        <Type>").append(e.protocol().name()).append("</Type>\n");
        b.append("        <Server>").append(XmlText.escape(host)).append("</Server>\n");
        b.append("        <Port>").append(e.port()).append("</Port>\n");
        b.append("        <LoginName>").append(XmlText.escape(login)).append("</LoginName>\n");
        b.append("        <DomainRequired>off</DomainRequired>\n");
        b.append("        <SPA>off</SPA>\n");
        // [MS-OXDSCLI] §2.2.4.1.1.2.2.8: Encryption overrides SSL; "SSL" is implicit TLS, "TLS" is STARTTLS.
        b.append("        <SSL>on</SSL>\n");
        b.append("        <Encryption>").append(e.security() == ClientSettings.Security.TLS ? "SSL" : "TLS").append("</Encryption>\n");
        b.append("        <AuthRequired>on</AuthRequired>\n");
        if (e.protocol() == ClientSettings.Protocol.SMTP) b.append("        <UsePOPAuth>on</UsePOPAuth>\n");
        b.append("      </Protocol>\n");
    }

    /** [MS-OXDSCLI] §2.2.4.1.2: 600 invalid request, 601 response schema not available. */
    public static String error(int code, String message, Instant now) {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                + "<Autodiscover xmlns=\"" + RESPONSE_NS + "\">\n"
                + "  <Response>\n"
                + "    <Error Time=\"" + TIME.format(now) + "\" Id=\"1\">\n"
                + "      <ErrorCode>" + code + "</ErrorCode>\n"
                + "      <Message>" + XmlText.escape(message) + "</Message>\n"
                + "      <DebugData />\n"
                + "    </Error>\n"
                + "  </Response>\n"
                + "</Autodiscover>\n";
    }

    /** The Autodiscover v2 answer for Protocol=AutodiscoverV1: where the POX endpoint is. */
    public static String v2(String protocol, String url) {
        return "{\"Protocol\":\"" + json(protocol) + "\",\"Url\":\"" + json(url) + "\"}";
    }

    public static String v2Error(String code, String message) {
        return "{\"ErrorCode\":\"" + json(code) + "\",\"ErrorMessage\":\"" + json(message) + "\"}";
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '<' -> b.append("\\u003c"); // never markup, even if a browser sniffs it
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.toString();
    }
}
