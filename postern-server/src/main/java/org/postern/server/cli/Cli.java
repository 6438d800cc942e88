// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.nio.file.Path;
import java.util.List;
import org.postern.server.config.ConfigException;
import org.postern.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code postern} command line (DESIGN.md §7). Every failure ends as one line on stderr and a
 * non-zero exit code: 2 for bad arguments, 1 for anything else. A stack trace would tell an operator
 * nothing they can act on.
 */
@Command(name = "postern", mixinStandardHelpOptions = true, version = "Postern 0.1.0",
        description = "A complete mail server: SMTP, IMAP and POP3 in one program.")
public final class Cli implements Runnable {
    private final CliContext ctx;
    @Spec
    CommandSpec spec;

    private Cli(CliContext ctx) {
        this.ctx = ctx;
    }

    @Option(names = "--data", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "the data folder (default: $POSTERN_DATA, else ./postern-data)")
    void setData(Path dir) {
        ctx.setDataOption(dir);
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say what to do, e.g. 'postern serve' (see 'postern --help')");
    }

    /** Runs one command line and returns its exit code. {@code extra} adds commands (serve) by their object. */
    public static int run(CliContext ctx, List<Object> extra, String... args) {
        CommandLine cl = new CommandLine(new Cli(ctx));
        for (Object command : extra) cl.addSubcommand(command);
        cl.addSubcommand(new DomainCommand(ctx));
        cl.addSubcommand(new DnsCommand(ctx));
        cl.addSubcommand(new DoctorCommand(ctx));
        cl.addSubcommand(new AccountCommand(ctx));
        cl.addSubcommand(new AliasCommand(ctx));
        cl.addSubcommand(new QueueCommand(ctx));
        cl.addSubcommand(new AclCommand(ctx));
        cl.addSubcommand(new MigrateCommand(ctx));
        cl.setOut(new java.io.PrintWriter(ctx.out(), true));
        cl.setErr(new java.io.PrintWriter(ctx.err(), true));
        cl.setParameterExceptionHandler((ex, a) -> {
            ctx.err().println("postern: " + oneLine(ex.getMessage()) + " (see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return CliFailure.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            ctx.err().println("postern: " + message(ex, ctx));
            return ex instanceof CliFailure f ? f.exitCode() : CliFailure.FAILED;
        });
        return cl.execute(args);
    }

    static String message(Exception ex, CliContext ctx) {
        return oneLine(switch (ex) {
            case CliFailure f -> f.getMessage();
            case StoreException.TooNew e -> "the data in " + ctx.dataDir() + " was written by a newer Postern: " + e.getMessage();
            case StoreException.Unavailable e -> "the store in " + ctx.dataDir() + " is unavailable: " + e.getMessage()
                    + (e.getCause() != null && e.getCause().getMessage() != null ? " (" + e.getCause().getMessage() + ")" : "");
            case StoreException e -> e.getMessage();
            case ConfigException e -> e.getMessage();
            case java.security.GeneralSecurityException e -> "TLS setup failed: " + e.getMessage();
            case java.io.IOException e -> e.getMessage() != null ? e.getMessage() : e.toString();
            default -> "unexpected error: " + ex;
        });
    }

    private static String oneLine(String s) {
        if (s == null) return "failed";
        String line = s.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
        return line.length() <= 500 ? line : line.substring(0, 497) + "...";
    }
}
