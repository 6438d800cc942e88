// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.sql.SQLException;
import java.util.List;
import org.postern.store.StoreException;

/**
 * The schema as an ordered list of migrations; {@code PRAGMA user_version} is the number applied.
 * Migrations are only ever appended: a released one is never edited, so data written by any earlier
 * release can be brought forward. Data with a higher version than {@link #CURRENT} is refused.
 *
 * <p>Per-account tables lead with {@code account_id}. Counters (messages, unseen, used bytes, blob
 * references) are kept by triggers so they cannot drift from the rows they count.
 */
final class SqliteSchema {
    private SqliteSchema() {}

    private static final List<List<String>> MIGRATIONS = List.of(
            // 1: initial schema
            List.of("""
                    CREATE TABLE domains (name TEXT PRIMARY KEY) WITHOUT ROWID""",
                    """
                    CREATE TABLE accounts (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      address_key TEXT NOT NULL UNIQUE,
                      address TEXT NOT NULL,
                      domain TEXT NOT NULL REFERENCES domains(name),
                      admin INTEGER NOT NULL DEFAULT 0,
                      pw_hash TEXT NOT NULL DEFAULT '',
                      pw_scram TEXT NOT NULL DEFAULT '',
                      modseq INTEGER NOT NULL DEFAULT 0,
                      next_mailbox_id INTEGER NOT NULL DEFAULT 1,
                      last_uidvalidity INTEGER NOT NULL DEFAULT 0,
                      used_bytes INTEGER NOT NULL DEFAULT 0,
                      created_at INTEGER NOT NULL)""",
                    "CREATE INDEX accounts_domain ON accounts(domain)",
                    """
                    CREATE TABLE account_settings (
                      account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                      key TEXT NOT NULL,
                      value TEXT NOT NULL,
                      PRIMARY KEY (account_id, key)) WITHOUT ROWID""",
                    """
                    CREATE TABLE aliases (
                      alias_key TEXT PRIMARY KEY,
                      domain TEXT NOT NULL REFERENCES domains(name),
                      targets TEXT NOT NULL) WITHOUT ROWID""",
                    "CREATE INDEX aliases_domain ON aliases(domain)",
                    """
                    CREATE TABLE mailboxes (
                      account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                      id INTEGER NOT NULL,
                      name TEXT NOT NULL,
                      special_use TEXT NOT NULL DEFAULT 'NONE',
                      uidvalidity INTEGER NOT NULL,
                      uidnext INTEGER NOT NULL DEFAULT 1,
                      highestmodseq INTEGER NOT NULL,
                      subscribed INTEGER NOT NULL DEFAULT 0,
                      messages INTEGER NOT NULL DEFAULT 0,
                      unseen INTEGER NOT NULL DEFAULT 0,
                      PRIMARY KEY (account_id, id),
                      UNIQUE (account_id, name)) WITHOUT ROWID""",
                    """
                    CREATE TABLE messages (
                      account_id INTEGER NOT NULL,
                      mailbox_id INTEGER NOT NULL,
                      uid INTEGER NOT NULL,
                      modseq INTEGER NOT NULL,
                      flags TEXT NOT NULL DEFAULT '',
                      seen INTEGER NOT NULL DEFAULT 0,
                      size INTEGER NOT NULL,
                      internal_date INTEGER NOT NULL,
                      saved_date INTEGER NOT NULL,
                      blob_id TEXT NOT NULL,
                      PRIMARY KEY (account_id, mailbox_id, uid),
                      FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes(account_id, id) ON DELETE CASCADE
                    ) WITHOUT ROWID""",
                    "CREATE INDEX messages_modseq ON messages(account_id, mailbox_id, modseq)",
                    """
                    CREATE TABLE expunged (
                      account_id INTEGER NOT NULL,
                      mailbox_id INTEGER NOT NULL,
                      uid INTEGER NOT NULL,
                      modseq INTEGER NOT NULL,
                      PRIMARY KEY (account_id, mailbox_id, uid)) WITHOUT ROWID""",
                    "CREATE INDEX expunged_modseq ON expunged(account_id, mailbox_id, modseq)",
                    """
                    CREATE TABLE queue (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      mail_from TEXT NOT NULL,
                      recipients TEXT NOT NULL,
                      blob_id TEXT NOT NULL,
                      size INTEGER NOT NULL,
                      queued_at INTEGER NOT NULL,
                      next_attempt INTEGER NOT NULL,
                      attempts INTEGER NOT NULL DEFAULT 0,
                      last_error TEXT NOT NULL DEFAULT '')""",
                    "CREATE INDEX queue_due ON queue(next_attempt)",
                    "CREATE TABLE blob_refs (blob_id TEXT PRIMARY KEY, refs INTEGER NOT NULL) WITHOUT ROWID",
                    "CREATE INDEX blob_refs_free ON blob_refs(refs) WHERE refs <= 0",
                    """
                    CREATE TABLE changelog (
                      seq INTEGER PRIMARY KEY AUTOINCREMENT,
                      account_id INTEGER NOT NULL,
                      mailbox_id INTEGER NOT NULL,
                      modseq INTEGER NOT NULL,
                      kind TEXT NOT NULL,
                      at INTEGER NOT NULL)""",
                    "CREATE INDEX changelog_at ON changelog(at)",
                    """
                    CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
                      UPDATE mailboxes SET messages = messages + 1, unseen = unseen + 1 - NEW.seen
                        WHERE account_id = NEW.account_id AND id = NEW.mailbox_id;
                      UPDATE accounts SET used_bytes = used_bytes + NEW.size WHERE id = NEW.account_id;
                      INSERT INTO blob_refs(blob_id, refs) VALUES (NEW.blob_id, 1)
                        ON CONFLICT(blob_id) DO UPDATE SET refs = refs + 1;
                    END""",
                    """
                    CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
                      UPDATE mailboxes SET messages = messages - 1, unseen = unseen - 1 + OLD.seen
                        WHERE account_id = OLD.account_id AND id = OLD.mailbox_id;
                      UPDATE accounts SET used_bytes = used_bytes - OLD.size WHERE id = OLD.account_id;
                      UPDATE blob_refs SET refs = refs - 1 WHERE blob_id = OLD.blob_id;
                    END""",
                    """
                    CREATE TRIGGER messages_seen AFTER UPDATE OF seen ON messages WHEN OLD.seen <> NEW.seen BEGIN
                      UPDATE mailboxes SET unseen = unseen + OLD.seen - NEW.seen
                        WHERE account_id = NEW.account_id AND id = NEW.mailbox_id;
                    END""",
                    """
                    CREATE TRIGGER queue_ai AFTER INSERT ON queue BEGIN
                      INSERT INTO blob_refs(blob_id, refs) VALUES (NEW.blob_id, 1)
                        ON CONFLICT(blob_id) DO UPDATE SET refs = refs + 1;
                    END""",
                    """
                    CREATE TRIGGER queue_ad AFTER DELETE ON queue BEGIN
                      UPDATE blob_refs SET refs = refs - 1 WHERE blob_id = OLD.blob_id;
                    END"""),
            // 2: IMAP METADATA (RFC 5464): owner/mailbox 0 = server entries, user 0 = /shared
            List.of("""
                    CREATE TABLE metadata (
                      owner_id INTEGER NOT NULL,
                      mailbox_id INTEGER NOT NULL,
                      user_id INTEGER NOT NULL,
                      entry TEXT NOT NULL,
                      value BLOB NOT NULL,
                      PRIMARY KEY (owner_id, mailbox_id, user_id, entry)) WITHOUT ROWID""",
                    """
                    CREATE TRIGGER metadata_mailbox_ad AFTER DELETE ON mailboxes BEGIN
                      DELETE FROM metadata WHERE owner_id = OLD.account_id AND mailbox_id = OLD.id;
                    END""",
                    """
                    CREATE TRIGGER metadata_account_ad AFTER DELETE ON accounts BEGIN
                      DELETE FROM metadata WHERE owner_id = OLD.id OR user_id = OLD.id;
                    END"""),
            // 3: sort keys a protocol derived from a message's headers (IMAP SORT, RFC 5256), per blob
            // (bodies never change); dropped with the blob's last reference.
            List.of("""
                    CREATE TABLE sort_keys (
                      blob_id TEXT NOT NULL,
                      account_id INTEGER NOT NULL,
                      version INTEGER NOT NULL,
                      sent_date INTEGER,
                      subject TEXT NOT NULL,
                      from_mbx TEXT NOT NULL,
                      to_mbx TEXT NOT NULL,
                      cc_mbx TEXT NOT NULL,
                      display_from TEXT NOT NULL,
                      display_to TEXT NOT NULL,
                      PRIMARY KEY (blob_id, account_id)) WITHOUT ROWID""",
                    """
                    CREATE TRIGGER sort_keys_free AFTER UPDATE OF refs ON blob_refs WHEN NEW.refs <= 0 BEGIN
                      DELETE FROM sort_keys WHERE blob_id = NEW.blob_id;
                    END"""),
            // 4: queue entries keep their DSN (RFC 3461), REQUIRETLS (RFC 8689) and BINARYMIME (RFC 3030) options
            List.of(
                    "ALTER TABLE queue ADD COLUMN dsn_ret TEXT NOT NULL DEFAULT ''",
                    "ALTER TABLE queue ADD COLUMN dsn_envid TEXT NOT NULL DEFAULT ''",
                    "ALTER TABLE queue ADD COLUMN require_tls INTEGER NOT NULL DEFAULT 0",
                    "ALTER TABLE queue ADD COLUMN binary_body INTEGER NOT NULL DEFAULT 0",
                    "ALTER TABLE queue ADD COLUMN rcpt_options TEXT NOT NULL DEFAULT ''"),
            // 5: ACL (RFC 4314) and the per-user \Seen of shared mailboxes
            List.of("""
                    CREATE TABLE acl (
                      owner_id INTEGER NOT NULL,
                      mailbox_id INTEGER NOT NULL,
                      identifier TEXT NOT NULL,
                      rights TEXT NOT NULL,
                      PRIMARY KEY (owner_id, mailbox_id, identifier)) WITHOUT ROWID""",
                    "CREATE INDEX acl_identifier ON acl(identifier)",
                    """
                    CREATE TABLE user_seen (
                      owner_id INTEGER NOT NULL,
                      mailbox_id INTEGER NOT NULL,
                      user_id INTEGER NOT NULL,
                      uid INTEGER NOT NULL,
                      PRIMARY KEY (owner_id, mailbox_id, user_id, uid)) WITHOUT ROWID""",
                    """
                    CREATE TRIGGER acl_mailbox_ad AFTER DELETE ON mailboxes BEGIN
                      DELETE FROM acl WHERE owner_id = OLD.account_id AND mailbox_id = OLD.id;
                      DELETE FROM user_seen WHERE owner_id = OLD.account_id AND mailbox_id = OLD.id;
                    END""",
                    """
                    CREATE TRIGGER acl_account_ad AFTER DELETE ON accounts BEGIN
                      DELETE FROM acl WHERE owner_id = OLD.id OR identifier = OLD.address_key;
                      DELETE FROM user_seen WHERE owner_id = OLD.id OR user_id = OLD.id;
                    END"""),
            // 6: DKIM signing keys (RFC 6376), shared by every node using this store
            List.of("""
                    CREATE TABLE dkim_keys (
                      domain TEXT NOT NULL,
                      selector TEXT NOT NULL,
                      algorithm TEXT NOT NULL,
                      private_key BLOB NOT NULL,
                      public_key BLOB NOT NULL,
                      created INTEGER NOT NULL,
                      PRIMARY KEY (domain, selector)) WITHOUT ROWID"""),
            // 7: JMAP identities, submission records, vacation responses (RFC 8621 §6-8, RFC 3834), and
            // the change numbers of these per-account objects (kind 'I' identity, 'S' submission)
            List.of("""
                    CREATE TABLE object_changes (
                      seq INTEGER PRIMARY KEY AUTOINCREMENT,
                      account_id INTEGER NOT NULL,
                      kind TEXT NOT NULL,
                      object_id INTEGER NOT NULL,
                      op TEXT NOT NULL)""",
                    "CREATE INDEX object_changes_account ON object_changes(account_id, kind, seq)",
                    """
                    CREATE TABLE identities (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      account_id INTEGER NOT NULL,
                      name TEXT NOT NULL,
                      email TEXT NOT NULL,
                      reply_to TEXT,
                      bcc TEXT,
                      text_signature TEXT NOT NULL,
                      html_signature TEXT NOT NULL,
                      may_delete INTEGER NOT NULL)""",
                    "CREATE INDEX identities_account ON identities(account_id)",
                    """
                    CREATE TABLE submissions (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      account_id INTEGER NOT NULL,
                      identity_id INTEGER NOT NULL,
                      email_id TEXT NOT NULL,
                      thread_id TEXT NOT NULL,
                      mail_from TEXT NOT NULL,
                      recipients TEXT NOT NULL,
                      local_recipients TEXT NOT NULL,
                      queue_id INTEGER NOT NULL,
                      send_at INTEGER NOT NULL,
                      undo_status TEXT NOT NULL)""",
                    "CREATE INDEX submissions_account ON submissions(account_id)",
                    """
                    CREATE TABLE vacation (
                      account_id INTEGER PRIMARY KEY,
                      enabled INTEGER NOT NULL,
                      from_date INTEGER,
                      to_date INTEGER,
                      subject TEXT,
                      text_body TEXT,
                      html_body TEXT,
                      state INTEGER NOT NULL)""",
                    """
                    CREATE TABLE vacation_replied (
                      account_id INTEGER NOT NULL,
                      sender TEXT NOT NULL,
                      at INTEGER NOT NULL,
                      PRIMARY KEY (account_id, sender)) WITHOUT ROWID""",
                    """
                    CREATE TRIGGER jmap_objects_account_ad AFTER DELETE ON accounts BEGIN
                      DELETE FROM object_changes WHERE account_id = OLD.id;
                      DELETE FROM identities WHERE account_id = OLD.id;
                      DELETE FROM submissions WHERE account_id = OLD.id;
                      DELETE FROM vacation WHERE account_id = OLD.id;
                      DELETE FROM vacation_replied WHERE account_id = OLD.id;
                    END"""),
            // 8: conversation threads (RFC 8474 THREADID, JMAP threadId): body to thread, message id to
            // thread, and a per-account counter so that ids are never reused
            List.of("ALTER TABLE accounts ADD COLUMN next_thread_id INTEGER NOT NULL DEFAULT 1",
                    """
                    CREATE TABLE thread_ids (
                      account_id INTEGER NOT NULL,
                      blob_id TEXT NOT NULL,
                      thread_id INTEGER NOT NULL,
                      PRIMARY KEY (account_id, blob_id)) WITHOUT ROWID""",
                    """
                    CREATE TABLE thread_refs (
                      account_id INTEGER NOT NULL,
                      message_id TEXT NOT NULL,
                      thread_id INTEGER NOT NULL,
                      PRIMARY KEY (account_id, message_id)) WITHOUT ROWID""",
                    """
                    CREATE TRIGGER thread_ids_free AFTER UPDATE OF refs ON blob_refs WHEN NEW.refs <= 0 BEGIN
                      DELETE FROM thread_ids WHERE blob_id = NEW.blob_id;
                    END""",
                    """
                    CREATE TRIGGER threads_account_ad AFTER DELETE ON accounts BEGIN
                      DELETE FROM thread_ids WHERE account_id = OLD.id;
                      DELETE FROM thread_refs WHERE account_id = OLD.id;
                    END"""),
            // 9: every stored message is now threaded on arrival, so thread_ids is as large as the
            // bodies: the trigger freeing a body's entries finds them by index, not by a table scan
            List.of("CREATE INDEX thread_ids_blob ON thread_ids(blob_id)"),
            // 10: what the queue learned about each recipient of a JMAP submission (RFC 8621 §7
            // deliveryStatus), found from the queue entry; and the RFC 4865 release time of a held entry
            // (0: none), kept with the entry so that a restart still holds it
            List.of("""
                    CREATE TABLE submission_deliveries (
                      submission_id INTEGER NOT NULL,
                      seq INTEGER NOT NULL,
                      recipient TEXT NOT NULL,
                      delivered TEXT NOT NULL,
                      smtp_reply TEXT NOT NULL,
                      PRIMARY KEY (submission_id, recipient))""",
                    "CREATE INDEX submissions_queue ON submissions(queue_id)",
                    """
                    CREATE TRIGGER submission_deliveries_gc AFTER DELETE ON submissions BEGIN
                      DELETE FROM submission_deliveries WHERE submission_id = OLD.id;
                    END""",
                    "ALTER TABLE queue ADD COLUMN hold_until INTEGER NOT NULL DEFAULT 0"),
            // 11: browser sessions and authentication failures in the store (shared with the CLI, kept
            // over restarts). A session is found by its token hash alone (the cookie names no account),
            // hence the unique index; everything else is scoped by account.
            List.of("""
                    CREATE TABLE web_sessions (
                      account_id INTEGER NOT NULL,
                      token_hash TEXT NOT NULL,
                      csrf_token TEXT NOT NULL,
                      stamp TEXT NOT NULL,
                      created INTEGER NOT NULL,
                      last_seen INTEGER NOT NULL,
                      PRIMARY KEY (account_id, token_hash)) WITHOUT ROWID""",
                    "CREATE UNIQUE INDEX web_sessions_token ON web_sessions(token_hash)",
                    "CREATE INDEX web_sessions_seen ON web_sessions(last_seen)",
                    """
                    CREATE TRIGGER web_sessions_account_ad AFTER DELETE ON accounts BEGIN
                      DELETE FROM web_sessions WHERE account_id = OLD.id;
                    END""",
                    "CREATE TABLE auth_failures (key TEXT NOT NULL, at INTEGER NOT NULL)",
                    "CREATE INDEX auth_failures_key ON auth_failures(key, at)",
                    "CREATE INDEX auth_failures_at ON auth_failures(at)"),
            // 12: change events name the annotation they announce (RFC 5464 entry, ChangeEvent.Entry
            // text), so another process can tell NOTIFY sessions which entry changed (RFC 5465 §5.9-5.10)
            List.of("ALTER TABLE changelog ADD COLUMN entry TEXT"),
            // 13: sort keys per message too (IMAP SORT, RFC 5256 §3): a SORT reads its mailbox's keys as
            // one range in UID order instead of looking each body up in sort_keys (100,000 random
            // lookups were most of the first SORT of a large mailbox). Kept by triggers: a message
            // takes its body's keys when stored (copy, move), and keys stored for a body (delivery,
            // APPEND, SORT's derivation) go to every message of it in the account.
            List.of("""
                    CREATE TABLE message_sort_keys (
                      account_id INTEGER NOT NULL,
                      mailbox_id INTEGER NOT NULL,
                      uid INTEGER NOT NULL,
                      version INTEGER NOT NULL,
                      sent_date INTEGER,
                      subject TEXT NOT NULL,
                      from_mbx TEXT NOT NULL,
                      to_mbx TEXT NOT NULL,
                      cc_mbx TEXT NOT NULL,
                      display_from TEXT NOT NULL,
                      display_to TEXT NOT NULL,
                      PRIMARY KEY (account_id, mailbox_id, uid)) WITHOUT ROWID""",
                    "CREATE INDEX messages_blob ON messages(account_id, blob_id)",
                    """
                    CREATE TRIGGER message_sort_keys_message_ai AFTER INSERT ON messages BEGIN
                      INSERT OR REPLACE INTO message_sort_keys
                        SELECT NEW.account_id, NEW.mailbox_id, NEW.uid, k.version, k.sent_date, k.subject, k.from_mbx,
                          k.to_mbx, k.cc_mbx, k.display_from, k.display_to
                        FROM sort_keys k WHERE k.blob_id = NEW.blob_id AND k.account_id = NEW.account_id;
                    END""",
                    """
                    CREATE TRIGGER message_sort_keys_message_ad AFTER DELETE ON messages BEGIN
                      DELETE FROM message_sort_keys
                        WHERE account_id = OLD.account_id AND mailbox_id = OLD.mailbox_id AND uid = OLD.uid;
                    END""",
                    """
                    CREATE TRIGGER message_sort_keys_ai AFTER INSERT ON sort_keys BEGIN
                      INSERT OR REPLACE INTO message_sort_keys
                        SELECT m.account_id, m.mailbox_id, m.uid, NEW.version, NEW.sent_date, NEW.subject, NEW.from_mbx,
                          NEW.to_mbx, NEW.cc_mbx, NEW.display_from, NEW.display_to
                        FROM messages m WHERE m.account_id = NEW.account_id AND m.blob_id = NEW.blob_id;
                    END""",
                    """
                    INSERT INTO message_sort_keys
                      SELECT m.account_id, m.mailbox_id, m.uid, k.version, k.sent_date, k.subject, k.from_mbx, k.to_mbx,
                        k.cc_mbx, k.display_from, k.display_to
                      FROM messages m JOIN sort_keys k ON k.blob_id = m.blob_id AND k.account_id = m.account_id"""),
            // 14: the change log without its index on the time (pruned by sequence, SqliteDatabase) and
            // without AUTOINCREMENT: each was one more page written by every commit that announces a
            // change (sqlite_sequence's row, the index), for a prune that runs once per thousand writes.
            // Sequence numbers still only grow: the prune always keeps the newest row, so the next is
            // above every one handed out; a row of an unknown kind carries the old counter over when
            // the log was empty (pollers skip such rows).
            List.of("""
                    CREATE TABLE changelog_v14 (
                      seq INTEGER PRIMARY KEY,
                      account_id INTEGER NOT NULL,
                      mailbox_id INTEGER NOT NULL,
                      modseq INTEGER NOT NULL,
                      kind TEXT NOT NULL,
                      at INTEGER NOT NULL,
                      entry TEXT)""",
                    "INSERT INTO changelog_v14 SELECT seq, account_id, mailbox_id, modseq, kind, at, entry FROM changelog",
                    """
                    INSERT INTO changelog_v14(seq, account_id, mailbox_id, modseq, kind, at)
                      SELECT s.seq, 0, 0, 0, 'SEQUENCE', 0 FROM sqlite_sequence s
                      WHERE s.name = 'changelog' AND s.seq > coalesce((SELECT max(seq) FROM changelog_v14), 0)""",
                    "DROP TABLE changelog",
                    "ALTER TABLE changelog_v14 RENAME TO changelog"),
            // 15: small message bodies inside the database (SqliteBlobStore.INLINE_MAX): one WAL write
            // in the group commit instead of a blob file's create, fsync, rename and directory fsync.
            // A rowid table: its leaf pages hold each row's first part only (the rest in overflow pages),
            // where WITHOUT ROWID would keep rows of many KiB in its key b-tree. The implicit index on
            // blob_id is small and lets the orphan sweep (SqliteBlobStore.sweepInline) go over the ids
            // without reading the rows. References are counted in blob_refs, as for blob files.
            List.of("CREATE TABLE blob_data (blob_id TEXT PRIMARY KEY, written INTEGER NOT NULL, bytes BLOB NOT NULL)"));

    /** The schema version this code writes. */
    static final int CURRENT = MIGRATIONS.size();

    /** Brings the database to {@link #CURRENT} in one transaction. @throws StoreException.TooNew */
    static int migrate(SqliteConnection c) throws SQLException {
        return migrate(c, CURRENT);
    }

    /** Brings the database to {@code target} (tests: data as an earlier release left it). */
    static int migrate(SqliteConnection c, int target) throws SQLException {
        c.exec("BEGIN IMMEDIATE");
        boolean done = false;
        try {
            int version = (int) c.queryLong("PRAGMA user_version", 0);
            if (version > CURRENT) {
                throw new StoreException.TooNew("store schema version " + version
                        + " is newer than this program understands (" + CURRENT + "); upgrade Postern");
            }
            for (int v = version; v < target; v++) {
                for (String sql : MIGRATIONS.get(v)) c.exec(sql);
            }
            if (version < target) c.exec("PRAGMA user_version = " + target);
            c.exec("COMMIT");
            done = true;
            return Math.max(version, target);
        } finally {
            if (!done) {
                try {
                    c.exec("ROLLBACK");
                } catch (SQLException ignored) {
                    // the original failure matters more
                }
            }
        }
    }
}
