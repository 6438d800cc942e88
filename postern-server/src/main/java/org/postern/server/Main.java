// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.postern.server.cli.Cli;
import org.postern.server.cli.CliContext;
import org.postern.server.cli.CliFailure;
import org.postern.server.config.ConfigException;
import org.postern.server.config.DataFolder;
import org.postern.server.config.StoreConfig;
import org.postern.store.MailStore;

/** The {@code postern} program: the command line of DESIGN.md §7 on the store postern.conf names. */
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
        return new CliContext(System.in, System.out, System.err, System.getenv(), System::console, Main::openConfiguredStore);
    }

    /** Admin commands open the store the server uses: postern.conf's {@code store}, else the embedded one. */
    static MailStore openConfiguredStore(Path dataDir) {
        DataFolder folder = new DataFolder(dataDir);
        StoreConfig store = StoreConfig.sqlite();
        if (folder.hasConfig()) {
            try {
                store = folder.readConfig().store();
            } catch (ConfigException e) {
                throw CliFailure.failed(e.getMessage());
            } catch (IOException e) {
                throw CliFailure.failed("cannot read " + folder.config() + ": " + e.getMessage());
            }
        }
        return StoreBackend.open(store, dataDir);
    }
}
