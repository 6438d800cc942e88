// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.mime.MessageParser;
import org.postern.core.mime.MimeMessage;
import org.postern.core.mime.MimePart;

class WarmupTest {

    @Test
    void generatedMessagesAreValidMailOfEveryShape() {
        WarmupMessages gen = new WarmupMessages(42, "warmup@" + Warmup.DOMAIN);
        Set<String> shapes = new HashSet<>();
        int withoutDate = 0;
        int replies = 0;
        for (int i = 0; i < 600; i++) {
            byte[] raw = gen.message(i);
            String text = new String(raw, StandardCharsets.UTF_8);
            // RFC 5322 §2.1.1 / RFC 5321 §4.5.3.1.6: the SMTP round refuses longer lines; bare LF is not mail.
            for (String line : text.split("\r\n", -1)) {
                assertThat(line.length()).as("message %d line", i).isLessThanOrEqualTo(998);
                assertThat(line).doesNotContain("\n").doesNotContain("\r");
            }
            assertThat(text).endsWith("\r\n").contains("\r\n\r\n");
            MimeMessage m = MessageParser.parse(raw);
            shapes.add(shape(m.root()));
            if (!text.contains("\r\nDate: ")) withoutDate++;
            if (text.contains("\r\nIn-Reply-To: ")) replies++;
            assertThat(text).contains("Subject: ").contains("From: ");
        }
        assertThat(shapes).contains("text/plain", "text/html", "multipart/alternative[text/plain,text/html]",
                "multipart/mixed[multipart/alternative[text/plain,text/html],application/pdf]",
                "multipart/mixed[text/plain,message/rfc822]");
        assertThat(withoutDate).isPositive();
        assertThat(replies).isGreaterThan(50);
    }

    @Test
    void sameSeedSameMailbox() {
        assertThat(new WarmupMessages(7, "a@b.test").message(123)).isEqualTo(new WarmupMessages(7, "a@b.test").message(123));
    }

    private static String shape(MimePart p) {
        String t = p.contentType().mimeType();
        if (!p.isMultipart()) return t;
        StringBuilder b = new StringBuilder(t).append('[');
        for (int k = 0; k < p.children().size(); k++) b.append(k > 0 ? "," : "").append(shape(p.children().get(k)));
        return b.append(']').toString();
    }

    @Test
    void leftoversOfDeadProcessesGoOthersStay(@TempDir Path base) throws IOException {
        long dead = deadPid();
        Path deadOnes = Files.createDirectories(base.resolve(Warmup.PREFIX + dead + "-123"));
        Files.writeString(Files.createDirectories(deadOnes.resolve("blobs/ab")).resolve("x"), "mail");
        Path mine = Files.createDirectories(base.resolve(Warmup.PREFIX + ProcessHandle.current().pid() + "-9"));
        Path living = Files.createDirectories(base.resolve(Warmup.PREFIX + ProcessHandle.current().parent().orElseThrow().pid() + "-1"));
        Path unrelated = Files.createDirectories(base.resolve(Warmup.PREFIX + "notapid"));
        Path other = Files.createDirectories(base.resolve("postern-test-1"));
        Warmup.removeLeftovers(base);
        assertThat(deadOnes).doesNotExist();
        assertThat(mine).exists();
        assertThat(living).exists();
        assertThat(unrelated).exists();
        assertThat(other).exists();
    }

    @Test
    void leftoversInAMissingFolderAreNoError(@TempDir Path base) {
        Warmup.removeLeftovers(base.resolve("absent"));
    }

    /** A pid no process has now: above the kernel's pid_max, or one checked to be free. */
    private static long deadPid() {
        for (long p = 4_000_000; p < 4_100_000; p++) {
            if (ProcessHandle.of(p).isEmpty()) return p;
        }
        throw new IllegalStateException("no free pid found");
    }

    @Test
    void theBaseIsAWritableFolder() {
        Path base = Warmup.defaultBase();
        assertThat(base).isDirectory();
        assertThat(Files.isWritable(base)).isTrue();
    }
}
