// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.util.List;
import org.postern.server.cli.Cli;
import org.postern.server.cli.CliContext;
import org.postern.store.sqlite.SqliteMailStore;

/** The {@code postern} program: the command line of DESIGN.md §7 on the embedded SQLite store. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (!isServe(args)) {
            // Before the first logger exists: admin commands keep stdout for their own output.
            System.setProperty("postern.log.target", "System.err");
            System.setProperty("postern.log.level", "WARN");
        }
        int code = run(systemContext(), args);
        // serve returns only after its shutdown; a non-zero code ends the JVM even if a library left a
        // non-daemon thread behind.
        System.exit(code);
    }

    /** The first word that is not an option (or the value of --data) names the command. */
    static boolean isServe(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--data")) {
                i++;
            } else if (!args[i].startsWith("-")) {
                return args[i].equals("serve");
            }
        }
        return false;
    }

    public static int run(CliContext ctx, String... args) {
        return Cli.run(ctx, List.of(new ServeCommand(ctx)), args);
    }

    public static CliContext systemContext() {
        return new CliContext(System.in, System.out, System.err, System.getenv(), System::console, SqliteMailStore::open);
    }
}
