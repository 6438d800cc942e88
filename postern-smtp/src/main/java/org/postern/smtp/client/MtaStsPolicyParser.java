// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Pure parsers of RFC 8461: the _mta-sts TXT record (§3.1) and the policy file (§3.2). */
public final class MtaStsPolicyParser {
    /** RFC 8461 §3.2: max_age is at most 31557600 seconds (about a year). */
    public static final long MAX_AGE_LIMIT = 31_557_600;

    private MtaStsPolicyParser() {}

    /** The policy result: a policy or why there is none. */
    public sealed interface Result {
        record Policy(MtaStsPolicy policy) implements Result {}

        record Invalid(String reason) implements Result {}
    }

    /**
     * The id of the only valid "v=STSv1" TXT record among {@code records}, or null: several STS
     * records, or one without a valid id, mean no policy (RFC 8461 §3.1).
     */
    public static String txtId(List<String> records) {
        String id = null;
        int found = 0;
        for (String r : records) {
            if (!r.startsWith("v=STSv1")) continue;
            found++;
            id = null;
            for (String field : r.split(";")) {
                String f = field.strip();
                if (f.startsWith("id=")) {
                    String v = f.substring(3);
                    if (v.length() >= 1 && v.length() <= 32 && v.chars().allMatch(Character::isLetterOrDigit)
                            && v.chars().allMatch(c -> c < 0x80)) {
                        id = v;
                    }
                }
            }
        }
        return found == 1 ? id : null;
    }

    /** RFC 8461 §3.2: "key: value" lines (CRLF or LF), version, mode, max_age and (unless mode none) mx. */
    public static Result policy(String text, String id, Instant fetchedAt) {
        String version = null;
        MtaStsPolicy.Mode mode = null;
        Long maxAge = null;
        List<String> mx = new ArrayList<>();
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty()) continue;
            int colon = line.indexOf(':');
            if (colon <= 0) return new Result.Invalid("malformed line in policy");
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            switch (key) {
                case "version" -> version = value;
                case "mode" -> {
                    try {
                        mode = MtaStsPolicy.Mode.valueOf(value.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        return new Result.Invalid("unknown mode " + value);
                    }
                    if (!value.equals(value.toLowerCase(Locale.ROOT))) return new Result.Invalid("unknown mode " + value);
                }
                case "max_age" -> {
                    if (value.isEmpty() || value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                        return new Result.Invalid("bad max_age");
                    }
                    maxAge = Math.min(Long.parseLong(value), MAX_AGE_LIMIT);
                }
                case "mx" -> {
                    if (!value.matches("(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9.-]{0,252})")) return new Result.Invalid("bad mx " + value);
                    if (mx.size() < 100) mx.add(value);
                }
                default -> {
                    // RFC 8461 §3.2: unknown fields are ignored (extensions)
                }
            }
        }
        if (!"STSv1".equals(version)) return new Result.Invalid("version is not STSv1");
        if (mode == null) return new Result.Invalid("no mode");
        if (maxAge == null) return new Result.Invalid("no max_age");
        if (mx.isEmpty() && mode != MtaStsPolicy.Mode.NONE) return new Result.Invalid("no mx");
        return new Result.Policy(new MtaStsPolicy(id, mode, mx, Duration.ofSeconds(maxAge), fetchedAt));
    }
}
