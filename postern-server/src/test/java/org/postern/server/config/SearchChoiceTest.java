// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The {@code search} setting: where the full-text index lives. */
class SearchChoiceTest {
    private static final String PG = "store = postgres://postern@db.example.org/mail\n";

    @Test
    void aPostgresStoreKeepsTheIndexInTheDatabaseUnlessToldLocal() throws ConfigException {
        assertThat(ConfigParser.parse(PG).store().searchInDatabase()).isTrue();
        assertThat(ConfigParser.parse(PG + "search = database\n").store().searchInDatabase()).isTrue();
        assertThat(ConfigParser.parse(PG + "search = Local\n").store().searchInDatabase()).isFalse();
        assertThat(ConfigParser.parse("").store().searchInDatabase()).isFalse();
        assertThat(ConfigParser.parse("search = local\n").store().search()).isEqualTo(StoreConfig.SEARCH_LOCAL);
    }

    @Test
    void badChoicesNameTheirLine() {
        assertThatThrownBy(() -> ConfigParser.parse("\nsearch = database\n")).hasMessageContaining("line 2")
                .hasMessageContaining("postgres://");
        assertThatThrownBy(() -> ConfigParser.parse(PG + "search = elastic\n")).hasMessageContaining("line 2")
                .hasMessageContaining("auto, local or database");
    }

    @Test
    void theChoiceIsWrittenAndReadBack() throws ConfigException {
        ServerConfig c = ServerConfig.defaults("a.example")
                .withStore(StoreConfig.postgres("postgres://postern@db.example.org/mail", "").withSearch("local"));
        assertThat(ConfigWriter.render(c)).contains("search = local\n");
        assertThat(ConfigParser.parse(ConfigWriter.render(c))).isEqualTo(c);
        assertThat(ConfigWriter.render(ServerConfig.defaults("a.example"))).contains("search = auto\n");
    }
}
