// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 3464 / RFC 6522 structure of the reports Postern sends. */
class DsnWriterTest {
    private static final Instant ARRIVAL = Instant.parse("2025-03-01T10:00:00Z");
    private static final Instant NOW = Instant.parse("2025-03-01T10:05:00Z");

    private static String write(DsnWriter.Kind kind, List<DsnWriter.Recipient> rcpts) {
        byte[] headers = "From: <alice@ours.test>\r\nSubject: hi\r\n".getBytes(StandardCharsets.US_ASCII);
        return new String(DsnWriter.write(new DsnWriter.Report(kind, "mx.ours.test", "alice@ours.test", ARRIVAL, NOW,
                ZoneOffset.UTC, "id1@mx.ours.test", "=_b1", rcpts, headers, ARRIVAL.plusSeconds(5 * 86400))),
                StandardCharsets.UTF_8);
    }

    @Test
    void failureReportHasTheThreeParts() {
        String dsn = write(DsnWriter.Kind.FAILURE, List.of(
                new DsnWriter.Recipient("bob@far.test", "5.1.1", "mx.far.test", "550 5.1.1 User unknown", true),
                new DsnWriter.Recipient("carol@gone.test", "5.1.10", "", "domain gone.test accepts no mail", false)));
        assertThat(dsn).startsWith("From: Mail Delivery System <MAILER-DAEMON@mx.ours.test>\r\nTo: <alice@ours.test>\r\n");
        assertThat(dsn).contains("Auto-Submitted: auto-replied\r\n")
                .contains("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"=_b1\"\r\n")
                .contains("\r\n--=_b1\r\nContent-Type: text/plain; charset=utf-8\r\n")
                .contains("\r\n--=_b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.ours.test\r\n"
                        + "Arrival-Date: Sat, 1 Mar 2025 10:00:00 +0000\r\n\r\n"
                        + "Final-Recipient: rfc822; bob@far.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
                        + "Remote-MTA: dns; mx.far.test\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n")
                .contains("Final-Recipient: rfc822; carol@gone.test\r\nAction: failed\r\nStatus: 5.1.10\r\n"
                        + "Diagnostic-Code: X-Postern; domain gone.test accepts no mail\r\n")
                .contains("\r\n--=_b1\r\nContent-Type: text/rfc822-headers\r\n")
                .contains("From: <alice@ours.test>\r\nSubject: hi\r\n")
                .endsWith("\r\n--=_b1--\r\n");
        assertThat(dsn.replace("\r\n", "")).doesNotContain("\r").doesNotContain("\n");
    }

    @Test
    void delayReportSaysWhenItGivesUp() {
        String dsn = write(DsnWriter.Kind.DELAY, List.of(
                new DsnWriter.Recipient("bob@far.test", "4.2.2", "mx.far.test", "452 4.2.2 Mailbox full", true)));
        assertThat(dsn).contains("Subject: Delayed Mail (still being retried)")
                .contains("Action: delayed\r\nStatus: 4.2.2\r\n")
                .contains("Will-Retry-Until: Thu, 6 Mar 2025 10:00:00 +0000\r\n");
    }

    @Test
    void hostileDiagnosticsCannotInjectFields() {
        String dsn = write(DsnWriter.Kind.FAILURE, List.of(
                new DsnWriter.Recipient("bob@far.test", "bogus", "mx\r\nX-Evil: 1", "550 x\r\nAction: delivered", true)));
        assertThat(dsn).doesNotContain("\r\nX-Evil").doesNotContain("\r\nAction: delivered").contains("Status: 5.0.0");
    }

    @Test
    void statusAgreesWithTheAction() {
        assertThat(DsnWriter.status("5.1.1", false)).isEqualTo("4.1.1");
        assertThat(DsnWriter.status("4.4.7", true)).isEqualTo("4.4.7");
        assertThat(DsnWriter.status("nonsense", false)).isEqualTo("4.0.0");
    }

    @Test
    void utf8RecipientsUseTheUtf8AddressType() {
        String dsn = write(DsnWriter.Kind.FAILURE, List.of(new DsnWriter.Recipient("jörg@far.test", "5.1.1", "", "x", false)));
        assertThat(dsn).contains("Final-Recipient: utf-8; jörg@far.test");
    }

    @Test
    void envelopeIdOriginalRecipientAndFullReturn() {
        byte[] headers = "Subject: hi\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] full = "Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        String dsn = new String(DsnWriter.write(new DsnWriter.Report(DsnWriter.Kind.FAILURE, "mx.ours.test", "alice@ours.test",
                ARRIVAL, NOW, ZoneOffset.UTC, "id@x", "=_b", List.of(new DsnWriter.Recipient("bob@far.test", "5.1.1", "",
                        "gone", false, "rfc822;Bob@far.test")), headers, ARRIVAL, "env\r\nX-Evil: 1", full)),
                StandardCharsets.UTF_8);
        assertThat(dsn).contains("Original-Envelope-Id: env  X-Evil: 1\r\n")
                .contains("\r\n\r\nOriginal-Recipient: rfc822;Bob@far.test\r\nFinal-Recipient: rfc822; bob@far.test\r\n")
                .contains("Content-Type: message/rfc822\r\n").contains("\r\n\r\nbody\r\n\r\n--=_b--\r\n");
    }

    @Test
    void successReportsSayRelayedOrDelivered() {
        String relayed = write(DsnWriter.Kind.RELAYED, List.of(new DsnWriter.Recipient("bob@far.test", "2.0.0", "mx.far.test",
                "250 ok", true)));
        assertThat(relayed).contains("Subject: Successful Mail Delivery Report").contains("Action: relayed\r\nStatus: 2.0.0")
                .doesNotContain("Will-Retry-Until");
        String delivered = write(DsnWriter.Kind.DELIVERED, List.of(new DsnWriter.Recipient("bob@ours.test", "5.1.1", "", "x",
                false)));
        assertThat(delivered).contains("Action: delivered\r\nStatus: 2.0.0");
    }
}
