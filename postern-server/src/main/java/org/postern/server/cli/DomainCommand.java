// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.time.Instant;
import java.util.Locale;
import org.postern.core.MailAddress;
import org.postern.store.Account;
import org.postern.store.DkimKeyStore;
import org.postern.store.MailStore;
import org.postern.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "domain", description = "Add, list or delete the domains this server receives mail for.",
        mixinStandardHelpOptions = true)
public final class DomainCommand implements Runnable {
    private final CliContext ctx;
    @Spec
    CommandSpec spec;

    public DomainCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say what to do: domain add|list|delete");
    }

    @Command(name = "add", description = "Receive mail for DOMAIN; creates its DKIM keys and prints the DNS records "
            + "to publish (again later with 'postern dns DOMAIN').")
    int add(@Parameters(paramLabel = "DOMAIN") String domain,
            @Option(names = "--address", paramLabel = "IP", description = "a public address of this server for the A/AAAA "
                    + "records (repeatable; default: the public addresses of this machine's interfaces)")
            java.util.List<java.net.InetAddress> addresses) {
        String d = domainArgument(domain);
        try (MailStore store = ctx.openStore()) {
            try {
                store.directory().addDomain(d);
            } catch (StoreException.Conflict e) {
                throw CliFailure.failed("domain " + d + " already exists");
            }
            ctx.out().println("added domain " + d);
            DnsCommand.ensureKeys(store, d, Instant.now());
            ctx.out().println();
            DnsCommand.print(ctx.out(), store, d, DnsCommand.Inputs.of(ctx.config(), addresses == null || addresses.isEmpty()
                    ? DnsCommand.publicAddresses() : addresses));
        }
        return 0;
    }

    @Command(name = "list", description = "List the domains.")
    int list() {
        try (MailStore store = ctx.openStore()) {
            store.directory().domains().stream().sorted().forEach(ctx.out()::println);
        }
        return 0;
    }

    @Command(name = "delete", description = "Stop receiving mail for DOMAIN. Refused while it has accounts or "
            + "aliases, unless --force, which deletes them and their mail too.")
    int delete(@Parameters(paramLabel = "DOMAIN") String domain,
            @Option(names = "--force", description = "also delete the domain's accounts, their mail, and its aliases")
            boolean force) {
        String d = domainArgument(domain);
        try (MailStore store = ctx.openStore()) {
            if (!store.directory().domains().contains(d)) throw CliFailure.failed("no domain " + d);
            try {
                store.directory().deleteDomain(d, force);
            } catch (StoreException.Refused e) {
                throw CliFailure.failed(refusal(store, d));
            }
            // A domain added again later gets fresh keys rather than ones whose records may be gone.
            for (DkimKeyStore.DkimKey k : store.dkimKeys().keys(d)) store.dkimKeys().delete(d, k.selector());
        }
        ctx.out().println("deleted domain " + d);
        return 0;
    }

    private static String refusal(MailStore store, String domain) {
        long accounts = store.directory().accounts().stream().map(Account::address)
                .filter(a -> a.toLowerCase(Locale.ROOT).endsWith("@" + domain)).count();
        long aliases = store.directory().aliases().keySet().stream()
                .filter(a -> a.toLowerCase(Locale.ROOT).endsWith("@" + domain)).count();
        StringBuilder what = new StringBuilder();
        if (accounts > 0) what.append(accounts).append(accounts == 1 ? " account" : " accounts");
        if (aliases > 0) {
            if (!what.isEmpty()) what.append(" and ");
            what.append(aliases).append(aliases == 1 ? " alias" : " aliases");
        }
        if (what.isEmpty()) what.append("accounts or aliases");
        return "domain " + domain + " has " + what + "; use --force to delete them too";
    }

    static String domainArgument(String domain) {
        String d = domain.strip().toLowerCase(Locale.ROOT);
        if (!MailAddress.validDomain(d)) throw CliFailure.usage("'" + domain + "' is not a domain name");
        return d;
    }
}
