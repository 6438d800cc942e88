// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.server.config.DataFolder;
import org.postern.server.config.ServerConfig;
import org.postern.server.config.StoreConfig;
import org.postern.store.MailStore;
import org.postern.store.sqlite.SqliteMailStore;

/** {@code postern migrate}: what it refuses before touching any database (MigrateIT does the copy). */
class MigrateCommandTest {
    @TempDir
    Path data;

    record Result(int code, String out, String err) {}

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("POSTERN_DATA", data.toString()), () -> null,
                SqliteMailStore::open);
        int code = Cli.run(ctx, List.of(), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void needsAnEmbeddedStore() {
        Result r = run("migrate", "--to", "postgres://postern@127.0.0.1:1/mail");
        assertThat(r.code()).isEqualTo(CliFailure.FAILED);
        assertThat(r.err()).contains("no embedded store in " + data);
    }

    @Test
    void refusesAFolderAlreadyOnPostgres() throws Exception {
        try (MailStore s = SqliteMailStore.open(data)) {
            s.directory().addDomain("example.org");
        }
        new DataFolder(data).writeConfig(ServerConfig.defaults("mx.example.org")
                .withStore(StoreConfig.postgres("postgres://postern@db.example.org/mail", "")));
        Result r = run("migrate", "--to", "postgres://postern@127.0.0.1:1/mail");
        assertThat(r.code()).isEqualTo(CliFailure.FAILED);
        assertThat(r.err()).contains("already postgres://postern@db.example.org/mail");
    }

    @Test
    void badTargetUrlsAreUsageErrors() throws Exception {
        try (MailStore s = SqliteMailStore.open(data)) {
            s.directory().addDomain("example.org");
        }
        assertThat(run("migrate").code()).isEqualTo(CliFailure.USAGE);
        for (String url : List.of("mysql://postern@db/mail", "postgres://postern:secret@db/mail", "postgres://db/mail")) {
            Result r = run("migrate", "--to", url);
            assertThat(r.code()).as(url).isEqualTo(CliFailure.USAGE);
            assertThat(r.err()).as(url).startsWith("postern: --to: ").doesNotContain("secret");
        }
    }

    @Test
    void anUnreachableDatabaseFailsAndLeavesTheFolderAsItWas() throws Exception {
        try (MailStore s = SqliteMailStore.open(data)) {
            s.directory().addDomain("example.org");
        }
        long before = Files.size(data.resolve(SqliteMailStore.DATABASE_FILE));
        Result r = run("migrate", "--to", "postgres://postern@127.0.0.1:1/mail");
        assertThat(r.code()).isEqualTo(CliFailure.FAILED);
        assertThat(r.err()).contains("unavailable");
        assertThat(Files.size(data.resolve(SqliteMailStore.DATABASE_FILE))).isEqualTo(before);
        try (MailStore s = SqliteMailStore.open(data)) {
            assertThat(s.directory().isLocalDomain("example.org")).isTrue();
        }
    }
}
