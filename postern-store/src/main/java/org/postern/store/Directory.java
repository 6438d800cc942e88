// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Domains, accounts and aliases. Addresses are compared case-insensitively (their {@code key()} form);
 * an account's address is its login name.
 */
public interface Directory {
    /** @throws StoreException.Conflict when the domain exists */
    void addDomain(String domain);

    List<String> domains();

    boolean isLocalDomain(String domain);

    /**
     * Deletes a domain. @throws StoreException.Refused when it still has accounts or aliases and
     * {@code force} is false; with force they are deleted too.
     */
    void deleteDomain(String domain, boolean force);

    /**
     * Creates an account with the standard mailboxes (INBOX, Drafts, Sent, Trash, Junk, Archive).
     *
     * @throws StoreException.NotFound when the domain is not local
     * @throws StoreException.Conflict when the address is taken by an account or an alias
     */
    Account createAccount(String address, PasswordRecord password, boolean admin);

    Optional<Account> account(String address);

    Optional<Account> account(long accountId);

    List<Account> accounts();

    /** Deletes the account, its mailboxes and messages. Publishes {@link ChangeEvent.Kind#ACCOUNT}. */
    void deleteAccount(String address);

    void setPassword(String address, PasswordRecord password);

    /** Account settings are free-form keys validated by the caller (e.g. "pop3" = "keep"). */
    void setSetting(String address, String key, String value);

    /** @throws StoreException.Conflict when the alias is an account; replaces an existing alias' targets */
    void addAlias(String alias, List<String> targets);

    void deleteAlias(String alias);

    /** Alias address to its targets, in address order. */
    Map<String, List<String>> aliases();

    /** The targets of an alias, or empty when the address is not an alias. */
    List<String> aliasTargets(String alias);
}
