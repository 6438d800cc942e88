// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.postern.core.MailAddress;
import org.postern.smtp.server.Envelope;
import org.postern.smtp.server.SessionInfo;

/** Writes the trace fields: Received: (RFC 5321 §4.4, RFC 3848) and Return-Path: (§4.4, final delivery). */
final class TraceHeaders {
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);

    private TraceHeaders() {}

    static byte[] returnPath(MailAddress mailFrom) {
        return ("Return-Path: <" + (mailFrom == null ? "" : mailFrom.toString()) + ">\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code Received: from helo ([ip]) (using TLS...) by host (Postern) with ESMTPSA id ID for <rcpt>; date}.
     * The recipient is named only when there is exactly one, so a copy never lists the others (§7.2).
     */
    static byte[] received(SessionInfo s, Envelope env, String hostname, String id, Instant when, ZoneId zone) {
        StringBuilder sb = new StringBuilder(256);
        String ip = addressLiteral(s.clientAddress());
        String helo = s.heloName() != null && validHelo(s.heloName()) ? s.heloName() : "unknown";
        sb.append("Received: from ").append(helo).append(" (").append(ip).append(")\r\n");
        if (s.tls()) {
            sb.append("\t(using ").append(clean(s.tlsProtocol())).append(" with cipher ")
                    .append(clean(s.tlsCipher())).append(")\r\n");
        }
        sb.append("\tby ").append(hostname).append(" (Postern) with ").append(protocol(s, env))
                .append(" id ").append(id);
        if (env.recipients().size() == 1) {
            sb.append("\r\n\tfor <").append(env.recipients().get(0)).append(">");
        }
        sb.append(";\r\n\t").append(DATE.format(when.atZone(zone))).append("\r\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** RFC 3848 and RFC 6531 §3.7.3 "with" keywords. */
    static String protocol(SessionInfo s, Envelope env) {
        String base = env.params().smtpUtf8() ? "UTF8SMTP" : s.esmtp() ? "ESMTP" : "SMTP";
        if (base.equals("SMTP")) return base;
        return base + (s.tls() ? "S" : "") + (s.authenticated() ? "A" : "");
    }

    private static String addressLiteral(InetAddress a) {
        if (a == null) return "[unknown]";
        String host = a.getHostAddress();
        int pct = host.indexOf('%');
        if (pct >= 0) host = host.substring(0, pct);
        return a instanceof Inet6Address ? "[IPv6:" + host + "]" : "[" + host + "]";
    }

    /** The client's name goes into a header: only a plain host name or address literal is copied. */
    static boolean validHelo(String h) {
        if (h.length() > 255) return false;
        if (h.startsWith("[") && h.endsWith("]")) {
            for (int i = 1; i < h.length() - 1; i++) {
                char c = h.charAt(i);
                if (!(Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == ':')) return false;
            }
            return true;
        }
        return MailAddress.validDomain(h) && h.chars().allMatch(c -> c < 128);
    }

    private static String clean(String s) {
        return s == null ? "unknown" : s.replaceAll("[^A-Za-z0-9._-]", "");
    }
}
