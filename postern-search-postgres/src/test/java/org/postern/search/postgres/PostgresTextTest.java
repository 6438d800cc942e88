// SPDX-License-Identifier: Apache-2.0
package org.postern.search.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.search.SearchText;

class PostgresTextTest {
    @Test
    void likePatternsEscapeTheirMetacharacters() {
        String[][] cases = {
            {"abc", "%abc%"}, {"", "%%"}, {"100%", "%100\\%%"}, {"a_b", "%a\\_b%"}, {"c:\\t", "%c:\\\\t%"},
            {"%_\\", "%\\%\\_\\\\%"}, {"'; drop", "%'; drop%"}, {"é", "%é%"},
        };
        for (String[] c : cases) assertThat(PostgresText.like(c[0])).as(c[0]).isEqualTo(c[1]);
    }

    @Test
    void regexLiteralsEscapeAsciiPunctuationOnly() {
        String[][] cases = {
            {"abc09", "abc09"}, {"a.b", "a\\.b"}, {"(x)*", "\\(x\\)\\*"}, {"^$|?+{}[]\\", "\\^\\$\\|\\?\\+\\{\\}\\[\\]\\\\"},
            {"a b", "a\\ b"}, {"é☺", "é☺"}, {"\n", "\\\n"},
        };
        for (String[] c : cases) assertThat(PostgresText.literal(c[0])).as(c[0]).isEqualTo(c[1]);
        assertThat(PostgresText.fieldPattern("x-a", "b.c")).isEqualTo("\uFFFFx\\-a\uFFFE[^\uFFFF]*b\\.c");
    }

    @Test
    void charactersTheColumnsCannotHoldBecomeReplacements() {
        String[][] cases = {
            {"plain", "plain"}, {"a\0b", "a\uFFFDb"}, {"\uFFFF\uFFFE", "\uFFFD\uFFFD"}, {"x\uD800", "x\uFFFD"},
            {"\uDC00y", "\uFFFDy"}, {"\uD83D\uDE00", "\uD83D\uDE00"}, {"\uD83D\uD83D\uDE00", "\uFFFD\uD83D\uDE00"},
        };
        for (String[] c : cases) assertThat(PostgresText.clean(c[0])).as(c[0]).isEqualTo(c[1]);
        String same = "unchanged";
        assertThat(PostgresText.clean(same)).isSameAs(same);
        for (String n : List.of("\0", "\uFFFD", "\uFFFF", "\uD800", "a\uFFFEb")) assertThat(PostgresText.exotic(n)).as(n).isTrue();
        for (String n : List.of("", "abc", "\uD83D\uDE00", "%_\\")) assertThat(PostgresText.exotic(n)).as(n).isFalse();
    }

    @Test
    void rowsRoundTripTheirText() {
        SearchText t = new SearchText(true, "subject: hi\r\nx: y\r\n", List.of(new SearchText.Field("subject", "hi"),
                new SearchText.Field("x", "y"), new SearchText.Field("x", "")), "body");
        PostgresText.Row r = PostgresText.Row.of(t);
        assertThat(r.replaced()).isFalse();
        assertThat(r.text()).isEqualTo(t);
        PostgresText.Row odd = PostgresText.Row.of(new SearchText(true, "h", List.of(new SearchText.Field("a\uFFFE", "v\0")), "b"));
        assertThat(odd.replaced()).isTrue();
        assertThat(odd.text().fields()).containsExactly(new SearchText.Field("a\uFFFD", "v\uFFFD"));
    }
}
