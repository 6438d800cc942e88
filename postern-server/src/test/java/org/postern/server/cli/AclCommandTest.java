// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.server.config.DataFolder;
import org.postern.server.config.ServerConfig;
import org.postern.store.sqlite.SqliteMailStore;

/** {@code postern acl}: the administrator's side of shared mailboxes (RFC 4314). */
class AclCommandTest {
    @TempDir
    Path data;

    record Result(int code, String out, String err) {}

    Result run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("POSTERN_DATA", data.toString()), () -> null, SqliteMailStore::open);
        int code = Cli.run(ctx, List.of(), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void setListDelete() throws Exception {
        new DataFolder(data).writeConfig(ServerConfig.defaults("localhost").withDev("test", "default"));
        assertThat(run("", "domain", "add", "example.org").code()).isZero();
        assertThat(run("pw\n", "account", "add", "alice@example.org", "--password-stdin").code()).isZero();
        assertThat(run("pw\n", "account", "add", "bob@example.org", "--password-stdin").code()).isZero();

        Result set = run("", "acl", "set", "alice@example.org", "inbox", "Bob@Example.org", "rld");
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(set.out()).isEqualTo("set bob@example.org lrxte on INBOX of alice@example.org\n");
        assertThat(run("", "acl", "set", "alice@example.org", "INBOX", "anyone", "l").code()).isZero();
        assertThat(run("", "acl", "list", "alice@example.org", "INBOX").out())
                .isEqualTo("alice@example.org lrswipkxtea (owner)\nanyone l\nbob@example.org lrxte\n");
        assertThat(run("", "acl", "delete", "alice@example.org", "INBOX", "anyone").code()).isZero();
        assertThat(run("", "acl", "list", "alice@example.org", "INBOX").out())
                .isEqualTo("alice@example.org lrswipkxtea (owner)\nbob@example.org lrxte\n");

        Result bad = run("", "acl", "set", "alice@example.org", "INBOX", "bob@example.org", "lrQ");
        assertThat(bad.code()).isEqualTo(CliFailure.USAGE);
        assertThat(bad.err()).contains("unknown right 'Q'");
        assertThat(run("", "acl", "set", "alice@example.org", "INBOX", "alice@example.org", "l").err())
                .contains("the owner always has every right");
        assertThat(run("", "acl", "list", "alice@example.org", "Nowhere").err()).contains("no mailbox Nowhere in alice@example.org");
        assertThat(run("", "acl", "list", "nobody@example.org", "INBOX").err()).contains("no account nobody@example.org");
    }
}
