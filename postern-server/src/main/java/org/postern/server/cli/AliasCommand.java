// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.postern.core.MailAddress;
import org.postern.store.MailStore;
import org.postern.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "alias", description = "Add, list or delete aliases: addresses that forward to other addresses.",
        mixinStandardHelpOptions = true)
public final class AliasCommand implements Runnable {
    /** A bound on fan-out: one message to an alias becomes one delivery per target. */
    static final int MAX_TARGETS = 1000;

    private final CliContext ctx;
    @Spec
    CommandSpec spec;

    public AliasCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say what to do: alias add|list|delete");
    }

    @Command(name = "add", description = "Make ALIAS deliver to every TARGET (replaces the targets of an existing alias).")
    int add(@Parameters(index = "0", paramLabel = "ALIAS") String alias,
            @Parameters(index = "1..*", arity = "1..*", paramLabel = "TARGET") List<String> targets) {
        String a = AccountCommand.addressArgument(alias);
        if (targets.size() > MAX_TARGETS) throw CliFailure.usage("an alias can have at most " + MAX_TARGETS + " targets");
        List<String> t = new ArrayList<>();
        for (String target : targets) {
            String k = AccountCommand.addressArgument(target);
            if (k.equals(a)) throw CliFailure.usage("an alias cannot deliver to itself");
            if (!t.contains(k)) t.add(k);
        }
        String domain = a.substring(a.lastIndexOf('@') + 1);
        try (MailStore store = ctx.openStore()) {
            if (!store.directory().isLocalDomain(domain)) {
                throw CliFailure.failed("domain " + domain + " is not served here; add it with 'postern domain add " + domain + "'");
            }
            if (store.directory().account(a).isPresent()) {
                throw CliFailure.failed(a + " is an account; an alias needs an address of its own");
            }
            try {
                store.directory().addAlias(a, t);
            } catch (StoreException.Conflict e) {
                throw CliFailure.failed(a + " is an account; an alias needs an address of its own");
            } catch (StoreException.NotFound e) {
                throw CliFailure.failed("domain " + domain + " is not served here; add it with 'postern domain add " + domain + "'");
            }
        }
        ctx.out().println("alias " + a + " -> " + String.join(", ", t));
        return 0;
    }

    @Command(name = "list", description = "List the aliases and their targets.")
    int list() {
        try (MailStore store = ctx.openStore()) {
            for (Map.Entry<String, List<String>> e : store.directory().aliases().entrySet()) {
                ctx.out().println(e.getKey() + " -> " + String.join(", ", e.getValue()));
            }
        }
        return 0;
    }

    @Command(name = "delete", description = "Delete an alias.")
    int delete(@Parameters(paramLabel = "ALIAS") String alias) {
        String a = AccountCommand.addressArgument(alias);
        try (MailStore store = ctx.openStore()) {
            if (store.directory().aliasTargets(a).isEmpty()) throw CliFailure.failed("no alias " + a);
            try {
                store.directory().deleteAlias(a);
            } catch (StoreException.NotFound e) {
                throw CliFailure.failed("no alias " + a);
            }
        }
        ctx.out().println("deleted alias " + a);
        return 0;
    }
}
