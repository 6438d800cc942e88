// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Messages of an mbox file (as gen_mbox.py writes them), each converted to CRLF line ends as IMAP
 * APPEND and SMTP need. The "From " separator lines are dropped; ">From " quoting is left as it is,
 * the same bytes go to every server.
 */
final class Mbox {
    /** Larger than gen_mbox.py's 300-message default by far, small enough to hold in memory. */
    static final long MAX_FILE = 2L << 30;

    private Mbox() {}

    static List<byte[]> read(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE) throw new IOException(file + " is larger than " + MAX_FILE + " bytes");
        return split(Files.readAllBytes(file));
    }

    static List<byte[]> split(byte[] data) {
        List<byte[]> messages = new ArrayList<>();
        ByteArrayOutputStream cur = null;
        int i = 0;
        while (i < data.length) {
            int nl = i;
            while (nl < data.length && data[nl] != '\n') nl++;
            int end = nl > i && data[nl - 1] == '\r' ? nl - 1 : nl;
            boolean separator = end - i >= 5 && data[i] == 'F' && data[i + 1] == 'r' && data[i + 2] == 'o'
                    && data[i + 3] == 'm' && data[i + 4] == ' ';
            if (separator) {
                if (cur != null) messages.add(trimTrailingBlank(cur.toByteArray()));
                cur = new ByteArrayOutputStream();
            } else if (cur != null) {
                cur.write(data, i, end - i);
                cur.write('\r');
                cur.write('\n');
            }
            i = nl + 1;
        }
        if (cur != null) messages.add(trimTrailingBlank(cur.toByteArray()));
        return messages;
    }

    /** mbox puts an empty line before the next "From "; it is not part of the message. */
    private static byte[] trimTrailingBlank(byte[] m) {
        int n = m.length;
        if (n >= 4 && m[n - 4] == '\r' && m[n - 3] == '\n' && m[n - 2] == '\r' && m[n - 1] == '\n') {
            return java.util.Arrays.copyOf(m, n - 2);
        }
        return m;
    }
}
