// SPDX-License-Identifier: Apache-2.0
package org.postern.it.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import org.postern.store.MessageRecord;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/** Opening moves shared by the hostile batteries, and the store-side oracles they check against. */
final class Sessions {
    private static final Pattern SMTP_LAST = Pattern.compile("^\\d{3}(?: .*)?$");

    private Sessions() {}

    /** Connected and greeted with EHLO; {@code implicitTls} for port 465. */
    static RawClient smtp(TestServer server, int port, boolean implicitTls) throws IOException {
        RawClient c = RawClient.connect(server.host(), port, implicitTls ? server.sslContext() : null);
        try {
            // Port 25 answers a client that talks first with 554 (HOSTILE A14), so wait for the greeting.
            c.expect("220 ");
            c.send("EHLO client.example");
            List<String> ehlo = smtpReply(c);
            if (!ehlo.getLast().startsWith("250 ")) throw new AssertionError("EHLO refused: " + c.transcript());
            return c;
        } catch (IOException | RuntimeException | AssertionError e) {
            c.close();
            throw e;
        }
    }

    /** Port 587 after STARTTLS and AUTH PLAIN, or port 465 after AUTH PLAIN. */
    static RawClient submission(TestServer server, int port, String user, String password) throws IOException {
        boolean implicit = port == server.submissionsPort();
        RawClient c = smtp(server, port, implicit);
        try {
            if (!implicit) {
                c.send("STARTTLS");
                c.expect("220 ");
                c.startTls(server.sslContext());
                c.send("EHLO client.example");
                smtpReply(c);
            }
            c.send("AUTH PLAIN " + plain("", user, password));
            c.expect("235 ");
            return c;
        } catch (IOException | RuntimeException | AssertionError e) {
            c.close();
            throw e;
        }
    }

    /** All lines of one SMTP reply (RFC 5321 §4.2.1: "ddd-" continues, "ddd " or "ddd" ends). */
    static List<String> smtpReply(RawClient c) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String line = c.readLine();
            if (line == null) throw new AssertionError("closed inside a reply: " + String.join("\n", c.transcript()));
            lines.add(line);
            if (SMTP_LAST.matcher(line).matches()) return lines;
        }
        throw new AssertionError("reply longer than 1000 lines");
    }

    /** The code of the next SMTP reply, or 0 when the server closed the connection instead. */
    static int smtpCode(RawClient c) throws IOException {
        String line;
        do {
            line = c.readLine();
            if (line == null) return 0;
        } while (!SMTP_LAST.matcher(line).matches());
        return Integer.parseInt(line.substring(0, 3));
    }

    /** Reads until the server closes, at most {@code max} lines; returns them. */
    static List<String> drain(RawClient c, int max) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            String line = c.readLine();
            if (line == null) return lines;
            lines.add(line);
        }
        throw new AssertionError("server kept talking: " + String.join("\n", c.transcript()));
    }

    /** RFC 4616 §2 message, base64 (RFC 4954 §4 initial response). */
    static String plain(String authzid, String authcid, String password) {
        return Base64.getEncoder().encodeToString((authzid + "\0" + authcid + "\0" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The messages in the INBOX of {@code address}, straight from the store. */
    static List<MessageRecord> inbox(TestServer server, String address) {
        var store = server.store();
        long id = store.directory().account(address).orElseThrow(() -> new AssertionError("no account " + address)).id();
        var box = store.mailboxes().find(id, "INBOX").orElseThrow(() -> new AssertionError("no INBOX for " + address));
        return store.mailboxes().snapshot(id, box.id()).messages();
    }

    static int inboxCount(TestServer server, String address) {
        return inbox(server, address).size();
    }

    static String text(TestServer server, MessageRecord m) {
        try (InputStream in = server.store().blobs().open(m.blobId())) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls {@code condition} until it holds or {@code limit} passes; never sleeps longer than 20 ms at a time. */
    static boolean within(Duration limit, Check condition) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (true) {
            if (condition.holds()) return true;
            if (System.nanoTime() - end > 0) return false;
            Thread.sleep(20);
        }
    }

    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }
}
