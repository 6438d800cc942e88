// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.server.Main;
import org.postern.server.cli.CliContext;

/**
 * {@code accounts}: runs Postern's own command line ({@code domain add}, {@code account add ADDRESS
 * --password-stdin}) for every user of a users file, in this one JVM instead of one JVM per account.
 * Needs postern.jar on the class path; the server may be running (it sees new accounts within a second).
 * Opens the store the folder's postern.conf names, as {@code postern} itself does, so a PostgreSQL
 * node's folder loads the shared database (and grows no stray embedded store).
 * {@code --passwd} sets the password of existing accounts again instead, hashed with the current cost.
 */
final class AccountLoader {
    static final Set<String> VALUED = Set.of("data", "users-file", "users");

    private AccountLoader() {}

    static int run(List<String> args) throws Exception {
        Options o = Options.parse(args, VALUED, Set.of("passwd"));
        boolean passwd = o.flag("passwd");
        String data = Path.of(o.required("data")).toAbsolutePath().toString();
        Users all = Users.read(Path.of(o.required("users-file")));
        Users users = all.first(o.integer("users", all.size(), 1, Users.MAX_USERS));
        long t0 = System.nanoTime();
        int created = 0;
        int existing = 0;
        java.util.Set<String> domains = new java.util.LinkedHashSet<>();
        for (Users.User u : users.all()) {
            int at = u.login().lastIndexOf('@');
            if (at < 0) throw new IllegalArgumentException("login " + u.login() + " is not an address");
            domains.add(u.login().substring(at + 1));
        }
        for (String d : domains) {
            Result r = cli(data, "", "domain", "add", d);
            if (r.code != 0 && !r.err.contains("exists")) throw new IllegalStateException("domain add " + d + ": " + r.err);
        }
        for (Users.User u : users.all()) {
            // passwd re-hashes with the cost postern.conf names now (dev.argon2), for a run with the other cost.
            Result r = passwd ? cli(data, u.password() + "\n", "account", "passwd", u.login(), "--password-stdin")
                    : cli(data, u.password() + "\n", "account", "add", u.login(), "--password-stdin");
            if (r.code == 0) {
                created++;
            } else if (r.err.contains("already exists")) {
                existing++;
            } else {
                throw new IllegalStateException("account add " + u.login() + ": " + r.err);
            }
        }
        System.out.println("{\"bench\":\"accounts\",\"created\":" + created + ",\"existing\":" + existing + ",\"seconds\":"
                + MixBench.fmt((System.nanoTime() - t0) / 1e9) + "}");
        return 0;
    }

    private record Result(int code, String err) {}

    private static Result cli(String data, String stdin, String... command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of(), () -> null, Main.systemContext().storeOpener());
        String[] args = new String[command.length + 2];
        args[0] = "--data";
        args[1] = data;
        System.arraycopy(command, 0, args, 2, command.length);
        int code = Main.run(ctx, args);
        return new Result(code, err.toString(StandardCharsets.UTF_8));
    }
}
