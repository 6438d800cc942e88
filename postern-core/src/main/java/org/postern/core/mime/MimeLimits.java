// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

/**
 * Caps applied while parsing one message (HOSTILE.md "suggested hard limits"; Dovecot's
 * message-parser defaults). Header caps apply per header block, so a message of many parts keeps
 * every part's Content-Type.
 *
 * @param maxDepth deepest nesting of multipart and message/rfc822 parts; deeper structure is opaque
 * @param maxParts parts in the whole message, the root included
 * @param maxHeaderBytes bytes of one header block from which fields are recorded
 * @param maxHeaders fields recorded per header block
 */
public record MimeLimits(int maxDepth, int maxParts, int maxHeaderBytes, int maxHeaders) {
    public static final MimeLimits DEFAULT = new MimeLimits(100, 10_000, 1 << 20, 10_000);

    public MimeLimits {
        if (maxDepth < 0 || maxParts < 1 || maxHeaderBytes < 0 || maxHeaders < 0) {
            throw new IllegalArgumentException("negative MIME limit");
        }
    }
}
