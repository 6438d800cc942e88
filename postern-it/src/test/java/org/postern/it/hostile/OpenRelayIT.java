// SPDX-License-Identifier: Apache-2.0
package org.postern.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * HOSTILE A15/A16, C1 "open relay": address forms that older MTAs routed onwards (% hack, bang paths,
 * source routes, quoted and doubled @, IP literals, trailing dots). On port 25 a stranger may only
 * reach existing local users; on 587/465 an authenticated user may send anywhere (RFC 6409), but only
 * as themselves, and a routing trick never lands in a local mailbox the address does not name.
 *
 * <p>Oracles: the reply code, the outbound queue in the store, and every local INBOX.
 */
class OpenRelayIT {
    private static final String ALICE = "alice@example.test";
    private static final String BOB = "bob@example.test";
    private static final String ALICE_PW = "alice-pw-relay";
    static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        server = TestServer.start();
        server.createUser(ALICE, ALICE_PW);
        server.createUser(BOB, "bob-pw-relay");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * {the text between RCPT TO: and the line end, the local user it may name (null: none)}. A form
     * naming a user may be refused or delivered to that user; any other form must be refused.
     */
    static Stream<Arguments> forms() {
        return Stream.of(
                form("<victim@external.example>", null),
                form("<VICTIM@EXTERNAL.EXAMPLE>", null),
                form("<victim@external.example.>", null),
                form("<victim%external.example@example.test>", null),
                form("<bob%external.example@example.test>", null),
                form("<\"victim%external.example\"@example.test>", null),
                form("<@example.test,@hop.example:victim@external.example>", null),
                form("<@hop.example:victim@external.example>", null),
                form("<external.example!victim@example.test>", null),
                form("<external.example!bob@example.test>", null),
                form("<external.example!victim>", null),
                form("<\"victim@external.example\"@example.test>", null),
                form("<\"bob@example.test\"@external.example>", null),
                form("<victim@external.example@example.test>", null),
                form("<victim\\@external.example@example.test>", null),
                form("<victim@[1.2.3.4]>", null),
                form("<victim@[1.2.3.4]@example.test>", null),
                form("<victim@[127.0.0.1]>", null),
                form("<victim@[IPv6:::1]>", null),
                form("<victim@localhost>", null),
                form("<victim@sub.example.test>", null),
                form("<victim@example.test.external.example>", null),
                form("<victim@example.test>", null),
                form("<victim@external.example>   ", null),
                form(" <victim@external.example>", null),
                form("victim@external.example", null),
                form("<victim@exämple.test>", null),
                form("<victim@xn--exmple-cua.test>", null),
                form("<vïctim@external.example>", null),
                form("<victim@external.example%example.test>", null),
                form("<postmaster@external.example>", null),
                form("<bob@external.example>", null),
                // Forms that do name a local user: refusal is allowed, delivery only to that user.
                form("<bob@example.test>", BOB),
                form("<BOB@EXAMPLE.TEST>", BOB),
                form("<bob@example.test.>", BOB),
                form("<\"bob\"@example.test>", BOB),
                form("<@hop.example:bob@example.test>", BOB),
                form("<bob@[127.0.0.1]>", BOB));
    }

    private static Arguments form(String rcpt, String owner) {
        return Arguments.of(rcpt, owner);
    }

    @ParameterizedTest(name = "port 25: RCPT TO:{0}")
    @MethodSource("forms")
    void strangerReachesOnlyLocalUsersOnPort25(String rcpt, String owner) throws Exception {
        int queued = server.store().queue().list().size();
        String marker = "probe-" + UUID.randomUUID();
        int code;
        try (RawClient c = Sessions.smtp(server, server.smtpPort(), false)) {
            c.send("MAIL FROM:<someone@sender.example>");
            c.expect("250 ");
            c.send("RCPT TO:" + rcpt);
            code = Sessions.smtpCode(c);
            if (code / 100 == 2) send(c, marker);
        }
        if (owner == null) assertThat(code).as("RCPT TO:%s", rcpt).isBetween(500, 599);
        assertThat(server.store().queue().list()).as("queued for RCPT TO:%s", rcpt).hasSize(queued);
        // Port 25 has nowhere else to put accepted mail: it must be the owner's.
        assertOnlyOwnerGotMail(marker, owner, code / 100 == 2, rcpt);
    }

    /** RFC 6409 §6.1 / A16: the authenticated user may not claim another sender. */
    static Stream<Arguments> foreignSenders() {
        List<Arguments> out = new ArrayList<>();
        for (String port : List.of("587", "465")) {
            for (String from : List.of(BOB, "ceo@example.test", "victim@external.example", "alice@external.example",
                    "alice%external.example@example.test", "\"alice@example.test\"@external.example",
                    "bob@EXAMPLE.TEST", "@hop.example:bob@example.test")) {
                out.add(Arguments.of(port, from));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: MAIL FROM:<{1}> as alice")
    @MethodSource("foreignSenders")
    void authenticatedUserCannotSendAsSomeoneElse(String port, String from) throws Exception {
        try (RawClient c = Sessions.submission(server, port(port), ALICE, ALICE_PW)) {
            c.send("MAIL FROM:<" + from + ">");
            String reply = Sessions.smtpReply(c).getLast();
            assertThat(reply).as("MAIL FROM:<%s>", from).matches("55[03] .*");
            // Control: the same session may send as alice herself.
            c.send("MAIL FROM:<" + ALICE + ">");
            c.expect("250 ");
        }
    }

    static Stream<Arguments> submissionForms() {
        return forms().flatMap(a -> Stream.of(Arguments.of("587", a.get()[0], a.get()[1]),
                Arguments.of("465", a.get()[0], a.get()[1])));
    }

    /** Submission may relay, but % and ! tricks must never be delivered to a local mailbox they don't name. */
    @ParameterizedTest(name = "{0} as alice: RCPT TO:{1}")
    @MethodSource("submissionForms")
    void routingTricksNeverReachTheWrongLocalMailbox(String port, String rcpt, String owner) throws Exception {
        String marker = "probe-" + UUID.randomUUID();
        int code;
        try (RawClient c = Sessions.submission(server, port(port), ALICE, ALICE_PW)) {
            c.send("MAIL FROM:<" + ALICE + ">");
            c.expect("250 ");
            c.send("RCPT TO:" + rcpt);
            code = Sessions.smtpCode(c);
            if (code / 100 == 2) send(c, marker);
        }
        // Accepted mail went to the user the form names or out through the queue, never to anyone else.
        assertOnlyOwnerGotMail(marker, owner, false, rcpt);
        // A local-domain address that names no user is unknown here, not something to pass on.
        if (owner == null && rcpt.matches("<[^@]*@example\\.test>")) assertThat(code).isBetween(500, 599);
    }

    private int port(String name) {
        return name.equals("465") ? server.submissionsPort() : server.submissionPort();
    }

    private static void send(RawClient c, String marker) throws IOException {
        c.send("DATA");
        if (Sessions.smtpCode(c) != 354) return;
        c.sendRaw("From: " + ALICE + "\r\nSubject: relay probe\r\n\r\n" + marker + "\r\n.\r\n");
        Sessions.smtpCode(c);
        c.send("QUIT");
    }

    /**
     * Copies of this probe in each local INBOX. Bounces are not copies: relayed probes to unreachable
     * domains come back to the sender as DSNs (RFC 3464 multipart/report), which is correct.
     */
    private static Map<String, Long> copies(String marker) {
        return Map.of(ALICE, copies(ALICE, marker), BOB, copies(BOB, marker));
    }

    private static long copies(String user, String marker) {
        return Sessions.inbox(server, user).stream().map(m -> Sessions.text(server, m))
                .filter(t -> t.contains(marker) && !t.contains("multipart/report")).count();
    }

    private static void assertOnlyOwnerGotMail(String marker, String owner, boolean ownerMust, String rcpt) {
        copies(marker).forEach((user, n) -> {
            if (user.equals(owner)) {
                assertThat(n).as("%s's copies after RCPT TO:%s", user, rcpt).isBetween(ownerMust ? 1L : 0L, 1L);
            } else {
                assertThat(n).as("%s's copies after RCPT TO:%s", user, rcpt).isZero();
            }
        });
    }
}
