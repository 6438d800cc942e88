// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ContentTypeTest {

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("text/plain", "text/plain", Map.of()),
                Arguments.of("TEXT/HTML; CHARSET=UTF-8", "text/html", Map.of("charset", "UTF-8")),
                Arguments.of("text/plain; charset=us-ascii (Plain text)", "text/plain", Map.of("charset", "us-ascii")),
                Arguments.of("text / plain ; format = flowed", "text/plain", Map.of("format", "flowed")),
                Arguments.of("multipart/mixed; boundary=\"a b;c\\\"d\"", "multipart/mixed", Map.of("boundary", "a b;c\"d")),
                Arguments.of("multipart/alternative; boundary=----=_Part_0_1.2", "multipart/alternative",
                        Map.of("boundary", "----=_Part_0_1.2")),
                Arguments.of("application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; "
                        + "title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"", "application/x-stuff",
                        Map.of("title", "This is even more ***fun*** isn't it!")),
                Arguments.of("application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
                        "application/x-stuff", Map.of("title", "This is ***fun***")),
                Arguments.of("application/octet-stream; name*1=\"b.txt\"; name*0=\"a\"", "application/octet-stream",
                        Map.of("name", "ab.txt")),
                Arguments.of("text/plain; name*0*=utf-8''%E2%82; name*1*=%AC", "text/plain", Map.of("name", "€")),
                Arguments.of("text/plain; name*=x-unknown''abc%41", "text/plain", Map.of("name", "abcA")),
                Arguments.of("text/plain; junk; charset=utf-8", "text/plain", Map.of("charset", "utf-8")),
                Arguments.of("text/plain; charset=\"unterminated", "text/plain", Map.of("charset", "unterminated")),
                Arguments.of("text/plain; a=1; a=2", "text/plain", Map.of("a", "1")));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void parses(String value, String mimeType, Map<String, String> params) {
        ContentType ct = ContentType.parse(value).orElseThrow();
        assertThat(ct.mimeType()).isEqualTo(mimeType);
        assertThat(ct.params()).containsExactlyInAnyOrderEntriesOf(params);
    }

    @ParameterizedTest
    @MethodSource("invalidValues")
    void invalidIsEmpty(String value) {
        assertThat(ContentType.parse(value)).isEmpty();
    }

    static List<String> invalidValues() {
        return List.of("", "text", "text/", "/plain", "(comment only)", "; charset=x", "t\u00e9xt/plain");
    }

    @Test
    void parameterOrderIsKept() {
        ContentType ct = ContentType.parse("a/b; z=1; y=2; x=3").orElseThrow();
        assertThat(ct.params()).isInstanceOf(Map.class);
        assertThat(List.copyOf(ct.params().keySet())).containsExactly("z", "y", "x");
        assertThat(new LinkedHashMap<>(ct.params())).containsEntry("y", "2");
    }

    @Test
    void parameterExplosionIsCappedAndFast() {
        // HOSTILE A71: many distinct continuation parameters.
        StringBuilder sb = new StringBuilder("text/plain");
        for (int i = 0; i < 100_000; i++) sb.append("; a").append(i).append("*0=x");
        long t0 = System.nanoTime();
        ContentType ct = ContentType.parse(sb.toString()).orElseThrow();
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000);
        assertThat(ct.params()).hasSizeLessThanOrEqualTo(ParameterParser.MAX_PARAMS);
        StringBuilder one = new StringBuilder("text/plain");
        for (int i = 0; i < 100_000; i++) one.append("; t*").append(i).append("=x");
        assertThat(ContentType.parse(one.toString()).orElseThrow().param("t")).hasSizeLessThanOrEqualTo(128);
    }

    @Test
    void disposition() {
        ContentDisposition d = ContentDisposition.parse("Attachment; filename=\"../../etc/passwd\"; size=3").orElseThrow();
        assertThat(d.type()).isEqualTo("attachment");
        assertThat(d.isAttachment()).isTrue();
        assertThat(d.filename()).isEqualTo("../../etc/passwd");
        assertThat(ContentDisposition.parse("; filename=x")).isEmpty();
    }
}
