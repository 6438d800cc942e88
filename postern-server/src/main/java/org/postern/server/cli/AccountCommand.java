// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import org.postern.auth.Passwords;
import org.postern.core.MailAddress;
import org.postern.server.ServerSettings;
import org.postern.store.Account;
import org.postern.store.MailStore;
import org.postern.store.PasswordRecord;
import org.postern.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "account", description = "Add, change, list or delete user accounts.", mixinStandardHelpOptions = true)
public final class AccountCommand implements Runnable {
    private final CliContext ctx;
    @Spec
    CommandSpec spec;

    public AccountCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say what to do: account add|passwd|list|delete|set");
    }

    @Command(name = "add", description = "Create an account; its address is also its login name.")
    int add(@Parameters(paramLabel = "ADDRESS") String address,
            @Option(names = "--password-stdin", description = "read the password from the first line of standard input")
            boolean stdin,
            @Option(names = "--admin", description = "give the account admin rights") boolean admin) {
        String a = addressArgument(address);
        String domain = a.substring(a.lastIndexOf('@') + 1);
        try (MailStore store = ctx.openStore()) {
            // Check first, so nobody types a password twice for an account that cannot be created.
            if (!store.directory().isLocalDomain(domain)) {
                throw CliFailure.failed("domain " + domain + " is not served here; add it with 'postern domain add " + domain + "'");
            }
            if (store.directory().account(a).isPresent() || !store.directory().aliasTargets(a).isEmpty()) {
                throw CliFailure.failed(a + " already exists");
            }
            PasswordRecord pw = record(PasswordInput.read(ctx, stdin, a));
            try {
                store.directory().createAccount(a, pw, admin);
            } catch (StoreException.Conflict e) {
                throw CliFailure.failed(a + " already exists");
            } catch (StoreException.NotFound e) {
                throw CliFailure.failed("domain " + domain + " is not served here; add it with 'postern domain add " + domain + "'");
            }
        }
        ctx.out().println("created account " + a + (admin ? " (admin)" : ""));
        return 0;
    }

    @Command(name = "passwd", description = "Set a new password for an account; its open sessions end.")
    int passwd(@Parameters(paramLabel = "ADDRESS") String address,
            @Option(names = "--password-stdin", description = "read the password from the first line of standard input")
            boolean stdin) {
        String a = addressArgument(address);
        try (MailStore store = ctx.openStore()) {
            requireAccount(store, a);
            PasswordRecord pw = record(PasswordInput.read(ctx, stdin, a));
            try {
                store.directory().setPassword(a, pw);
            } catch (StoreException.NotFound e) {
                throw CliFailure.failed("no account " + a);
            }
        }
        ctx.out().println("changed the password of " + a);
        return 0;
    }

    @Command(name = "list", description = "List the accounts with their rights and settings.")
    int list() {
        try (MailStore store = ctx.openStore()) {
            for (Account acc : store.directory().accounts().stream().sorted(Comparator.comparing(Account::address)).toList()) {
                StringBuilder line = new StringBuilder(acc.address());
                if (acc.admin()) line.append("  admin");
                for (Map.Entry<String, String> s : new TreeMap<>(acc.settings()).entrySet()) {
                    line.append("  ").append(s.getKey()).append('=').append(s.getValue());
                }
                ctx.out().println(line);
            }
        }
        return 0;
    }

    @Command(name = "delete", description = "Delete an account and all its mail.")
    int delete(@Parameters(paramLabel = "ADDRESS") String address) {
        String a = addressArgument(address);
        try (MailStore store = ctx.openStore()) {
            requireAccount(store, a);
            try {
                store.directory().deleteAccount(a);
            } catch (StoreException.NotFound e) {
                throw CliFailure.failed("no account " + a);
            }
        }
        ctx.out().println("deleted account " + a);
        return 0;
    }

    @Command(name = "set", description = "Change a setting: pop3=keep|delete|delete-after-days:N "
            + "(what POP3 does with downloaded mail).")
    int set(@Parameters(index = "0", paramLabel = "ADDRESS") String address,
            @Parameters(index = "1", paramLabel = "KEY=VALUE") String keyValue) {
        String a = addressArgument(address);
        AccountSettings.Setting s = AccountSettings.parse(keyValue);
        try (MailStore store = ctx.openStore()) {
            requireAccount(store, a);
            try {
                store.directory().setSetting(a, s.key(), s.value());
            } catch (StoreException.NotFound e) {
                throw CliFailure.failed("no account " + a);
            }
        }
        ctx.out().println("set " + s.key() + "=" + s.value() + " for " + a);
        return 0;
    }

    private PasswordRecord record(String password) {
        try {
            return new Passwords(ServerSettings.passwordCost(ctx.config().passwordCost())).record(password);
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage(e.getMessage());
        }
    }

    private static void requireAccount(MailStore store, String address) {
        if (store.directory().account(address).isEmpty()) throw CliFailure.failed("no account " + address);
    }

    /** The address in its look-up form (RFC 5321 §2.4: the domain is case-insensitive; see MailAddress#key). */
    static String addressArgument(String address) {
        return MailAddress.parse(address.strip()).map(MailAddress::key)
                .orElseThrow(() -> CliFailure.usage("'" + address + "' is not an email address"));
    }
}
