// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.dkim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import org.postern.mailauth.HeaderSection;

/** RFC 6376 §3.4: the simple and relaxed canonicalizations of header fields and of the body. */
public final class DkimCanonicalization {
    private DkimCanonicalization() {}

    /** §3.4.1 simple: the field unchanged; §3.4.2 relaxed: "name:value" lower-cased, unfolded, WSP squeezed. */
    public static String header(HeaderSection.Field f, boolean relaxed) {
        if (!relaxed) return f.raw();
        return relaxedHeader(f.raw()) + "\r\n";
    }

    /** Relaxed form of "name: value" without the final CRLF. */
    static String relaxedHeader(String raw) {
        int colon = raw.indexOf(':');
        String name = raw.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String value = raw.substring(colon + 1).replace("\r\n", "").replace("\n", "");
        StringBuilder sb = new StringBuilder(name.length() + value.length() + 1).append(name).append(':');
        boolean space = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t') {
                space = true;
            } else {
                if (space && sb.length() > name.length() + 1) sb.append(' ');
                space = false;
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * The body canonicalizer as a stream sink (§3.4.3, §3.4.4): feeds a digest, counts canonical
     * octets, and stops at l= octets (§3.5: the rest is unsigned). Works octet by octet with constant
     * memory, however long the lines.
     */
    public static final class Body {
        private final boolean relaxed;
        private final MessageDigest digest;
        private final long limit;
        private long written;
        private long total;
        private long pendingCrlf;
        private boolean pendingCr;
        private boolean pendingSpace;
        private boolean any;

        /** @param limit l= octets to hash, or -1 for all */
        public Body(boolean relaxed, MessageDigest digest, long limit) {
            this.relaxed = relaxed;
            this.digest = digest;
            this.limit = limit;
        }

        public void update(byte[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) update(buf[i]);
        }

        private void update(byte b) {
            if (pendingCr) {
                pendingCr = false;
                if (b == '\n') {
                    pendingSpace = false; // relaxed: WSP at a line end is dropped
                    pendingCrlf++;
                    return;
                }
                content((byte) '\r');
            }
            if (b == '\r') {
                pendingCr = true;
                return;
            }
            if (relaxed && (b == ' ' || b == '\t')) {
                pendingSpace = true;
                return;
            }
            content(b);
        }

        private void content(byte b) {
            // Empty lines are held back: at the end of the body they are dropped (§3.4.3, §3.4.4).
            for (; pendingCrlf > 0; pendingCrlf--) {
                emit((byte) '\r');
                emit((byte) '\n');
            }
            if (pendingSpace) {
                pendingSpace = false;
                emit((byte) ' ');
            }
            emit(b);
            any = true;
        }

        private void emit(byte b) {
            total++;
            if (limit >= 0 && written >= limit) return;
            digest.update(b);
            written++;
        }

        /** Ends the body and returns its hash. */
        public byte[] finish() {
            if (pendingCr) {
                pendingCr = false;
                content((byte) '\r');
            }
            pendingSpace = false;
            if (any) {
                emit((byte) '\r');
                emit((byte) '\n');
            } else if (!relaxed) {
                emit((byte) '\r'); // §3.4.3: an empty body is one CRLF in simple
                emit((byte) '\n');
            }
            return digest.digest();
        }

        /** Canonical octets of the whole body, hashed or not; beyond {@code limit} means unsigned content. */
        public long canonicalLength() {
            return total;
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
