// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth;

import java.util.List;
import java.util.regex.Pattern;
import org.postern.mailauth.dkim.DkimResult;
import org.postern.mailauth.dmarc.DmarcVerdict;
import org.postern.mailauth.spf.SpfVerdict;

/**
 * RFC 8601: writes our Authentication-Results field and recognizes fields that claim to be ours.
 * Pure.
 */
public final class AuthenticationResults {
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`{|}~-]+");
    private static final Pattern MAILBOX = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9.-]{1,253}");

    private AuthenticationResults() {}

    /** The whole field, "Authentication-Results: ...\r\n", one method result per folded line (§2.2). */
    public static String field(String authservId, SpfVerdict spf, List<DkimResult> dkim, DmarcVerdict dmarc) {
        StringBuilder sb = new StringBuilder("Authentication-Results: ").append(authservId);
        if (spf != null) {
            sb.append(";\r\n\tspf=").append(spf.result().token());
            if (!spf.explanation().isEmpty()) sb.append(" (").append(comment(spf.explanation())).append(')');
            // §2.7.2: smtp.mailfrom, or smtp.helo when the HELO identity was checked
            sb.append(spf.identity().equals("helo") ? " smtp.helo=" : " smtp.mailfrom=").append(value(spf.sender()));
        }
        if (dkim.isEmpty()) {
            sb.append(";\r\n\tdkim=none");
        }
        for (DkimResult r : dkim) {
            sb.append(";\r\n\tdkim=").append(r.status().token());
            StringBuilder why = new StringBuilder(r.reason());
            if (r.testing()) why.append(why.isEmpty() ? "" : ", ").append("test mode key");
            if (r.unsignedOctets() > 0) why.append(why.isEmpty() ? "" : ", ").append(r.unsignedOctets()).append(" unsigned body octets after l=");
            if (!why.isEmpty()) sb.append(" (").append(comment(why.toString())).append(')');
            if (!r.domain().isEmpty()) sb.append(" header.d=").append(value(r.domain()));
            if (!r.selector().isEmpty()) sb.append(" header.s=").append(value(r.selector()));
            if (!r.algorithm().isEmpty()) sb.append(" header.a=").append(value(r.algorithm()));
            if (!r.headerB().isEmpty()) sb.append(" header.b=").append(value(r.headerB())); // RFC 6008
        }
        if (dmarc != null) {
            sb.append(";\r\n\tdmarc=").append(dmarc.result().token());
            if (dmarc.result() != DmarcVerdict.Result.NONE) {
                sb.append(" (p=").append(dmarc.policy().token()).append(" dis=").append(dmarc.disposition().token()).append(')');
            }
            if (!dmarc.fromDomain().isEmpty()) sb.append(" header.from=").append(value(dmarc.fromDomain()));
        }
        return sb.append("\r\n").toString();
    }

    /**
     * True when the field is an Authentication-Results field whose authserv-id is {@code authservId}
     * (§5: such fields from outside are forgeries and must be removed).
     */
    public static boolean claims(HeaderSection.Field f, String authservId) {
        if (!f.is("Authentication-Results")) return false;
        String v = f.value();
        int i = skipCfws(v, 0);
        int start = i;
        if (i < v.length() && v.charAt(i) == '"') {
            int end = v.indexOf('"', i + 1);
            return end > 0 && v.substring(i + 1, end).equalsIgnoreCase(authservId);
        }
        while (i < v.length() && v.charAt(i) != ';' && v.charAt(i) != '(' && v.charAt(i) != ' ' && v.charAt(i) != '\t') i++;
        return v.substring(start, i).equalsIgnoreCase(authservId);
    }

    private static int skipCfws(String v, int i) {
        int depth = 0;
        for (; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && depth > 0) {
                depth--;
            } else if (c == '\\' && depth > 0) {
                i++;
            } else if (depth == 0 && c != ' ' && c != '\t') {
                return i;
            }
        }
        return i;
    }

    /** A property value: as is when it is a token or a plain mailbox, else a quoted-string. */
    static String value(String v) {
        if (TOKEN.matcher(v).matches() || MAILBOX.matcher(v).matches()) return v;
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < v.length() && i < 256; i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c > 0x7e) continue;
            if (c == '"' || c == '\\') sb.append('\\');
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    /** Comment text: printable ASCII without parentheses or backslashes, bounded. */
    static String comment(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 200; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '(' || c == ')' || c == '\\') c = ' ';
            sb.append(c);
        }
        return sb.toString().strip();
    }
}
