// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

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

/** Domains, accounts and aliases. Addresses are looked up by {@link MailAddress#key()}. */
final class SqliteDirectory implements Directory {
    static final int MAX_ALIAS_TARGETS = 1_000;
    static final int MAX_SETTING_LENGTH = 4_096;
    private static final String ACCOUNT_COLUMNS = "id, address, admin, pw_hash, pw_scram";

    /** The mailboxes every account starts with, all subscribed. */
    private static final List<Map.Entry<String, SpecialUse>> STANDARD = List.of(
            Map.entry(Mailbox.INBOX, SpecialUse.NONE), Map.entry("Drafts", SpecialUse.DRAFTS),
            Map.entry("Sent", SpecialUse.SENT), Map.entry("Trash", SpecialUse.TRASH),
            Map.entry("Junk", SpecialUse.JUNK), Map.entry("Archive", SpecialUse.ARCHIVE));

    private final SqliteDatabase db;

    SqliteDirectory(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public void addDomain(String domain) {
        String d = domain(domain);
        db.write(tx -> {
            if (tx.c.queryLong("SELECT count(*) FROM domains WHERE name = ?", 0, d) > 0) {
                throw new StoreException.Conflict("domain exists: " + d);
            }
            tx.c.update("INSERT INTO domains(name) VALUES (?)", d);
            return null;
        });
    }

    @Override
    public List<String> domains() {
        return db.read(c -> {
            List<String> out = new ArrayList<>();
            try (ResultSet rs = c.query("SELECT name FROM domains ORDER BY name")) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        });
    }

    @Override
    public boolean isLocalDomain(String domain) {
        if (domain == null) return false;
        String d = domain.toLowerCase(Locale.ROOT);
        return db.read(c -> c.queryLong("SELECT count(*) FROM domains WHERE name = ?", 0, d) > 0);
    }

    @Override
    public void deleteDomain(String domain, boolean force) {
        String d = domain(domain);
        db.write(tx -> {
            if (tx.c.queryLong("SELECT count(*) FROM domains WHERE name = ?", 0, d) == 0) {
                throw new StoreException.NotFound("no domain " + d);
            }
            List<Long> accounts = new ArrayList<>();
            try (ResultSet rs = tx.c.query("SELECT id FROM accounts WHERE domain = ?", d)) {
                while (rs.next()) accounts.add(rs.getLong(1));
            }
            long aliases = tx.c.queryLong("SELECT count(*) FROM aliases WHERE domain = ?", 0, d);
            if (!force && (!accounts.isEmpty() || aliases > 0)) {
                throw new StoreException.Refused("domain " + d + " still has " + accounts.size() + " accounts and "
                        + aliases + " aliases");
            }
            for (long id : accounts) deleteAccountRows(tx, id);
            tx.c.update("DELETE FROM aliases WHERE domain = ?", d);
            tx.c.update("DELETE FROM domains WHERE name = ?", d);
            return null;
        });
    }

    @Override
    public Account createAccount(String address, PasswordRecord password, boolean admin) {
        MailAddress a = address(address);
        PasswordRecord pw = password == null ? PasswordRecord.NONE : password;
        return db.write(tx -> {
            requireDomain(tx.c, a.domain());
            if (accountId(tx.c, a.key()) >= 0 || aliasExists(tx.c, a.key())) {
                throw new StoreException.Conflict("address taken: " + a);
            }
            tx.c.update("""
                    INSERT INTO accounts(address_key, address, domain, admin, pw_hash, pw_scram, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""", a.key(), a.toString(), a.domain(), admin, pw.hash(), pw.scram(),
                    System.currentTimeMillis());
            long id = tx.c.lastInsertId();
            for (Map.Entry<String, SpecialUse> m : STANDARD) {
                SqliteMailboxStore.insertMailbox(tx, id, m.getKey(), m.getValue(), true);
            }
            return load(tx.c, id).orElseThrow();
        });
    }

    @Override
    public Optional<Account> account(String address) {
        Optional<MailAddress> a = MailAddress.parse(address);
        if (a.isEmpty()) return Optional.empty();
        return db.read(c -> {
            long id = accountId(c, a.get().key());
            return id < 0 ? Optional.empty() : load(c, id);
        });
    }

    @Override
    public Optional<Account> account(long accountId) {
        return db.read(c -> load(c, accountId));
    }

    @Override
    public List<Account> accounts() {
        return db.read(c -> {
            Map<Long, Map<String, String>> settings = new HashMap<>();
            try (ResultSet rs = c.query("SELECT account_id, key, value FROM account_settings")) {
                while (rs.next()) settings.computeIfAbsent(rs.getLong(1), k -> new HashMap<>()).put(rs.getString(2), rs.getString(3));
            }
            List<Account> out = new ArrayList<>();
            try (ResultSet rs = c.query("SELECT " + ACCOUNT_COLUMNS + " FROM accounts ORDER BY address_key")) {
                while (rs.next()) out.add(account(rs, settings.getOrDefault(rs.getLong(1), Map.of())));
            }
            return out;
        });
    }

    @Override
    public void deleteAccount(String address) {
        MailAddress a = address(address);
        db.write(tx -> {
            long id = accountId(tx.c, a.key());
            if (id < 0) throw new StoreException.NotFound("no account " + a);
            deleteAccountRows(tx, id);
            return null;
        });
    }

    private static void deleteAccountRows(SqliteTx tx, long id) throws SQLException {
        // The event (and its MODSEQ) is taken while the account row still exists.
        tx.event(id, 0, ChangeEvent.Kind.ACCOUNT);
        tx.c.update("DELETE FROM messages WHERE account_id = ?", id);
        tx.c.update("DELETE FROM expunged WHERE account_id = ?", id);
        tx.c.update("DELETE FROM mailboxes WHERE account_id = ?", id);
        tx.c.update("DELETE FROM account_settings WHERE account_id = ?", id);
        tx.c.update("DELETE FROM accounts WHERE id = ?", id);
        tx.releaseBlobs();
    }

    @Override
    public void setPassword(String address, PasswordRecord password) {
        MailAddress a = address(address);
        PasswordRecord pw = password == null ? PasswordRecord.NONE : password;
        db.write(tx -> {
            long id = accountId(tx.c, a.key());
            if (id < 0) throw new StoreException.NotFound("no account " + a);
            tx.c.update("UPDATE accounts SET pw_hash = ?, pw_scram = ? WHERE id = ?", pw.hash(), pw.scram(), id);
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
            long id = accountId(tx.c, a.key());
            if (id < 0) throw new StoreException.NotFound("no account " + a);
            if (value == null) {
                tx.c.update("DELETE FROM account_settings WHERE account_id = ? AND key = ?", id, key);
            } else {
                tx.c.update("INSERT OR REPLACE INTO account_settings(account_id, key, value) VALUES (?, ?, ?)", id, key, value);
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
            requireDomain(tx.c, a.domain());
            if (accountId(tx.c, a.key()) >= 0) throw new StoreException.Conflict("address is an account: " + a);
            tx.c.update("INSERT OR REPLACE INTO aliases(alias_key, domain, targets) VALUES (?, ?, ?)", a.key(), a.domain(),
                    String.join("\n", ts));
            return null;
        });
    }

    @Override
    public void deleteAlias(String alias) {
        MailAddress a = address(alias);
        db.write(tx -> {
            if (tx.c.update("DELETE FROM aliases WHERE alias_key = ?", a.key()) == 0) {
                throw new StoreException.NotFound("no alias " + a);
            }
            return null;
        });
    }

    @Override
    public Map<String, List<String>> aliases() {
        return db.read(c -> {
            Map<String, List<String>> out = new LinkedHashMap<>();
            try (ResultSet rs = c.query("SELECT alias_key, targets FROM aliases ORDER BY alias_key")) {
                while (rs.next()) out.put(rs.getString(1), targets(rs.getString(2)));
            }
            return out;
        });
    }

    @Override
    public List<String> aliasTargets(String alias) {
        Optional<MailAddress> a = MailAddress.parse(alias);
        if (a.isEmpty()) return List.of();
        return db.read(c -> {
            try (ResultSet rs = c.query("SELECT targets FROM aliases WHERE alias_key = ?", a.get().key())) {
                return rs.next() ? targets(rs.getString(1)) : List.of();
            }
        });
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

    private static void requireDomain(SqliteConnection c, String domain) throws SQLException {
        if (c.queryLong("SELECT count(*) FROM domains WHERE name = ?", 0, domain) == 0) {
            throw new StoreException.NotFound("not a local domain: " + domain);
        }
    }

    private static long accountId(SqliteConnection c, String key) throws SQLException {
        return c.queryLong("SELECT id FROM accounts WHERE address_key = ?", -1, key);
    }

    private static boolean aliasExists(SqliteConnection c, String key) throws SQLException {
        return c.queryLong("SELECT count(*) FROM aliases WHERE alias_key = ?", 0, key) > 0;
    }

    private static Optional<Account> load(SqliteConnection c, long id) throws SQLException {
        Map<String, String> settings = new HashMap<>();
        try (ResultSet rs = c.query("SELECT key, value FROM account_settings WHERE account_id = ?", id)) {
            while (rs.next()) settings.put(rs.getString(1), rs.getString(2));
        }
        try (ResultSet rs = c.query("SELECT " + ACCOUNT_COLUMNS + " FROM accounts WHERE id = ?", id)) {
            return rs.next() ? Optional.of(account(rs, settings)) : Optional.empty();
        }
    }

    private static Account account(ResultSet rs, Map<String, String> settings) throws SQLException {
        return new Account(rs.getLong(1), rs.getString(2), rs.getInt(3) != 0,
                new PasswordRecord(rs.getString(4), rs.getString(5)), settings);
    }
}
