// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.postern.core.MailAddress;
import org.postern.store.Account;
import org.postern.store.Directory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expands recipients through aliases to local accounts and remote addresses: recursively, to a
 * bounded depth, de-duplicated, and safe against alias loops (each address is visited once).
 */
final class AliasResolver {
    private static final Logger log = LoggerFactory.getLogger(AliasResolver.class);

    static final int MAX_DEPTH = 10;
    static final int MAX_ADDRESSES = 1000;

    /** Local accounts (by id, first occurrence order) and remote addresses (by key). */
    record Expansion(List<Account> local, List<MailAddress> remote) {
        boolean isEmpty() {
            return local.isEmpty() && remote.isEmpty();
        }
    }

    private final Directory directory;

    AliasResolver(Directory directory) {
        this.directory = directory;
    }

    Expansion expand(List<MailAddress> recipients) {
        Map<Long, Account> local = new LinkedHashMap<>();
        Map<String, MailAddress> remote = new LinkedHashMap<>();
        Set<String> visited = new LinkedHashSet<>();
        for (MailAddress r : recipients) visit(r, 0, local, remote, visited);
        return new Expansion(List.copyOf(local.values()), List.copyOf(remote.values()));
    }

    private void visit(MailAddress a, int depth, Map<Long, Account> local, Map<String, MailAddress> remote,
            Set<String> visited) {
        if (!visited.add(a.key())) return; // loop or duplicate
        if (visited.size() > MAX_ADDRESSES) {
            log.warn("alias expansion stopped at {} addresses", MAX_ADDRESSES);
            return;
        }
        Optional<Account> account = account(a);
        if (account.isPresent()) {
            local.putIfAbsent(account.get().id(), account.get());
            return;
        }
        List<String> targets = targets(a);
        if (!targets.isEmpty()) {
            if (depth >= MAX_DEPTH) {
                log.warn("alias {} nested deeper than {}: not expanded", a, MAX_DEPTH);
                return;
            }
            for (String t : targets) {
                Optional<MailAddress> parsed = MailAddress.parse(t);
                if (parsed.isEmpty()) {
                    log.warn("alias {} has an invalid target {}", a, t);
                    continue;
                }
                visit(parsed.get(), depth + 1, local, remote, visited);
            }
            return;
        }
        if (isLocalDomain(a.domain())) {
            // An alias pointing at a local user that does not exist (any more): nothing to deliver.
            log.warn("no local mailbox for {}", a);
            return;
        }
        remote.putIfAbsent(a.key(), a);
    }

    /** True when {@code a} is the account itself or an alias that reaches it. */
    boolean reaches(MailAddress a, Account account) {
        if (a.key().equals(account.address().toLowerCase(java.util.Locale.ROOT))) return true;
        if (targets(a).isEmpty()) return false;
        return expand(List.of(a)).local().stream().anyMatch(x -> x.id() == account.id());
    }

    Optional<Account> account(MailAddress a) {
        try {
            return directory.account(a.key());
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a form the directory cannot even parse is nobody
        }
    }

    List<String> targets(MailAddress a) {
        try {
            return directory.aliasTargets(a.key());
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    boolean isLocalDomain(String domain) {
        try {
            return directory.isLocalDomain(domain);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    List<Account> admins() {
        List<Account> out = new ArrayList<>();
        for (Account a : directory.accounts()) if (a.admin()) out.add(a);
        return out;
    }
}
