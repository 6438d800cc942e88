// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;
import org.postern.store.Account;
import org.postern.store.Directory;
import org.postern.store.PasswordRecord;

/** Accounts only, enough for AUTH. */
final class FakeDirectory implements Directory {
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();

    void add(String address, String password) {
        accounts.put(address, new Account(accounts.size() + 1, address, false,
                new Passwords(PasswordHasher.Cost.TEST).record(password), Map.of()));
    }

    @Override public void addDomain(String domain) {}
    @Override public List<String> domains() { return List.of("ours.example"); }
    @Override public boolean isLocalDomain(String domain) { return domain.equals("ours.example"); }
    @Override public void deleteDomain(String domain, boolean force) {}
    @Override public Account createAccount(String address, PasswordRecord password, boolean admin) {
        throw new UnsupportedOperationException();
    }
    @Override public Optional<Account> account(String address) { return Optional.ofNullable(accounts.get(address)); }
    @Override public Optional<Account> account(long id) {
        return accounts.values().stream().filter(a -> a.id() == id).findFirst();
    }
    @Override public List<Account> accounts() { return List.copyOf(accounts.values()); }
    @Override public void deleteAccount(String address) { accounts.remove(address); }
    @Override public void setPassword(String address, PasswordRecord password) {}
    @Override public void setSetting(String address, String key, String value) {}
    @Override public void addAlias(String alias, List<String> targets) {}
    @Override public void deleteAlias(String alias) {}
    @Override public Map<String, List<String>> aliases() { return Map.of(); }
    @Override public List<String> aliasTargets(String alias) { return List.of(); }
}
