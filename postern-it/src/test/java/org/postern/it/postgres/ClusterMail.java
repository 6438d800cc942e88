// SPDX-License-Identifier: Apache-2.0
package org.postern.it.postgres;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/** Mail into a node of a cluster test the way another MTA sends it: port 25, one recipient, 250 or failure. */
final class ClusterMail {
    private static final Pattern SMTP_LAST = Pattern.compile("^\\d{3}(?: .*)?$");

    private ClusterMail() {}

    /** Returns once the node answered 250 to the final dot. */
    static void deliver(TestServer node, String to, String subject, String body) throws IOException {
        try (RawClient mx = RawClient.connect(node.host(), node.smtpPort())) {
            mx.expect("220 ");
            mx.send("EHLO client.example");
            reply(mx, "250");
            mx.send("MAIL FROM:<sender@sender.example>");
            reply(mx, "250");
            mx.send("RCPT TO:<" + to + ">");
            reply(mx, "250");
            mx.send("DATA");
            reply(mx, "354");
            mx.sendRaw("From: <sender@sender.example>\r\nTo: <" + to + ">\r\nSubject: " + subject + "\r\nMessage-ID: <"
                    + System.nanoTime() + "@sender.example>\r\n\r\n" + body + "\r\n.\r\n");
            reply(mx, "250");
            mx.send("QUIT");
        }
    }

    private static void reply(RawClient c, String code) throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = c.readLine();
            if (line == null) throw new AssertionError("connection closed: " + c.transcript());
            lines.add(line);
        } while (!SMTP_LAST.matcher(line).matches());
        if (!line.startsWith(code)) throw new AssertionError("expected " + code + " but got " + lines + ": " + c.transcript());
    }
}
