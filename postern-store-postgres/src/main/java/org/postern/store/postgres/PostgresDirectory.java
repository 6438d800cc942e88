// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.postern.core.MailAddress;
import org.postern.store.Account;
import org.postern.store.ChangeEvent;
import org.postern.store.Directory;
import org.postern.store.Mailbox;
import org.postern.store.PasswordRecord;
import org.postern.store.SpecialUse;
import org.postern.store.StoreException;

/**
 * Domains, accounts and aliases. Addresses are looked up by {@link MailAddress#key()}. Directory
 * writes take a transaction-scoped advisory lock, so two nodes cannot both pass the "address is free"
 * check and create an account and an alias of the same address.
 */
final class PostgresDirectory implements Directory {
    static final int MAX_ALIAS_TARGETS = 1_000;
    static final int MAX_SETTING_LENGTH = 4_096;
    private static final String ACCOUNT_COLUMNS = "id, address, admin, pw_hash, pw_scram";
    private static final long DIRECTORY_LOCK = 0x706f737465726fL;

    /** The mailboxes every account starts with, all subscribed. */
    private static final List<Map.Entry<String, SpecialUse>> STANDARD = List.of(
            Map.entry(Mailbox.INBOX, SpecialUse.NONE), Map.entry("Drafts", SpecialUse.DRAFTS),
            Map.entry("Sent", SpecialUse.SENT), Map.entry("Trash", SpecialUse.TRASH),
            Map.entry("Junk", SpecialUse.JUNK), Map.entry("Archive", SpecialUse.ARCHIVE));

    private final PostgresDatabase db;

    PostgresDirectory(PostgresDatabase db) {
        this.db = db;
    }

    private static void directoryLock(PostgresTx tx) throws SQLException {
        tx.s.exec("SELECT pg_advisory_xact_lock(" + DIRECTORY_LOCK + ")");
    }

    @Override
    public void addDomain(String domain) {
        String d = domain(domain);
        db.write(tx -> {
            directoryLock(tx);
            if (tx.s.update("INSERT INTO domains(name) VALUES (?) ON CONFLICT DO NOTHING", d) == 0) {
                throw new StoreException.Conflict("domain exists: " + d);
            }
            return null;
        });
    }

    @Override
    public List<String> domains() {
        return db.read(s -> s.list("SELECT name FROM domains ORDER BY name", rs -> rs.getString(1)));
    }

    @Override
    public boolean isLocalDomain(String domain) {
        if (domain == null) return false;
        String d = domain.toLowerCase(Locale.ROOT);
        return db.read(s -> s.exists("SELECT 1 FROM domains WHERE name = ?", d));
    }

    @Override
    public void deleteDomain(String domain, boolean force) {
        String d = domain(domain);
        db.write(tx -> {
            directoryLock(tx);
            if (!tx.s.exists("SELECT 1 FROM domains WHERE name = ?", d)) throw new StoreException.NotFound("no domain " + d);
            List<Long> accounts = tx.s.list("SELECT id FROM accounts WHERE domain = ? ORDER BY id", rs -> rs.getLong(1), d);
            long aliases = tx.s.queryLong("SELECT count(*) FROM aliases WHERE domain = ?", 0, d);
            if (!force && (!accounts.isEmpty() || aliases > 0)) {
                throw new StoreException.Refused("domain " + d + " still has " + accounts.size() + " accounts and "
                        + aliases + " aliases");
            }
            for (long id : accounts) deleteAccountRows(tx, id);
            tx.s.update("DELETE FROM aliases WHERE domain = ?", d);
            tx.s.update("DELETE FROM domains WHERE name = ?", d);
            return null;
        });
    }

    @Override
    public Account createAccount(String address, PasswordRecord password, boolean admin) {
        MailAddress a = address(address);
        PasswordRecord pw = password == null ? PasswordRecord.NONE : password;
        return db.write(tx -> {
            directoryLock(tx);
            requireDomain(tx.s, a.domain());
            if (accountId(tx.s, a.key()) >= 0 || aliasExists(tx.s, a.key())) {
                throw new StoreException.Conflict("address taken: " + a);
            }
            long id = tx.s.queryLong("""
                    INSERT INTO accounts(address_key, address, domain, admin, pw_hash, pw_scram, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""", -1, a.key(), a.toString(), a.domain(), admin, pw.hash(),
                    pw.scram(), System.currentTimeMillis());
            tx.lock(id);
            for (Map.Entry<String, SpecialUse> m : STANDARD) {
                PostgresMailboxStore.insertMailbox(tx, id, m.getKey(), m.getValue(), true);
            }
            return load(tx.s, id).orElseThrow();
        });
    }

    @Override
    public Optional<Account> account(String address) {
        Optional<MailAddress> a = MailAddress.parse(address);
        if (a.isEmpty()) return Optional.empty();
        return db.snapshot(s -> {
            long id = accountId(s, a.get().key());
            return id < 0 ? Optional.empty() : load(s, id);
        });
    }

    @Override
    public Optional<Account> account(long accountId) {
        return db.snapshot(s -> load(s, accountId));
    }

    @Override
    public List<Account> accounts() {
        return db.snapshot(s -> {
            Map<Long, Map<String, String>> settings = new HashMap<>();
            s.each("SELECT account_id, key, value FROM account_settings", rs -> settings
                    .computeIfAbsent(rs.getLong(1), k -> new HashMap<>()).put(rs.getString(2), rs.getString(3)));
            return s.list("SELECT " + ACCOUNT_COLUMNS + " FROM accounts ORDER BY address_key",
                    rs -> account(rs, settings.getOrDefault(rs.getLong(1), Map.of())));
        });
    }

    @Override
    public void deleteAccount(String address) {
        MailAddress a = address(address);
        db.write(tx -> {
            directoryLock(tx);
            long id = accountId(tx.s, a.key());
            if (id < 0) throw new StoreException.NotFound("no account " + a);
            deleteAccountRows(tx, id);
            return null;
        });
    }

    /**
     * Everything of the account, and what names it in other accounts' data (ACL entries, per-user
     * \Seen, private annotations): those rows are found by the grantee, not the owner.
     */
    private static void deleteAccountRows(PostgresTx tx, long id) throws SQLException {
        // The event (and its MODSEQ) is taken while the account row still exists.
        tx.event(id, 0, ChangeEvent.Kind.ACCOUNT);
        String key = tx.s.one("SELECT address_key FROM accounts WHERE id = ?", rs -> rs.getString(1), id).orElseThrow();
        tx.s.update("DELETE FROM messages WHERE account_id = ?", id);
        tx.s.update("DELETE FROM expunged WHERE account_id = ?", id);
        tx.s.update("DELETE FROM sort_keys WHERE account_id = ?", id);
        tx.s.update("DELETE FROM metadata WHERE owner_id = ?", id);
        tx.s.update("DELETE FROM metadata WHERE user_id = ?", id);
        tx.s.update("DELETE FROM acl WHERE owner_id = ?", id);
        tx.s.update("DELETE FROM acl WHERE identifier = ?", key);
        tx.s.update("DELETE FROM user_seen WHERE owner_id = ?", id);
        tx.s.update("DELETE FROM user_seen WHERE user_id = ?", id);
        for (String table : List.of("thread_ids", "thread_refs", "identities", "submissions", "object_changes", "vacation",
                "vacation_replied")) {
            tx.s.update("DELETE FROM " + table + " WHERE account_id = ?", id);
        }
        tx.s.update("DELETE FROM mailboxes WHERE account_id = ?", id);
        tx.s.update("DELETE FROM account_settings WHERE account_id = ?", id);
        tx.s.update("DELETE FROM accounts WHERE id = ?", id);
    }

    @Override
    public void setPassword(String address, PasswordRecord password) {
        MailAddress a = address(address);
        PasswordRecord pw = password == null ? PasswordRecord.NONE : password;
        db.write(tx -> {
            long id = accountId(tx.s, a.key());
            if (id < 0) throw new StoreException.NotFound("no account " + a);
            tx.lock(id);
            tx.s.update("UPDATE accounts SET pw_hash = ?, pw_scram = ? WHERE id = ?", pw.hash(), pw.scram(), id);
            tx.event(id, 0, ChangeEvent.Kind.ACCOUNT);
            return null;
        });
    }

    @Override
    public void setSetting(String address, String key, String value) {
        MailAddress a = address(address);
        if (key == null || key.isEmpty() || key.length() > 128) throw new StoreException.Refused("bad setting key");
        if (value != null && value.length() > MAX_SETTING_LENGTH) throw new StoreException.Refused("setting too long");
        db.write(tx -> {
            long id = accountId(tx.s, a.key());
            if (id < 0) throw new StoreException.NotFound("no account " + a);
            tx.lock(id);
            if (value == null) {
                tx.s.update("DELETE FROM account_settings WHERE account_id = ? AND key = ?", id, key);
            } else {
                tx.s.update("""
                        INSERT INTO account_settings(account_id, key, value) VALUES (?, ?, ?)
                        ON CONFLICT (account_id, key) DO UPDATE SET value = EXCLUDED.value""", id, key, value);
            }
            tx.notice(new ChangeEvent(id, 0, 0, ChangeEvent.Kind.SETTINGS));
            return null;
        });
    }

    @Override
    public void addAlias(String alias, List<String> targets) {
        MailAddress a = address(alias);
        if (targets == null || targets.isEmpty() || targets.size() > MAX_ALIAS_TARGETS) {
            throw new StoreException.Refused("an alias needs 1 to " + MAX_ALIAS_TARGETS + " targets");
        }
        List<String> ts = new ArrayList<>();
        for (String t : targets) ts.add(address(t).toString());
        db.write(tx -> {
            directoryLock(tx);
            requireDomain(tx.s, a.domain());
            if (accountId(tx.s, a.key()) >= 0) throw new StoreException.Conflict("address is an account: " + a);
            tx.s.update("""
                    INSERT INTO aliases(alias_key, domain, targets) VALUES (?, ?, ?)
                    ON CONFLICT (alias_key) DO UPDATE SET targets = EXCLUDED.targets""", a.key(), a.domain(),
                    String.join("\n", ts));
            return null;
        });
    }

    @Override
    public void deleteAlias(String alias) {
        MailAddress a = address(alias);
        db.write(tx -> {
            if (tx.s.update("DELETE FROM aliases WHERE alias_key = ?", a.key()) == 0) {
                throw new StoreException.NotFound("no alias " + a);
            }
            return null;
        });
    }

    @Override
    public Map<String, List<String>> aliases() {
        return db.read(s -> {
            Map<String, List<String>> out = new LinkedHashMap<>();
            s.each("SELECT alias_key, targets FROM aliases ORDER BY alias_key", rs -> out.put(rs.getString(1),
                    targets(rs.getString(2))));
            return out;
        });
    }

    @Override
    public List<String> aliasTargets(String alias) {
        Optional<MailAddress> a = MailAddress.parse(alias);
        if (a.isEmpty()) return List.of();
        return db.read(s -> s.one("SELECT targets FROM aliases WHERE alias_key = ?", rs -> targets(rs.getString(1)),
                a.get().key()).orElse(List.of()));
    }

    private static List<String> targets(String stored) {
        return List.copyOf(Arrays.asList(stored.split("\n")));
    }

    private static MailAddress address(String s) {
        return MailAddress.parse(s).orElseThrow(() -> new StoreException.Refused("not a valid address: " + s));
    }

    private static String domain(String d) {
        if (d == null || !MailAddress.validDomain(d)) throw new StoreException.Refused("not a valid domain: " + d);
        return d.toLowerCase(Locale.ROOT);
    }

    private static void requireDomain(PostgresSession s, String domain) throws SQLException {
        if (!s.exists("SELECT 1 FROM domains WHERE name = ?", domain)) {
            throw new StoreException.NotFound("not a local domain: " + domain);
        }
    }

    private static long accountId(PostgresSession s, String key) throws SQLException {
        return s.queryLong("SELECT id FROM accounts WHERE address_key = ?", -1, key);
    }

    private static boolean aliasExists(PostgresSession s, String key) throws SQLException {
        return s.exists("SELECT 1 FROM aliases WHERE alias_key = ?", key);
    }

    private static Optional<Account> load(PostgresSession s, long id) throws SQLException {
        Map<String, String> settings = new HashMap<>();
        s.each("SELECT key, value FROM account_settings WHERE account_id = ?", rs -> settings.put(rs.getString(1),
                rs.getString(2)), id);
        return s.one("SELECT " + ACCOUNT_COLUMNS + " FROM accounts WHERE id = ?", rs -> account(rs, settings), id);
    }

    private static Account account(ResultSet rs, Map<String, String> settings) throws SQLException {
        return new Account(rs.getLong(1), rs.getString(2), rs.getBoolean(3),
                new PasswordRecord(rs.getString(4), rs.getString(5)), settings);
    }
}
