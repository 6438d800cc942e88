// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.smtp.client.RecipientResult;
import org.postern.smtp.client.RecipientResult.Outcome;

/** RFC 8621 §7 DeliveryStatus from one attempt's result. */
class SubmissionStatusTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new RecipientResult("a@x", Outcome.DELIVERED, "2.0.0", "250 2.0.0 Ok: queued as 1", "mx", true),
                        false, "unknown", "250 2.0.0 Ok: queued as 1"),
                Arguments.of(new RecipientResult("a@x", Outcome.PERMANENT, "5.1.1", "550 5.1.1 No such user", "mx", true),
                        false, "no", "550 5.1.1 No such user"),
                Arguments.of(new RecipientResult("a@x", Outcome.TEMPORARY, "4.2.2", "452 4.2.2 Mailbox full", "mx", true),
                        false, "queued", "452 4.2.2 Mailbox full"),
                // A reply without an enhanced code is still the server's own words.
                Arguments.of(new RecipientResult("a@x", Outcome.PERMANENT, "5.0.0", "554 go away", "mx", true),
                        false, "no", "554 go away"),
                // No server answered: the §7 synthetic form.
                Arguments.of(new RecipientResult("a@x", Outcome.TEMPORARY, "4.4.1", "connection refused", "", false),
                        false, "queued", "451 4.4.1 connection refused"),
                Arguments.of(new RecipientResult("a@x", Outcome.PERMANENT, "5.1.2", "no such domain", "", false),
                        false, "no", "550 5.1.2 no such domain"),
                Arguments.of(new RecipientResult("a@x", Outcome.PERMANENT, "4.4.7", "delivery time expired", "", false),
                        false, "no", "550 5.4.7 delivery time expired"),
                // A failure whose DSN could not be stored stays queued.
                Arguments.of(new RecipientResult("a@x", Outcome.PERMANENT, "5.1.1", "550 5.1.1 No such user", "mx", true),
                        true, "queued", "550 5.1.1 No such user"),
                // Hostile: an empty or malformed status, a "reply" that is not one.
                Arguments.of(new RecipientResult("a@x", Outcome.TEMPORARY, "", "", "", false), false, "queued",
                        "451 4.0.0 no details"),
                Arguments.of(new RecipientResult("a@x", Outcome.PERMANENT, "x.y.z\r\n", "garbage\r\nmore", "mx", true),
                        false, "no", "550 5.0.0 garbage  more"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void statusOfOneResult(RecipientResult r, boolean stillQueued, String delivered, String reply) {
        var d = SubmissionStatus.of(r, stillQueued);
        assertThat(d.recipient()).isEqualTo("a@x");
        assertThat(d.delivered()).isEqualTo(delivered);
        assertThat(d.smtpReply()).isEqualTo(reply);
    }
}
