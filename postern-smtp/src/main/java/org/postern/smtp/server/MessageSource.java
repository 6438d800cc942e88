// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The message content of one DATA, as the client sends it: dot-unstuffed, CRLF line ends, streamed
 * (never held in memory as a whole).
 */
public interface MessageSource {
    /**
     * Copies the content to {@code out} up to the end-of-data marker and returns the byte count.
     * Callable once.
     *
     * @throws IntakeException when the content breaks a rule (bare CR/LF, line or size limit, mail
     *     loop); the data has then been read to its real end and nothing more is written to out
     * @throws IOException when the client connection fails, or when {@code out} fails
     */
    long writeTo(OutputStream out) throws IOException, IntakeException;

    /**
     * The raw header section (up to the first empty line) as received, bounded
     * ({@link #MAX_HEADER_CAPTURE}); complete only after {@link #writeTo}.
     */
    byte[] headerBlock();

    /** True when the header section was longer than what {@link #headerBlock()} holds. */
    boolean headerBlockTruncated();

    int MAX_HEADER_CAPTURE = 64 * 1024;
}
