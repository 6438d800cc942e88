// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * An MTA-STS policy (RFC 8461 §3.2) for the MX host names of a domain, and the id its
 * {@code _mta-sts} TXT record must carry (§3.1). The id is derived from the policy text, so it
 * changes exactly when the policy does and senders refetch it.
 */
public record MtaStsPolicy(Mode mode, List<String> mx, Duration maxAge) {
    /** RFC 8461 §3.2: at most a year. */
    public static final Duration MAX_AGE_LIMIT = Duration.ofSeconds(31_557_600);
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);
    public static final String PATH = "/.well-known/mta-sts.txt";

    public enum Mode {
        ENFORCE, TESTING, NONE;

        String token() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public MtaStsPolicy {
        mx = List.copyOf(mx);
        if (mx.isEmpty() && mode != Mode.NONE) throw new IllegalArgumentException("a policy needs an mx");
        if (maxAge.isNegative() || maxAge.compareTo(MAX_AGE_LIMIT) > 0) throw new IllegalArgumentException("max_age out of range");
        for (String m : mx) {
            if (!m.matches("(\\*\\.)?[A-Za-z0-9.-]{1,253}")) throw new IllegalArgumentException("not an mx pattern: " + m);
        }
    }

    /**
     * The policy for a server whose MX is {@code hostname}. A self-signed certificate cannot satisfy
     * senders that enforce (RFC 8461 §4.1 requires a PKIX-valid certificate), so it gets "testing":
     * failures are reported through TLS-RPT but mail still flows.
     */
    public static MtaStsPolicy forHost(String hostname, boolean selfSigned) {
        return new MtaStsPolicy(selfSigned ? Mode.TESTING : Mode.ENFORCE, List.of(hostname.toLowerCase(Locale.ROOT)),
                DEFAULT_MAX_AGE);
    }

    /** The policy file body, lines ended by CRLF (RFC 8461 §3.2 sts-policy-term-delim). */
    public String text() {
        StringBuilder b = new StringBuilder("version: STSv1\r\nmode: ").append(mode.token()).append("\r\n");
        for (String m : mx) b.append("mx: ").append(m).append("\r\n");
        b.append("max_age: ").append(maxAge.toSeconds()).append("\r\n");
        return b.toString();
    }

    /** RFC 8461 §3.1 sts-id: 1*32 letters and digits. */
    public String id() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(text().getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(h, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The TXT record data at {@code _mta-sts.<domain>}. */
    public String txtRecord() {
        return "v=STSv1; id=" + id();
    }
}
