// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived download links for the .mobileconfig of one address, for the QR code a phone scans:
 * the phone has no browser session, and typing a password into a Basic prompt on a phone is what
 * the QR code is there to spare. A link is {@code expires} (epoch seconds) and an HMAC-SHA256
 * (RFC 2104) over the address and the expiry with a key drawn at start, so links die with the
 * process and after {@link #LIFETIME}. A link grants the profile only, which holds no password.
 */
public final class ProfileLinkSigner {
    public static final Duration LIFETIME = Duration.ofMinutes(15);
    /** Longer text than any link this class makes is refused before any work. */
    static final int MAX_FIELD = 64;
    private static final String ALGORITHM = "HmacSHA256";

    /** The query parameters a signed link adds to the download URL. */
    public record Link(long expires, String signature) {}

    private final SecretKeySpec key;
    private final Clock clock;

    /** With a fresh random key. */
    public ProfileLinkSigner(Clock clock) {
        this(randomKey(), clock);
    }

    ProfileLinkSigner(byte[] key, Clock clock) {
        this.key = new SecretKeySpec(key.clone(), ALGORITHM);
        this.clock = clock;
    }

    public Link sign(String address) {
        long expires = clock.instant().plus(LIFETIME).getEpochSecond();
        return new Link(expires, mac(address, expires));
    }

    /** Whether {@code signature} was made by {@link #sign} for this address and has not expired. */
    public boolean valid(String address, String expires, String signature) {
        if (address == null || expires == null || signature == null) return false;
        if (expires.isEmpty() || expires.length() > 19 || signature.length() > MAX_FIELD || !expires.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        long e;
        try {
            e = Long.parseLong(expires);
        } catch (NumberFormatException x) {
            return false;
        }
        Instant now = clock.instant();
        // Not after expiry, and not further ahead than a fresh link would be (a forged far-future expiry fails the MAC anyway).
        if (now.getEpochSecond() >= e || e > now.plus(LIFETIME).getEpochSecond() + 1) return false;
        byte[] expected = mac(address, e).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
    }

    private String mac(String address, long expires) {
        try {
            Mac m = Mac.getInstance(ALGORITHM);
            m.init(key);
            // A purpose prefix, so a MAC made for something else with this key could never pass here.
            byte[] data = ("postern-mobileconfig\n" + address.toLowerCase(Locale.ROOT) + "\n" + expires).getBytes(StandardCharsets.UTF_8);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(m.doFinal(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static byte[] randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }
}
