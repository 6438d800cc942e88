// SPDX-License-Identifier: Apache-2.0
package org.postern.it.mailauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.dns.DnsjavaResolver;
import org.postern.mailauth.HeaderSection;
import org.postern.mailauth.dkim.DkimResult;
import org.postern.mailauth.dkim.DkimSignature;
import org.postern.mailauth.dkim.DkimSigner;
import org.postern.mailauth.dkim.DkimSigningKey;
import org.postern.mailauth.dkim.DkimVerifier;
import org.postern.server.config.OutboundConfig;
import org.postern.store.DkimKeyStore;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;
import org.postern.store.SpecialUse;
import org.postern.testkit.TestServer;
import org.postern.testkit.dns.FakeDns;

/**
 * Inbound SPF/DKIM/DMARC decided before "250" on port 25, with the sending domains described by a
 * FakeDns; and DKIM signing of submitted mail, checked against the published key. The sending
 * "internet" host is 127.0.0.2 (127.0.0.1 is this host itself, whose mail is not checked).
 */
class MailAuthIT {
    private static final String SENDER_IP = "127.0.0.2";
    private static FakeDns dns;
    private static TestServer server;
    private static DkimSigningKey goodKey;

    @BeforeAll
    static void start() throws IOException {
        dns = FakeDns.start();
        goodKey = DkimSigningKey.generate("good.test", "sel", DkimSignature.ED25519_SHA256);
        DkimSigningKey rejectKey = DkimSigningKey.generate("reject.test", "sel", DkimSignature.RSA_SHA256);
        dns.txt("good.test", "v=spf1 ip4:" + SENDER_IP + " -all").txt(goodKey.recordName(), goodKey.recordText())
                .txt("_dmarc.good.test", "v=DMARC1; p=reject");
        dns.txt("reject.test", "v=spf1 -all").txt(rejectKey.recordName(), String.join("", rejectKey.recordStrings()))
                .txt("_dmarc.reject.test", "v=DMARC1; p=reject");
        dns.txt("quarantine.test", "v=spf1 -all").txt("_dmarc.quarantine.test", "v=DMARC1; p=quarantine");
        server = TestServer.start(s -> s.withAllowPlaintextAuth(true)
                .withOutbound(OutboundConfig.defaults().forTests("127.0.0.1:" + dns.port(), 9)));
        server.createUser("bob@example.test", "bob-secret-1");
        server.createUser("alice@example.test", "alice-secret-1");
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (dns != null) dns.close();
    }

    private static String message(String from, String subject) {
        return "From: " + from + "\r\nTo: bob@example.test\r\nSubject: " + subject + "\r\nDate: Thu, 26 Nov 2026 12:00:00 +0000\r\n"
                + "Message-ID: <" + subject.replace(' ', '.') + "@mailauth.test>\r\n\r\nHello Bob.\r\n";
    }

    private static String signed(DkimSigningKey key, String message) throws Exception {
        int split = message.indexOf("\r\n\r\n");
        byte[] all = message.getBytes(StandardCharsets.ISO_8859_1);
        HeaderSection h = HeaderSection.parse(Arrays.copyOf(all, split + 2));
        return String.join("", DkimSigner.sign(List.of(key), h,
                new ByteArrayInputStream(all, split + 4, all.length - split - 4), Instant.now())) + message;
    }

    /** One SMTP transaction from 127.0.0.2; returns the reply to the end of data (or the first refusal). */
    private static String send(int port, String mailFrom, String rcpt, String data, String authPlain) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(SENDER_IP), 0));
            s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 5000);
            s.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            reply(in);
            out.write("EHLO sender.good.test\r\n".getBytes(StandardCharsets.US_ASCII));
            reply(in);
            if (authPlain != null) {
                out.write(("AUTH PLAIN " + authPlain + "\r\n").getBytes(StandardCharsets.US_ASCII));
                String r = reply(in);
                if (!r.startsWith("235")) return r;
            }
            for (String cmd : List.of("MAIL FROM:<" + mailFrom + ">", "RCPT TO:<" + rcpt + ">", "DATA")) {
                out.write((cmd + "\r\n").getBytes(StandardCharsets.US_ASCII));
                String r = reply(in);
                if (!r.startsWith("2") && !r.startsWith("354")) return r;
            }
            out.write((data + ".\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String r = reply(in);
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            return r;
        }
    }

    private static String reply(BufferedReader in) throws IOException {
        String line;
        StringBuilder all = new StringBuilder();
        do {
            line = in.readLine();
            if (line == null) throw new IOException("connection closed after: " + all);
            all.append(line).append('\n');
        } while (line.length() > 3 && line.charAt(3) == '-');
        return all.toString();
    }

    private static List<String> messages(String address, SpecialUse use) throws IOException {
        long id = server.store().directory().account(address).orElseThrow().id();
        Mailbox box = server.store().mailboxes().list(id).stream()
                .filter(m -> use == SpecialUse.NONE ? m.name().equals(Mailbox.INBOX) : m.specialUse() == use).findFirst().orElseThrow();
        List<String> out = new java.util.ArrayList<>();
        for (MessageRecord m : server.store().mailboxes().snapshot(id, box.id()).messages()) {
            try (InputStream in = server.store().blobs().open(m.blobId())) {
                out.add(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    private static String hostname() {
        return server.server().settings().hostname();
    }

    @Test
    void passingMailCarriesAuthenticationResultsAndForgeriesAreRemoved() throws Exception {
        String forged = "Authentication-Results: " + hostname() + "; dkim=pass header.d=paypal.test\r\n";
        String reply = send(server.smtpPort(), "news@good.test", "bob@example.test",
                forged + signed(goodKey, message("News <news@good.test>", "good news")), null);
        assertThat(reply).startsWith("250");
        String stored = messages("bob@example.test", SpecialUse.NONE).stream().filter(m -> m.contains("good news")).findFirst().orElseThrow();
        String ar = stored.substring(stored.indexOf("Authentication-Results: " + hostname() + ";"));
        ar = ar.substring(0, ar.indexOf("\r\nReceived:"));
        assertThat(ar).contains("spf=pass smtp.mailfrom=news@good.test").contains("dkim=pass").contains("header.d=good.test")
                .contains("dmarc=pass").contains("header.from=good.test");
        assertThat(stored).doesNotContain("paypal.test");
        assertThat(stored.indexOf("Authentication-Results:")).isEqualTo(stored.lastIndexOf("Authentication-Results:"));
    }

    @Test
    void dmarcRejectIsRefusedAtEndOfData() throws Exception {
        DkimSigningKey attacker = DkimSigningKey.generate("reject.test", "sel", DkimSignature.RSA_SHA256); // not the published key
        String reply = send(server.smtpPort(), "ceo@reject.test", "bob@example.test",
                signed(attacker, message("CEO <ceo@reject.test>", "wire money")), null);
        assertThat(reply).startsWith("550 5.7.1").contains("DMARC");
        assertThat(messages("bob@example.test", SpecialUse.NONE)).noneMatch(m -> m.contains("wire money"));
    }

    @Test
    void dmarcQuarantineLandsInJunk() throws Exception {
        String reply = send(server.smtpPort(), "promo@quarantine.test", "bob@example.test",
                message("Promo <promo@quarantine.test>", "cheap pills"), null);
        assertThat(reply).startsWith("250");
        assertThat(messages("bob@example.test", SpecialUse.NONE)).noneMatch(m -> m.contains("cheap pills"));
        assertThat(messages("bob@example.test", SpecialUse.JUNK)).anyMatch(m -> m.contains("cheap pills")
                && m.contains("spf=fail") && m.contains("dmarc=fail (p=quarantine dis=quarantine)"));
    }

    @Test
    void submittedMailIsSignedWithTheDomainKeys() throws Exception {
        DkimSigningKey rsa = DkimSigningKey.generate("example.test", "it-rsa", DkimSignature.RSA_SHA256);
        DkimSigningKey ed = DkimSigningKey.generate("example.test", "it-ed", DkimSignature.ED25519_SHA256);
        // Keys sign in the order they were created: rsa a second before ed, whatever the clock's resolution.
        Instant created = Instant.now().minusSeconds(2);
        for (DkimSigningKey k : List.of(rsa, ed)) {
            created = created.plusSeconds(1);
            server.store().dkimKeys().add(new DkimKeyStore.DkimKey(k.domain(), k.selector(), k.algorithm(), k.privateKeyPkcs8(),
                    k.publicKeySpki(), created));
            dns.txt(k.recordName(), k.recordText());
        }
        String auth = Base64.getEncoder().encodeToString("\0alice@example.test\0alice-secret-1".getBytes(StandardCharsets.UTF_8));
        String reply = send(server.submissionPort(), "alice@example.test", "bob@example.test",
                message("Alice <alice@example.test>", "signed by postern"), auth);
        assertThat(reply).startsWith("250");
        String stored = messages("bob@example.test", SpecialUse.NONE).stream().filter(m -> m.contains("signed by postern"))
                .findFirst().orElseThrow();
        int split = stored.indexOf("\r\n\r\n");
        byte[] all = stored.getBytes(StandardCharsets.ISO_8859_1);
        HeaderSection h = HeaderSection.parse(Arrays.copyOf(all, split + 2));
        List<DkimResult> results = new DkimVerifier(new DnsjavaResolver(dns.address(), Duration.ofSeconds(5)), java.time.Clock.systemUTC())
                .verify(h, new ByteArrayInputStream(all, split + 4, all.length - split - 4));
        assertThat(results).extracting(DkimResult::selector).containsExactly("it-rsa", "it-ed");
        assertThat(results).extracting(DkimResult::status).containsOnly(DkimResult.Status.PASS);
    }
}
