// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

import org.postern.autoconfig.ClientSettings.Endpoint;

/**
 * Thunderbird's autoconfig document, format version 1.1 (the "clientConfig" file Thunderbird and
 * K-9/Thunderbird for Android fetch from autoconfig.DOMAIN/mail/config-v1.1.xml and
 * DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml). Clients take the first server of each kind
 * they support, so the order of {@link ClientSettings#incoming()} is the preference.
 */
public final class ThunderbirdConfigWriter {
    private ThunderbirdConfigWriter() {}

    public static String write(ClientSettings s, String domain) {
        String d = XmlText.escape(domain);
        StringBuilder b = new StringBuilder(2048);
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append("<clientConfig version=\"1.1\">\n");
        b.append("  <emailProvider id=\"").append(d).append("\">\n");
        b.append("    <domain>").append(d).append("</domain>\n");
        b.append("    <displayName>").append(d).append(" (Postern)</displayName>\n");
        b.append("    <displayShortName>").append(d).append("</displayShortName>\n");
        for (Endpoint e : s.incoming()) server(b, "incomingServer", e, s.hostname());
        for (Endpoint e : s.outgoing()) server(b, "outgoingServer", e, s.hostname());
        b.append("  </emailProvider>\n");
        b.append("</clientConfig>\n");
        return b.toString();
    }

    private static void server(StringBuilder b, String element, Endpoint e, String host) {
        String type = switch (e.protocol()) {
            case IMAP -> "imap";
            case POP3 -> "pop3";
            case SMTP -> "smtp";
        };
        b.append("    <").append(element).append(" type=\"").append(type).append("\">\n");
        b.append("      <hostname>").append(XmlText.escape(host)).append("</hostname>\n");
        b.append("      <port>").append(e.port()).append("</port>\n");
        // "SSL" is Thunderbird's word for implicit TLS; "STARTTLS" upgrades and fails if it cannot.
        b.append("      <socketType>").append(e.security() == ClientSettings.Security.TLS ? "SSL" : "STARTTLS")
                .append("</socketType>\n");
        // The password crosses only a TLS connection (the server refuses it before TLS), so the
        // plain SASL mechanism is safe and works with every account.
        b.append("      <authentication>password-cleartext</authentication>\n");
        b.append("      <username>%EMAILADDRESS%</username>\n");
        b.append("    </").append(element).append(">\n");
    }
}
