// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.postern.core.mime.MessageParser;
import org.postern.core.mime.MimeMessage;

/** RFC 8621 §7 envelope rules and §7.5 Bcc removal, as tables. */
class SubmissionEnvelopeTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static MimeMessage msg(String headers) {
        return MessageParser.parse((headers.replace("|", "\r\n") + "\r\nbody\r\n").getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '#', value = {
        "From only#From: A <a@x.test>|To: b@y.test|#a@x.test#b@y.test",
        "Sender, when allowed#From: b@x.test|Sender: a@x.test|To: b@y.test|#a@x.test#b@y.test",
        "not the identity's: identity used#From: other@x.test|To: b@y.test|#a@x.test#b@y.test",
        "no From: identity#To: b@y.test|#a@x.test#b@y.test",
        "To Cc Bcc deduplicated#From: a@x.test|To: b@y.test, B@Y.test|Cc: c@y.test|Bcc: b@y.test, d@z.test|#a@x.test#b@y.test c@y.test d@z.test",
        "groups and display names#From: a@x.test|To: Team: b@y.test, \"C, D\" <c@y.test>;|#a@x.test#b@y.test c@y.test",
        "no recipients#From: a@x.test|#a@x.test#",
    })
    void derived(String name, String headers, String mailFrom, String rcpts) throws Exception {
        SubmissionEnvelope.Envelope e = SubmissionEnvelope.derive(msg(headers), "a@x.test");
        assertThat(e.mailFrom()).isEqualTo(mailFrom);
        assertThat(e.rcptTo()).isEqualTo(rcpts == null ? List.of() : List.of(rcpts.split(" ")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "two From fields;From: a@x.test|From: a@x.test|To: b@y.test|;from",
        "two From addresses;From: a@x.test, c@x.test|To: b@y.test|;from",
        "two Sender fields;Sender: a@x.test|Sender: a@x.test|From: a@x.test|;sender",
        "unreadable Sender;Sender: <<<|From: a@x.test|;sender",
    })
    void invalidEmail(String name, String headers, String property) {
        assertThatThrownBy(() -> SubmissionEnvelope.derive(msg(headers), "a@x.test"))
                .isInstanceOfSatisfying(SubmissionEnvelope.Invalid.class, e -> {
                    assertThat(e.type).isEqualTo("invalidEmail");
                    assertThat(e.property).isEqualTo(property);
                });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "not an object;[];envelope",
        "unknown property;{\"mailFrom\":{\"email\":\"a@x.test\"},\"rcptTo\":[],\"x\":1};envelope",
        "no mailFrom;{\"rcptTo\":[]};envelope/mailFrom",
        "mailFrom without email;{\"mailFrom\":{},\"rcptTo\":[]};envelope/mailFrom",
        "email not a string;{\"mailFrom\":{\"email\":5},\"rcptTo\":[]};envelope/mailFrom",
        "unsupported MAIL parameter;{\"mailFrom\":{\"email\":\"a@x.test\",\"parameters\":{\"MT-PRIORITY\":\"3\"}},\"rcptTo\":[]};envelope/mailFrom",
        "HOLDFOR not digits;{\"mailFrom\":{\"email\":\"a@x.test\",\"parameters\":{\"HOLDFOR\":\"1h\"}},\"rcptTo\":[]};envelope/mailFrom",
        "HOLDFOR too long;{\"mailFrom\":{\"email\":\"a@x.test\",\"parameters\":{\"HOLDFOR\":\"1000000000\"}},\"rcptTo\":[]};envelope/mailFrom",
        "HOLDUNTIL no zone;{\"mailFrom\":{\"email\":\"a@x.test\",\"parameters\":{\"HOLDUNTIL\":\"2030-01-01T00:00:00\"}},\"rcptTo\":[]};envelope/mailFrom",
        "both holds;{\"mailFrom\":{\"email\":\"a@x.test\",\"parameters\":{\"HOLDFOR\":\"5\",\"holduntil\":\"2030-01-01T00:00:00Z\"}},\"rcptTo\":[]};envelope/mailFrom",
        "bad RET;{\"mailFrom\":{\"email\":\"a@x.test\",\"parameters\":{\"RET\":\"ALL\"}},\"rcptTo\":[]};envelope/mailFrom",
        "RET without value;{\"mailFrom\":{\"email\":\"a@x.test\",\"parameters\":{\"RET\":null}},\"rcptTo\":[]};envelope/mailFrom",
        "ENVID too long;{\"mailFrom\":{\"email\":\"a@x.test\",\"parameters\":{\"ENVID\":\"%s\"}},\"rcptTo\":[]};envelope/mailFrom",
        "ENVID bad xtext;{\"mailFrom\":{\"email\":\"a@x.test\",\"parameters\":{\"ENVID\":\"a+2\"}},\"rcptTo\":[]};envelope/mailFrom",
        "parameters not an object;{\"mailFrom\":{\"email\":\"a@x.test\",\"parameters\":[]},\"rcptTo\":[]};envelope/mailFrom",
        "NOTIFY NEVER combined;{\"mailFrom\":{\"email\":\"a@x.test\"},\"rcptTo\":[{\"email\":\"b@y.test\",\"parameters\":{\"NOTIFY\":\"NEVER,SUCCESS\"}}]};envelope/rcptTo",
        "NOTIFY unknown;{\"mailFrom\":{\"email\":\"a@x.test\"},\"rcptTo\":[{\"email\":\"b@y.test\",\"parameters\":{\"NOTIFY\":\"ALWAYS\"}}]};envelope/rcptTo",
        "ORCPT without type;{\"mailFrom\":{\"email\":\"a@x.test\"},\"rcptTo\":[{\"email\":\"b@y.test\",\"parameters\":{\"ORCPT\":\"b@y.test\"}}]};envelope/rcptTo",
        "unsupported RCPT parameter;{\"mailFrom\":{\"email\":\"a@x.test\"},\"rcptTo\":[{\"email\":\"b@y.test\",\"parameters\":{\"RRVS\":\"2026-01-01T00:00:00Z\"}}]};envelope/rcptTo",
        "rcptTo not an array;{\"mailFrom\":{\"email\":\"a@x.test\"},\"rcptTo\":{}};envelope/rcptTo",
        "rcptTo entry not an object;{\"mailFrom\":{\"email\":\"a@x.test\"},\"rcptTo\":[\"b@y.test\"]};envelope/rcptTo",
    })
    void badEnvelope(String name, String json, String property) {
        assertThatThrownBy(() -> SubmissionEnvelope.parse(JSON.readTree(json.replace("%s", "x".repeat(101)))))
                .isInstanceOfSatisfying(SubmissionEnvelope.Invalid.class, e -> {
                    assertThat(e.type).isEqualTo("invalidProperties");
                    assertThat(e.property).isEqualTo(property);
                });
    }

    @Test
    void givenEnvelopeKeepsEmptySenderAndDedupes() throws Exception {
        SubmissionEnvelope.Envelope e = SubmissionEnvelope.parse(JSON.readTree(
                "{\"mailFrom\":{\"email\":\"\",\"parameters\":null},\"rcptTo\":[{\"email\":\"b@y.test\"},{\"email\":\"B@y.test\",\"parameters\":{}}]}"));
        assertThat(e.mailFrom()).isEmpty();
        assertThat(e.rcptTo()).containsExactly("b@y.test");
    }

    @Test
    void dsnParametersAreReadAsRfc3461SaysAndKeptWithTheirRecipient() throws Exception {
        // RFC 8621 §7 Address "parameters"; RFC 3461 §4.1-§4.4 values (xtext decoded).
        SubmissionEnvelope.Envelope e = SubmissionEnvelope.parse(JSON.readTree("{\"mailFrom\":{\"email\":\"a@x.test\","
                + "\"parameters\":{\"RET\":\"hdrs\",\"ENVID\":\"QQ314159+2Bx\"}},\"rcptTo\":["
                + "{\"email\":\"b@y.test\",\"parameters\":{\"NOTIFY\":\"delay,SUCCESS\",\"ORCPT\":\"rfc822;b+2Bold@y.test\"}},"
                + "{\"email\":\"c@y.test\",\"parameters\":{\"notify\":\"NEVER\"}},"
                + "{\"email\":\"B@Y.test\",\"parameters\":{\"NOTIFY\":\"FAILURE\"}},"
                + "{\"email\":\"d@y.test\"}]}"));
        assertThat(e.options().ret()).isEqualTo("HDRS");
        assertThat(e.options().envId()).isEqualTo("QQ314159+x");
        assertThat(e.rcptTo()).containsExactly("b@y.test", "c@y.test", "d@y.test");
        assertThat(e.rcptOptions().get(0).notifyOn()).isEqualTo("SUCCESS,DELAY");
        assertThat(e.rcptOptions().get(0).orcptType()).isEqualTo("rfc822");
        assertThat(e.rcptOptions().get(0).orcpt()).isEqualTo("b+old@y.test");
        assertThat(e.rcptOptions().get(1).notifyOn()).isEqualTo("NEVER");
        assertThat(e.rcptOptions().get(2)).isEqualTo(org.postern.store.Intake.RecipientOptions.NONE);
    }

    @Test
    void bccAndReturnPathAreRemovedFoldingIncluded() {
        MimeMessage m = msg("Return-Path: <a@x.test>|From: a@x.test|Bcc: secret@z.test,|  other@z.test|To: b@y.test|bcc: x@z.test|");
        String out = new String(SubmissionEnvelope.forSending(m), StandardCharsets.UTF_8);
        assertThat(out).isEqualTo("From: a@x.test\r\nTo: b@y.test\r\n\r\nbody\r\n");
        MimeMessage plain = msg("From: a@x.test|To: b@y.test|");
        assertThat(SubmissionEnvelope.forSending(plain)).isSameAs(plain.raw());
    }
}
