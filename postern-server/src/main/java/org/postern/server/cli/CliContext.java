// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.postern.server.config.ConfigException;
import org.postern.server.config.DataFolder;
import org.postern.server.config.ServerConfig;
import org.postern.store.MailStore;

/**
 * What the commands use from the outside world, so tests can run them in-process: the streams, the
 * environment, the terminal, and how to open the store on a data folder.
 */
public final class CliContext {
    public static final String DATA_ENV = "POSTERN_DATA";
    public static final String DEFAULT_DATA = "postern-data";

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Supplier<Console> console;
    private final Function<Path, MailStore> storeOpener;
    private Path dataOption;

    public CliContext(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, Supplier<Console> console,
            Function<Path, MailStore> storeOpener) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
        this.console = console;
        this.storeOpener = storeOpener;
    }

    public InputStream in() {
        return in;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public Console console() {
        return console.get();
    }

    void setDataOption(Path dir) {
        this.dataOption = dir;
    }

    /** --data, else $POSTERN_DATA, else ./postern-data relative to the caller's directory (DESIGN.md §7). */
    public Path dataDir() {
        if (dataOption != null) return dataOption.toAbsolutePath().normalize();
        String fromEnv = env.get(DATA_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) return Path.of(fromEnv).toAbsolutePath().normalize();
        return Path.of(DEFAULT_DATA).toAbsolutePath().normalize();
    }

    public DataFolder folder() {
        return new DataFolder(dataDir());
    }

    /** postern.conf when present (it decides the password hashing cost), else the defaults. */
    public ServerConfig config() {
        DataFolder f = folder();
        if (!f.hasConfig()) return ServerConfig.defaults("localhost");
        try {
            return f.readConfig();
        } catch (ConfigException e) {
            throw CliFailure.failed(e.getMessage());
        } catch (IOException e) {
            throw CliFailure.failed("cannot read " + f.config() + ": " + e.getMessage());
        }
    }

    /**
     * Opens the store for one command. An administrative command never creates a data folder: a
     * mistyped --data would otherwise quietly start a second, empty mail system.
     */
    public MailStore openStore() {
        Path dir = dataDir();
        if (!Files.isDirectory(dir)) {
            throw CliFailure.failed("no data folder at " + dir + " (run 'postern serve --data " + dir
                    + "' once to create it, or pass --data or set " + DATA_ENV + ")");
        }
        return storeOpener.apply(dir);
    }

    public Function<Path, MailStore> storeOpener() {
        return storeOpener;
    }
}
