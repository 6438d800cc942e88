// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.PasswordHasher;
import org.postern.server.config.DataFolder;
import org.postern.server.config.ServerConfig;
import org.postern.store.Account;
import org.postern.store.MailStore;
import org.postern.store.sqlite.SqliteMailStore;

/** Runs the admin commands as a user would, against a real SQLite store in a temporary data folder. */
class CliTest {
    @TempDir
    Path data;

    record Result(int code, String out, String err) {}

    @BeforeEach
    void cheapHashing() throws IOException {
        new DataFolder(data).writeConfig(ServerConfig.defaults("localhost").withDev("test", "default"));
    }

    Result run(String stdin, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env, () -> null, SqliteMailStore::open);
        int code = Cli.run(ctx, List.of(), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Result run(String... args) {
        String[] withData = new String[args.length + 2];
        System.arraycopy(args, 0, withData, 0, args.length);
        withData[args.length] = "--data";
        withData[args.length + 1] = data.toString();
        return run("", Map.of(), withData);
    }

    Result runWithStdin(String stdin, String... args) {
        return run(stdin, Map.of("POSTERN_DATA", data.toString()), args);
    }

    static void assertFailure(Result r, int code, String message) {
        assertThat(r.code()).as(r.toString()).isEqualTo(code);
        assertThat(r.err()).as(r.toString()).startsWith("postern: ").contains(message);
        assertThat(r.err().strip().lines()).as("one line: " + r.err()).hasSize(1);
        assertThat(r.err()).doesNotContain("\tat ", "Exception");
    }

    Account account(String address) {
        try (MailStore s = SqliteMailStore.open(data)) {
            return s.directory().account(address).orElseThrow();
        }
    }

    @Test
    void domainAddListDelete() {
        assertThat(run("domain", "add", "Example.ORG").code()).isZero();
        assertThat(run("domain", "add", "b.example").code()).isZero();
        assertThat(run("domain", "list").out().lines().toList()).containsExactly("b.example", "example.org");
        assertFailure(run("domain", "add", "example.org"), 1, "domain example.org already exists");
        assertThat(run("domain", "delete", "b.example").code()).isZero();
        assertThat(run("domain", "list").out().lines().toList()).containsExactly("example.org");
        assertFailure(run("domain", "delete", "nope.example"), 1, "no domain nope.example");
        assertFailure(run("domain", "add", "not a domain"), 2, "is not a domain name");
    }

    @Test
    void deletingADomainWithAccountsNeedsForce() {
        run("domain", "add", "example.org");
        assertThat(runWithStdin("pw-one\n", "account", "add", "a@example.org", "--password-stdin").code()).isZero();
        assertThat(runWithStdin("pw-two\n", "account", "add", "b@example.org", "--password-stdin").code()).isZero();
        assertFailure(run("domain", "delete", "example.org"), 1, "domain example.org has 2 accounts; use --force");
        assertThat(run("domain", "list").out()).contains("example.org");
        Result forced = run("domain", "delete", "example.org", "--force");
        assertThat(forced.code()).as(forced.toString()).isZero();
        assertThat(run("domain", "list").out()).isEmpty();
        assertThat(run("account", "list").out()).isEmpty();
    }

    @Test
    void accountAddWithPasswordFromStdin() {
        run("domain", "add", "example.org");
        Result r = runWithStdin("s3cret word\r\n", "account", "add", "Alice@Example.org", "--password-stdin", "--admin");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("created account alice@example.org (admin)");
        Account a = account("alice@example.org");
        assertThat(a.admin()).isTrue();
        assertThat(PasswordHasher.verify(a.password().hash(), "s3cret word")).isTrue();
        // postern.conf says dev.argon2 = test, and the CLI obeys it
        assertThat(a.password().hash()).contains("m=64,");
        assertThat(run("account", "list").out()).contains("alice@example.org  admin");
        assertFailure(runWithStdin("x\n", "account", "add", "alice@example.org", "--password-stdin"), 1, "already exists");
    }

    @Test
    void accountAddErrors() {
        run("domain", "add", "example.org");
        assertFailure(runWithStdin("pw\n", "account", "add", "bob@elsewhere.example", "--password-stdin"), 1,
                "domain elsewhere.example is not served here");
        assertFailure(runWithStdin("pw\n", "account", "add", "not-an-address", "--password-stdin"), 2,
                "is not an email address");
        assertFailure(runWithStdin("\n", "account", "add", "bob@example.org", "--password-stdin"), 2, "the password is empty");
        assertFailure(runWithStdin("x".repeat(2000) + "\n", "account", "add", "bob@example.org", "--password-stdin"), 2,
                "longer than 1024");
        assertFailure(runWithStdin("", "account", "add", "bob@example.org"), 2,
                "no terminal to ask for the password; pipe it in with --password-stdin");
        assertFailure(run("account", "add"), 2, "Missing required parameter");
        assertThat(run("account", "list").out()).isEmpty();
    }

    @Test
    void passwdChangesThePassword() {
        run("domain", "add", "example.org");
        runWithStdin("old\n", "account", "add", "a@example.org", "--password-stdin");
        Result r = runWithStdin("new\n", "account", "passwd", "a@example.org", "--password-stdin");
        assertThat(r.code()).as(r.toString()).isZero();
        String hash = account("a@example.org").password().hash();
        assertThat(PasswordHasher.verify(hash, "new")).isTrue();
        assertThat(PasswordHasher.verify(hash, "old")).isFalse();
        assertFailure(runWithStdin("new\n", "account", "passwd", "ghost@example.org", "--password-stdin"), 1,
                "no account ghost@example.org");
    }

    @Test
    void setPop3Policy() {
        run("domain", "add", "example.org");
        runWithStdin("pw\n", "account", "add", "a@example.org", "--password-stdin");
        assertThat(run("account", "set", "a@example.org", "pop3=delete").code()).isZero();
        assertThat(account("a@example.org").setting("pop3", "")).isEqualTo("delete");
        assertThat(run("account", "set", "a@example.org", "pop3=delete-after-days:30").code()).isZero();
        assertThat(account("a@example.org").setting("pop3", "")).isEqualTo("delete-after-days:30");
        assertThat(run("account", "set", "a@example.org", "POP3=Keep").code()).isZero();
        assertThat(account("a@example.org").setting("pop3", "")).isEqualTo("keep");
        assertThat(run("account", "list").out()).contains("a@example.org  pop3=keep");

        assertFailure(run("account", "set", "a@example.org", "pop3=sometimes"), 2, "pop3 must be keep, delete or");
        assertFailure(run("account", "set", "a@example.org", "pop3=delete-after-days:0"), 2, "from 1 to 3650");
        assertFailure(run("account", "set", "a@example.org", "pop3=delete-after-days:3651"), 2, "from 1 to 3650");
        assertFailure(run("account", "set", "a@example.org", "pop3=delete-after-days:99999999999"), 2, "from 1 to 3650");
        assertFailure(run("account", "set", "a@example.org", "color=blue"), 2, "unknown account setting 'color'");
        assertFailure(run("account", "set", "a@example.org", "pop3"), 2, "expected KEY=VALUE");
        assertFailure(run("account", "set", "ghost@example.org", "pop3=keep"), 1, "no account ghost@example.org");
        assertThat(account("a@example.org").setting("pop3", "")).isEqualTo("keep");
    }

    @Test
    void setPop3LoginDelay() {
        run("domain", "add", "example.org");
        runWithStdin("pw\n", "account", "add", "a@example.org", "--password-stdin");
        assertThat(run("account", "set", "a@example.org", "pop3-login-delay=300").code()).isZero();
        assertThat(account("a@example.org").setting("pop3-login-delay", "")).isEqualTo("300");
        assertFailure(run("account", "set", "a@example.org", "pop3-login-delay=3601"), 2, "from 0 to 3600");
        assertFailure(run("account", "set", "a@example.org", "pop3-login-delay=-1"), 2, "from 0 to 3600");
        assertFailure(run("account", "set", "a@example.org", "pop3-login-delay=5m"), 2, "from 0 to 3600");
        assertThat(run("account", "set", "a@example.org", "pop3-mark-seen=no").code()).isZero();
        assertThat(account("a@example.org").setting("pop3-mark-seen", "")).isEqualTo("no");
        assertFailure(run("account", "set", "a@example.org", "pop3-mark-seen=maybe"), 2, "yes or no");
        assertThat(account("a@example.org").setting("pop3-login-delay", "")).isEqualTo("300");
    }

    @Test
    void accountDelete() {
        run("domain", "add", "example.org");
        runWithStdin("pw\n", "account", "add", "a@example.org", "--password-stdin");
        assertThat(run("account", "delete", "A@example.org").code()).isZero();
        assertThat(run("account", "list").out()).isEmpty();
        assertFailure(run("account", "delete", "a@example.org"), 1, "no account a@example.org");
    }

    @Test
    void aliasAddListDelete() {
        run("domain", "add", "example.org");
        runWithStdin("pw\n", "account", "add", "a@example.org", "--password-stdin");
        Result r = run("alias", "add", "team@example.org", "a@example.org", "someone@remote.example");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(run("alias", "list").out()).contains("team@example.org -> a@example.org, someone@remote.example");
        assertFailure(run("alias", "add", "a@example.org", "x@example.org"), 1, "a@example.org is an account");
        assertFailure(run("alias", "add", "x@other.example", "a@example.org"), 1, "domain other.example is not served here");
        assertFailure(run("alias", "add", "team@example.org"), 2, "Missing required parameter");
        assertFailure(run("alias", "add", "team@example.org", "team@example.org"), 2, "cannot deliver to itself");
        assertThat(run("alias", "delete", "team@example.org").code()).isZero();
        assertThat(run("alias", "list").out()).isEmpty();
        assertFailure(run("alias", "delete", "team@example.org"), 1, "no alias team@example.org");
    }

    @Test
    void dataFolderFromEnvironmentAndMissingFolder() {
        assertThat(run("", Map.of("POSTERN_DATA", data.toString()), "domain", "add", "env.example").code()).isZero();
        assertThat(run("domain", "list").out()).contains("env.example");
        Path missing = data.resolve("nope");
        assertFailure(run("", Map.of(), "domain", "list", "--data", missing.toString()), 1, "no data folder at " + missing);
        assertThat(Files.exists(missing)).isFalse();
        // --data before the subcommand works too
        assertThat(run("", Map.of(), "--data", data.toString(), "domain", "list").out()).contains("env.example");
    }

    @Test
    void usageErrorsAreOneLine() {
        assertFailure(run("domain"), 2, "say what to do: domain add|list|delete");
        assertFailure(run("frobnicate"), 2, "Unmatched argument");
        assertFailure(run("domain", "list", "--bogus"), 2, "Unknown option");
        Result help = run("", Map.of(), "account", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("passwd", "set");
    }

    @Test
    void badConfigStopsCommandsThatNeedIt() throws IOException {
        run("domain", "add", "example.org");
        Files.writeString(data.resolve("postern.conf"), "config_version = 1\ndev.argon2 = fast\n");
        assertFailure(runWithStdin("pw\n", "account", "add", "a@example.org", "--password-stdin"), 1,
                "postern.conf line 2: dev.argon2 must be one of default, test");
    }
}
