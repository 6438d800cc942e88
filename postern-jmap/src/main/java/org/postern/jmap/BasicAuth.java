// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** The HTTP Basic credentials of a request (RFC 7617), parsed; nothing else. */
public final class BasicAuth {
    /** Longer Authorization values are refused before decoding. */
    static final int MAX_HEADER = 4096;

    public record Credentials(String user, String password) {}

    private BasicAuth() {}

    public static Optional<Credentials> parse(String header) {
        if (header == null || header.length() > MAX_HEADER) return Optional.empty();
        int sp = header.indexOf(' ');
        if (sp < 0 || !header.substring(0, sp).equalsIgnoreCase("Basic")) return Optional.empty();
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(header.substring(sp + 1).strip());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        // RFC 7617 §2.1: charset="UTF-8" is announced, so the pair is UTF-8.
        String pair = new String(raw, StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        if (colon <= 0) return Optional.empty();
        String user = pair.substring(0, colon);
        if (user.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) return Optional.empty();
        return Optional.of(new Credentials(user, pair.substring(colon + 1)));
    }
}
