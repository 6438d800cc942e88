// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.MailAddress;
import org.postern.dns.DnsAnswer;
import org.postern.dns.DnsResolver;
import org.postern.dns.MxRecord;
import org.postern.mailauth.MailAuthCheck;
import org.postern.smtp.server.Envelope;
import org.postern.smtp.server.IntakeException;
import org.postern.smtp.server.MessageSource;
import org.postern.smtp.server.SessionInfo;
import org.postern.smtp.server.SmtpConfig;
import org.postern.smtp.wire.MailParameters;
import org.postern.store.sqlite.SqliteMailStore;

/** The inbound check inside the session: forged Authentication-Results, odd header sections, large messages. */
class MailAuthStepTest {
    static final String HOST = "mx.ours.example";

    @TempDir
    Path dataDir;
    SqliteMailStore store;
    MailAuthStep step;

    /** A DNS where every domain publishes p=reject and nothing else. */
    static final DnsResolver DNS = new DnsResolver() {
        @Override
        public DnsAnswer<MxRecord> mx(String domain) {
            return DnsAnswer.of(DnsAnswer.Status.NO_DOMAIN, "");
        }

        @Override
        public DnsAnswer<InetAddress> a(String host) {
            return DnsAnswer.of(DnsAnswer.Status.NO_DOMAIN, "");
        }

        @Override
        public DnsAnswer<InetAddress> aaaa(String host) {
            return DnsAnswer.of(DnsAnswer.Status.NO_DOMAIN, "");
        }

        @Override
        public DnsAnswer<String> txt(String name) {
            if (name.startsWith("_dmarc.reject.example")) return DnsAnswer.found(List.of("v=DMARC1; p=reject"));
            return DnsAnswer.of(DnsAnswer.Status.NO_DOMAIN, "");
        }
    };

    @BeforeEach
    void setUp() {
        store = SqliteMailStore.open(dataDir);
        step = new MailAuthStep(store, new MailAuthCheck(DNS, HOST, Clock.systemUTC()), Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    static SessionInfo session(String ip, SmtpConfig.Mode mode) throws IOException {
        return new SessionInfo("s1", mode, InetAddress.getByName(ip), "client.example", true, null, null, null, Instant.now());
    }

    static MessageSource source(byte[] content) {
        return new MessageSource() {
            @Override
            public long writeTo(OutputStream out) throws IOException {
                out.write(content);
                return content.length;
            }

            @Override
            public byte[] headerBlock() {
                int end = new String(content, StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
                return java.util.Arrays.copyOf(content, end < 0 ? Math.min(content.length, MAX_HEADER_CAPTURE) : end + 2);
            }

            @Override
            public boolean headerBlockTruncated() {
                return false;
            }
        };
    }

    static final Envelope ENVELOPE = new Envelope(MailAddress.parse("a@far.example").orElseThrow(), MailParameters.NONE,
            List.of(MailAddress.parse("bob@ours.example").orElseThrow()));

    private String stored(String message) throws Exception {
        try (MailAuthStep.Prepared p = step.prepare(session("127.0.0.2", SmtpConfig.Mode.MX), ENVELOPE,
                source(message.getBytes(StandardCharsets.ISO_8859_1)))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(p.authenticationResults());
            p.writeContent(out);
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void forgedResultsAreRemovedOthersKept() throws Exception {
        String in = "Authentication-Results: MX.ours.example; dkim=pass\r\nFrom: a@far.example\r\n"
                + "Authentication-Results: other.example; spf=pass\r\nAuthentication-Results: mx.ours.example;\r\n\tdmarc=pass\r\n"
                + "\r\nbody\r\n";
        String out = stored(in);
        assertThat(out).startsWith("Authentication-Results: mx.ours.example;\r\n\tspf=none");
        assertThat(out).endsWith("From: a@far.example\r\nAuthentication-Results: other.example; spf=pass\r\n\r\nbody\r\n");
        assertThat(out.split("Authentication-Results: mx.ours.example", -1)).hasSize(2);
    }

    @Test
    void oddHeaderSectionsPassThroughUnchanged() throws Exception {
        String headerOnly = "From: a@far.example\r\nSubject: no body";
        assertThat(stored(headerOnly)).endsWith("\tdmarc=none header.from=far.example\r\n" + headerOnly);
        String noHeader = "\r\njust a body\r\n";
        assertThat(stored(noHeader)).endsWith(noHeader);
        // an endless header section: nothing is rewritten, nothing is lost or repeated
        String huge = "Authentication-Results: mx.ours.example; forged\r\n" + "X-Pad: 0123456789012345678901234567890123456789\r\n".repeat(2000)
                + "\r\nbody\r\n";
        String out = stored(huge);
        assertThat(out).endsWith(huge);
        assertThat(out.length()).isLessThan(huge.length() + 1000);
    }

    @Test
    void dmarcRejectIsA550() {
        String in = "From: ceo@reject.example\r\nSubject: pay\r\n\r\nnow\r\n";
        assertThatThrownBy(() -> stored(in)).isInstanceOf(IntakeException.class)
                .satisfies(e -> assertThat(((IntakeException) e).reply().toString()).startsWith("550 5.7.1"));
    }

    @Test
    void largeMessagesSpillToADeletedTemporaryFile() throws Exception {
        String body = "line of body text that repeats itself\r\n".repeat(60_000);
        String in = "From: a@far.example\r\n\r\n" + body;
        long before;
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            before = files.filter(f -> f.getFileName().toString().startsWith("postern-spool")).count();
        }
        assertThat(stored(in)).endsWith(body);
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("postern-spool")).count()).isLessThanOrEqualTo(before);
        }
    }

    @Test
    void onlyThisHostIsTrusted() throws Exception {
        assertThat(MailAuthStep.fromThisHost(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(MailAuthStep.fromThisHost(InetAddress.getByName("::1"))).isTrue();
        assertThat(MailAuthStep.fromThisHost(InetAddress.getByName("127.0.0.2"))).isFalse();
        assertThat(step.applies(session("127.0.0.1", SmtpConfig.Mode.MX))).isFalse();
        assertThat(step.applies(session("192.0.2.1", SmtpConfig.Mode.MX))).isTrue();
        assertThat(step.applies(session("192.0.2.1", SmtpConfig.Mode.SUBMISSION))).isFalse(); // not authenticated
    }
}
