// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * An Apple configuration profile (property list, Apple "Configuration Profile Reference") with one
 * com.apple.mail.managed payload: IMAP over implicit TLS in, submission over implicit TLS out
 * (RFC 8314). The UUIDs are derived from the address and host, so installing the profile again
 * replaces the earlier one instead of adding a second account.
 */
public final class MobileconfigWriter {
    public static final String MEDIA_TYPE = "application/x-apple-aspen-config";

    private MobileconfigWriter() {}

    /** @param password included only when the user asked for it (the profile is then a secret) */
    public static String write(ClientSettings s, String address, Optional<String> password) {
        String host = s.hostname();
        String ident = reverse(host) + ".postern.mail." + address.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "-");
        StringBuilder b = new StringBuilder(4096);
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n");
        b.append("<plist version=\"1.0\">\n<dict>\n");
        b.append("  <key>PayloadContent</key>\n  <array>\n    <dict>\n");
        String i = "      ";
        str(b, i, "EmailAccountDescription", address);
        str(b, i, "EmailAccountName", address);
        str(b, i, "EmailAccountType", "EmailTypeIMAP");
        str(b, i, "EmailAddress", address);
        str(b, i, "IncomingMailServerAuthentication", "EmailAuthPassword");
        str(b, i, "IncomingMailServerHostName", host);
        integer(b, i, "IncomingMailServerPortNumber", s.imaps());
        bool(b, i, "IncomingMailServerUseSSL", true);
        str(b, i, "IncomingMailServerUsername", address);
        password.ifPresent(p -> str(b, i, "IncomingPassword", p));
        str(b, i, "OutgoingMailServerAuthentication", "EmailAuthPassword");
        str(b, i, "OutgoingMailServerHostName", host);
        integer(b, i, "OutgoingMailServerPortNumber", s.submissions());
        bool(b, i, "OutgoingMailServerUseSSL", true);
        str(b, i, "OutgoingMailServerUsername", address);
        password.ifPresent(p -> str(b, i, "OutgoingPassword", p));
        bool(b, i, "OutgoingPasswordSameAsIncomingPassword", true);
        str(b, i, "PayloadDescription", "Mail account " + address);
        str(b, i, "PayloadDisplayName", address);
        str(b, i, "PayloadIdentifier", ident + ".account");
        str(b, i, "PayloadType", "com.apple.mail.managed");
        str(b, i, "PayloadUUID", uuid(ident + ".account"));
        integer(b, i, "PayloadVersion", 1);
        b.append("    </dict>\n  </array>\n");
        String t = "  ";
        str(b, t, "PayloadDescription", "Mail settings for " + address + " on " + host);
        str(b, t, "PayloadDisplayName", "Mail: " + address);
        str(b, t, "PayloadIdentifier", ident);
        bool(b, t, "PayloadRemovalDisallowed", false);
        str(b, t, "PayloadType", "Configuration");
        str(b, t, "PayloadUUID", uuid(ident));
        integer(b, t, "PayloadVersion", 1);
        b.append("</dict>\n</plist>\n");
        return b.toString();
    }

    private static String reverse(String host) {
        String[] parts = host.toLowerCase(Locale.ROOT).split("\\.");
        StringBuilder b = new StringBuilder();
        for (int k = parts.length - 1; k >= 0; k--) {
            if (!b.isEmpty()) b.append('.');
            b.append(parts[k]);
        }
        return b.toString();
    }

    private static String uuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString().toUpperCase(Locale.ROOT);
    }

    private static void str(StringBuilder b, String indent, String key, String value) {
        b.append(indent).append("<key>").append(key).append("</key>\n");
        b.append(indent).append("<string>").append(XmlText.escape(value)).append("</string>\n");
    }

    private static void integer(StringBuilder b, String indent, String key, int value) {
        b.append(indent).append("<key>").append(key).append("</key>\n");
        b.append(indent).append("<integer>").append(value).append("</integer>\n");
    }

    private static void bool(StringBuilder b, String indent, String key, boolean value) {
        b.append(indent).append("<key>").append(key).append("</key>\n");
        b.append(indent).append(value ? "<true/>" : "<false/>").append('\n');
    }
}
