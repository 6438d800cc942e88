// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.dmarc;

import com.google.common.net.InternetDomainName;
import java.util.Locale;

/**
 * RFC 7489 §3.2: the organizational domain is the public suffix plus one label, using the public
 * suffix list (Guava's copy, ICANN and private sections). A name under no listed suffix takes its last
 * label as the suffix (§3.2 step 3, so "mail.example.test" belongs to "example.test").
 */
public final class OrganizationalDomain {
    private OrganizationalDomain() {}

    public static String of(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) d = d.substring(0, d.length() - 1);
        try {
            InternetDomainName name = InternetDomainName.from(d);
            if (name.isTopPrivateDomain() || name.isUnderPublicSuffix()) return name.topPrivateDomain().toString();
            if (name.isPublicSuffix()) return d;
        } catch (IllegalArgumentException | IllegalStateException e) {
            // not a syntactically valid name for Guava: fall through to the label rule
        }
        String[] labels = d.split("\\.");
        if (labels.length <= 2) return d;
        return labels[labels.length - 2] + "." + labels[labels.length - 1];
    }

    /** §3.1: relaxed alignment is the same organizational domain, strict the same name. */
    public static boolean aligned(String a, String b, boolean strict) {
        if (a == null || b == null || a.isEmpty() || b.isEmpty()) return false;
        if (a.equalsIgnoreCase(b)) return true;
        return !strict && of(a).equals(of(b));
    }
}
