// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AddressParserTest {

    private static Address mb(String name, String local, String domain) {
        return Address.mailbox(name, local, domain);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a@example.org", List.of(mb(null, "a", "example.org"))),
                Arguments.of("Alice Example <alice@example.org>", List.of(mb("Alice Example", "alice", "example.org"))),
                Arguments.of("\"Example, Alice\" <alice@example.org>, bob@example.net",
                        List.of(mb("Example, Alice", "alice", "example.org"), mb(null, "bob", "example.net"))),
                Arguments.of("bob@example.net (Bob the Builder)", List.of(mb("Bob the Builder", "bob", "example.net"))),
                Arguments.of("\"john doe\"@example.org", List.of(mb(null, "john doe", "example.org"))),
                Arguments.of("\"a\\\"b\"@example.org", List.of(mb(null, "a\"b", "example.org"))),
                Arguments.of("John Q. Public <jqp(comment)@(another)example.org>",
                        List.of(mb("John Q. Public", "jqp", "example.org"))),
                Arguments.of("john . doe @ example . org", List.of(mb(null, "john.doe", "example.org"))),
                Arguments.of("<@hop1,@hop2:user@example.org>", List.of(mb(null, "user", "example.org"))),
                Arguments.of("undisclosed-recipients:;", List.of(Address.groupStart("undisclosed-recipients"), Address.groupEnd())),
                Arguments.of("Team: a@x.org, B <b@y.org>; c@z.org", List.of(Address.groupStart("Team"),
                        mb(null, "a", "x.org"), mb("B", "b", "y.org"), Address.groupEnd(), mb(null, "c", "z.org"))),
                Arguments.of("Team: a@x.org", List.of(Address.groupStart("Team"), mb(null, "a", "x.org"), Address.groupEnd())),
                Arguments.of("postmaster", List.of(mb(null, "postmaster", null))),
                Arguments.of("Someone <local>", List.of(mb("Someone", "local", null))),
                Arguments.of("a@[192.0.2.1]", List.of(mb(null, "a", "[192.0.2.1]"))),
                Arguments.of("=?utf-8?q?J=C3=B6rg?= <j@x.de>", List.of(mb("Jörg", "j", "x.de"))),
                Arguments.of("\"=?utf-8?q?J=C3=B6rg?=\" <j@x.de>", List.of(mb("Jörg", "j", "x.de"))),
                Arguments.of(",,a@x.org,,", List.of(mb(null, "a", "x.org"))),
                Arguments.of("", List.of()),
                Arguments.of("<>", List.of()),
                Arguments.of("<a@x.org", List.of(mb(null, "a", "x.org"))),
                Arguments.of("\"unterminated <a@x.org>", List.of(mb(null, "unterminated <a@x.org>", null))),
                Arguments.of("a@b@c", List.of(mb(null, "a", "b@c"))),
                Arguments.of("))) <<< @@@ ;;; :::", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parses(String value, List<Address> expected) {
        assertThat(AddressParser.parseList(value)).containsExactlyElementsOf(expected);
    }

    @Test
    void addrSpecAndMailAddress() {
        Address a = AddressParser.parseList("\"john doe\"@Example.ORG").get(0);
        assertThat(a.addrSpec()).isEqualTo("\"john doe\"@Example.ORG");
        assertThat(a.mailAddress()).hasValueSatisfying(m -> assertThat(m.domain()).isEqualTo("example.org"));
        assertThat(AddressParser.parseList("a@b@c").get(0).mailAddress()).isEmpty();
        assertThat(AddressParser.parseList("nodomain").get(0).mailAddress()).isEmpty();
        assertThat(Address.groupStart("g").isGroupStart()).isTrue();
        assertThat(Address.groupEnd().isGroupEnd()).isTrue();
    }

    @Test
    void hundredThousandAddressesAreCappedAndLinear() {
        String many = "a@example.org, ".repeat(100_000);
        long t0 = System.nanoTime();
        List<Address> list = AddressParser.parseList(many);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000);
        assertThat(list).hasSize(AddressParser.MAX_ADDRESSES);
        String nested = "a@b.org " + "(".repeat(500_000);
        assertThat(AddressParser.parseList(nested)).hasSize(1);
    }
}
