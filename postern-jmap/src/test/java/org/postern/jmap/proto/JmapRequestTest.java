// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** RFC 8620 §3.3 request shape and the §3.6.1 request-level errors, with the A62 hostile inputs. */
class JmapRequestTest {
    private static final JmapLimits LIMITS = JmapLimits.DEFAULT;
    private static final Json JSON = new Json(LIMITS);
    private static final Set<String> CAPS = Set.of("urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail");
    private static final String E = "urn:ietf:params:jmap:error:";

    static Stream<Arguments> bad() {
        return Stream.of(
                Arguments.of("not json", E + "notJSON"),
                Arguments.of("{\"using\":[], \"methodCalls\":[]", E + "notJSON"),
                Arguments.of("{} {}", E + "notJSON"),
                Arguments.of("{\"a\":1,\"a\":2}", E + "notJSON"),
                Arguments.of("[]", E + "notRequest"),
                Arguments.of("{}", E + "notRequest"),
                Arguments.of("{\"using\":\"urn:ietf:params:jmap:core\",\"methodCalls\":[]}", E + "notRequest"),
                Arguments.of("{\"using\":[1],\"methodCalls\":[]}", E + "notRequest"),
                Arguments.of("{\"using\":[],\"methodCalls\":[[\"Core/echo\",{}]]}", E + "notRequest"),
                Arguments.of("{\"using\":[],\"methodCalls\":[[\"Core/echo\",[],\"c\"]]}", E + "notRequest"),
                Arguments.of("{\"using\":[],\"methodCalls\":[[1,{},\"c\"]]}", E + "notRequest"),
                Arguments.of("{\"using\":[],\"methodCalls\":{}}", E + "notRequest"),
                Arguments.of("{\"using\":[],\"methodCalls\":[],\"createdIds\":[]}", E + "notRequest"),
                Arguments.of("{\"using\":[\"urn:x:nope\"],\"methodCalls\":[]}", E + "unknownCapability"),
                Arguments.of("[".repeat(100_000), E + "limit"),
                Arguments.of("{\"using\":[],\"methodCalls\":[],\"n\":1" + "0".repeat(5000) + "}", E + "limit"));
    }

    @ParameterizedTest
    @MethodSource("bad")
    void refusesWithTheRightType(String body, String type) {
        assertThatThrownBy(() -> JmapRequest.of(JSON.parse(body.getBytes(StandardCharsets.UTF_8)), CAPS, LIMITS))
                .isInstanceOfSatisfying(RequestError.class, e -> {
                    assertThat(e.type()).isEqualTo(type);
                    assertThat(e.status()).isEqualTo(400);
                });
    }

    @Test
    void tooManyCallsIsTheLimitErrorNamingTheLimit() {
        String calls = "[\"Core/echo\",{},\"c\"],".repeat(LIMITS.maxCallsInRequest()) + "[\"Core/echo\",{},\"c\"]";
        assertThatThrownBy(() -> JmapRequest.of(JSON.parse(("{\"using\":[],\"methodCalls\":[" + calls + "]}")
                .getBytes(StandardCharsets.UTF_8)), CAPS, LIMITS))
                .isInstanceOfSatisfying(RequestError.class, e -> assertThat(e.limitName()).isEqualTo("maxCallsInRequest"));
    }

    @Test
    void hugeExponentsStayNumbersWithoutBlowingUp() throws Exception {
        JsonNode n = JSON.parse("{\"using\":[],\"methodCalls\":[[\"Core/echo\",{\"x\":1e999999},\"c\"]]}"
                .getBytes(StandardCharsets.UTF_8));
        JmapRequest r = JmapRequest.of(n, CAPS, LIMITS);
        assertThat(r.methodCalls().get(0).arguments().get("x").isNumber()).isTrue();
    }

    @Test
    void aValidRequestKeepsCallsInOrderAndCreatedIds() throws Exception {
        JmapRequest r = JmapRequest.of(JSON.parse(("{\"using\":[\"urn:ietf:params:jmap:core\"],\"methodCalls\":"
                + "[[\"Core/echo\",{\"a\":1},\"c1\"],[\"Mailbox/get\",{},\"c2\"]],\"createdIds\":{\"k\":\"m1\"}}")
                .getBytes(StandardCharsets.UTF_8)), CAPS, LIMITS);
        assertThat(r.methodCalls()).extracting(JmapRequest.Invocation::callId).containsExactly("c1", "c2");
        assertThat(r.createdIds()).containsEntry("k", "m1");
    }
}
