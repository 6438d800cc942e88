// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code store = postgres://user@host:port/db} form of postern.conf, password from a file. */
class PostgresConfigTest {
    @TempDir
    Path dir;

    @Test
    void urlWithPasswordFile() throws Exception {
        Path pw = Files.writeString(dir.resolve("pw"), "s3cret\nignored\n");
        PostgresConfig c = PostgresConfig.parse("postgres://postern@db.example.org:6432/mail", pw);
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.org:6432/mail");
        assertThat(c.user()).isEqualTo("postern");
        assertThat(c.password()).isEqualTo("s3cret");
        assertThat(c.toString()).doesNotContain("s3cret");
        assertThat(c.poolSize()).isEqualTo(PostgresConfig.DEFAULT_POOL_SIZE);
    }

    @Test
    void defaultPortAndNoPassword() {
        PostgresConfig c = PostgresConfig.parse("postgresql://mail@localhost/postern", null);
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/postern");
        assertThat(c.password()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "mysql://u@h/db", "postgres://h/db", "postgres://u:pw@h/db", "postgres://u@h/",
            "postgres://u@h/db?sslmode=disable", "postgres://u@/db", "postgres://u@h/db;drop", "postgres://u@h/a/b",
            "not a url at all"})
    void badUrlsAreRefusedWithAReason(String url) {
        assertThatThrownBy(() -> PostgresConfig.parse(url, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("pw@");
    }

    @Test
    void unreadablePasswordFileIsNamed() {
        assertThatThrownBy(() -> PostgresConfig.parse("postgres://u@h/db", dir.resolve("missing")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing");
    }
}
