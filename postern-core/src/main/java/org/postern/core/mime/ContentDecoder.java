// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import java.util.Arrays;
import java.util.Locale;

/**
 * Removes a Content-Transfer-Encoding (RFC 2045 §6). Decoding is tolerant: base64 skips anything
 * outside its alphabet and restarts after padding (concatenated encodings), quoted-printable keeps
 * malformed {@code =} sequences literally. The output is never longer than the input; unknown
 * encodings (x-uuencode and friends) are returned as they are.
 */
public final class ContentDecoder {
    private static final byte[] B64 = new byte[128];

    static {
        Arrays.fill(B64, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) B64[alphabet.charAt(i)] = (byte) i;
    }

    private ContentDecoder() {}

    public static byte[] decode(byte[] body, String transferEncoding) {
        return decode(body, 0, body.length, transferEncoding);
    }

    /** Decodes {@code body[off, off + len)}, so a part is decoded straight from the message bytes. */
    public static byte[] decode(byte[] body, int off, int len, String transferEncoding) {
        String enc = transferEncoding == null ? "" : transferEncoding.strip().toLowerCase(Locale.ROOT);
        return switch (enc) {
            case "base64" -> base64(body, off, len);
            case "quoted-printable" -> quotedPrintable(body, off, len);
            default -> Arrays.copyOfRange(body, off, off + len);
        };
    }

    static byte[] base64(byte[] in, int off, int len) {
        byte[] out = new byte[len / 4 * 3 + 3];
        int n = 0;
        int acc = 0;
        int bits = 0;
        for (int i = off; i < off + len; i++) {
            int c = in[i] & 0xff;
            if (c == '=') {
                // End of one encoding; a later one may follow (RFC 2045 §6.8 says stop, mail disagrees).
                acc = 0;
                bits = 0;
                continue;
            }
            int v = c < 128 ? B64[c] : -1;
            if (v < 0) continue;
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[n++] = (byte) (acc >> bits);
                acc &= (1 << bits) - 1;
            }
        }
        return Arrays.copyOf(out, n);
    }

    static byte[] quotedPrintable(byte[] in, int off, int len) {
        byte[] out = new byte[len];
        int n = 0;
        int end = off + len;
        int i = off;
        while (i < end) {
            byte c = in[i];
            if (c == '=') {
                if (i + 2 < end && hex(in, i + 1) >= 0 && hex(in, i + 2) >= 0) {
                    out[n++] = (byte) (hex(in, i + 1) * 16 + hex(in, i + 2));
                    i += 3;
                    continue;
                }
                // RFC 2045 §6.7 rule 5: "=" then optional padding then a line end is a soft break.
                int j = i + 1;
                while (j < end && (in[j] == ' ' || in[j] == '\t')) j++;
                if (j == end) {
                    i = end;
                    continue;
                }
                if (in[j] == '\n') {
                    i = j + 1;
                    continue;
                }
                if (in[j] == '\r' && j + 1 < end && in[j + 1] == '\n') {
                    i = j + 2;
                    continue;
                }
                out[n++] = c;
                i++;
            } else if (c == ' ' || c == '\t') {
                // Rule 3: white space at the end of an encoded line was added in transport; drop it.
                int j = i;
                while (j < end && (in[j] == ' ' || in[j] == '\t')) j++;
                boolean eol = j == end || in[j] == '\n' || (in[j] == '\r' && j + 1 < end && in[j + 1] == '\n');
                if (!eol) {
                    System.arraycopy(in, i, out, n, j - i);
                    n += j - i;
                }
                i = j;
            } else {
                out[n++] = c;
                i++;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static int hex(byte[] in, int i) {
        return ParameterParser.hex((char) (in[i] & 0xff));
    }
}
