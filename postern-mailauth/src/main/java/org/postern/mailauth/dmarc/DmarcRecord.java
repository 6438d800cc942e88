// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.dmarc;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A DMARC policy record (RFC 7489 §6.3), TXT at {@code _dmarc.<domain>}.
 *
 * @param subdomainPolicy sp=, or {@code policy} when absent
 * @param strictDkim adkim=s; {@code strictSpf} aspf=s
 * @param percent pct=, 0-100
 */
public record DmarcRecord(Policy policy, Policy subdomainPolicy, boolean strictDkim, boolean strictSpf, int percent) {
    public enum Policy {
        NONE, QUARANTINE, REJECT;

        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** §6.6.4: what pct= sampling applies to the messages outside the percentage. */
        Policy weaker() {
            return this == REJECT ? QUARANTINE : NONE;
        }
    }

    public static final class DmarcSyntaxException extends Exception {
        public DmarcSyntaxException(String message) {
            super(message);
        }
    }

    public static boolean isDmarcRecord(String txt) {
        String t = txt.stripLeading();
        if (!t.regionMatches(true, 0, "v", 0, 1)) return false;
        String rest = t.substring(1).stripLeading();
        if (!rest.startsWith("=")) return false;
        rest = rest.substring(1).stripLeading();
        return rest.startsWith("DMARC1") && (rest.length() == 6 || rest.substring(6).stripLeading().startsWith(";")
                || rest.substring(6).isBlank());
    }

    /** Parses a record; §6.6.3: an invalid p= with a valid rua= counts as p=none, otherwise the record is ignored. */
    public static DmarcRecord parse(String text) throws DmarcSyntaxException {
        if (text.length() > 4096) throw new DmarcSyntaxException("record too long");
        if (!isDmarcRecord(text)) throw new DmarcSyntaxException("not a DMARC record");
        Map<String, String> tags = new LinkedHashMap<>();
        for (String part : text.split(";")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                if (part.isBlank()) continue;
                throw new DmarcSyntaxException("tag without '='");
            }
            String name = part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            tags.putIfAbsent(name, part.substring(eq + 1).strip());
            if (tags.size() > 32) throw new DmarcSyntaxException("too many tags");
        }
        Policy p = policy(tags.get("p"));
        if (p == null) {
            if (tags.containsKey("rua") && tags.get("rua").toLowerCase(Locale.ROOT).startsWith("mailto:")) {
                p = Policy.NONE;
            } else {
                throw new DmarcSyntaxException("missing or bad p=");
            }
        }
        Policy sp = tags.containsKey("sp") ? policy(tags.get("sp")) : p;
        if (sp == null) sp = p;
        boolean adkim = "s".equalsIgnoreCase(tags.get("adkim"));
        boolean aspf = "s".equalsIgnoreCase(tags.get("aspf"));
        int pct = 100;
        String pctText = tags.get("pct");
        if (pctText != null) {
            if (!pctText.matches("\\d{1,3}") || Integer.parseInt(pctText) > 100) throw new DmarcSyntaxException("bad pct=");
            pct = Integer.parseInt(pctText);
        }
        return new DmarcRecord(p, sp, adkim, aspf, pct);
    }

    private static Policy policy(String v) {
        if (v == null) return null;
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "none" -> Policy.NONE;
            case "quarantine" -> Policy.QUARANTINE;
            case "reject" -> Policy.REJECT;
            default -> null;
        };
    }
}
