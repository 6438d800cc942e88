// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.postern.net.Connection;
import org.postern.pop3.wire.MessageWriter;
import org.postern.pop3.wire.Pop3Command;
import org.postern.store.Account;
import org.postern.store.FlagOp;
import org.postern.store.MailStore;
import org.postern.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TRANSACTION and UPDATE states (RFC 1939 §5-§7; RFC 2449 TOP and UIDL are part of RFC 1939's
 * optional commands). Deletions are only marks until QUIT; the UPDATE state applies them together
 * with the account's {@link Retention} policy in one expunge.
 */
final class TransactionHandler {
    private static final Logger log = LoggerFactory.getLogger(TransactionHandler.class);

    private final MailStore store;
    private final Account account;
    private final Maildrop maildrop;
    private final Retention retention;
    private final Connection conn;
    /** UIDs retrieved in this session that had no \Seen yet, in retrieval order. */
    private final List<Long> unseenRetrieved = new ArrayList<>();

    TransactionHandler(MailStore store, Account account, Maildrop maildrop, Retention retention, Connection conn) {
        this.store = store;
        this.account = account;
        this.maildrop = maildrop;
        this.retention = retention;
        this.conn = conn;
    }

    /** False when the session ends (QUIT). */
    boolean execute(Pop3Command cmd) throws Pop3Error, IOException {
        switch (cmd) {
            case Pop3Command.Capa c -> {
                conn.writeLine("+OK Capability list follows");
                for (String l : Capabilities.lines(retention, LoginDelay.seconds(account), false, false)) conn.writeLine(l);
                conn.writeLine(".");
            }
            case Pop3Command.Stat s -> conn.writeLine("+OK " + maildrop.liveCount() + " " + maildrop.liveSize());
            case Pop3Command.List l -> list(l.msg());
            case Pop3Command.Uidl u -> uidl(u.msg());
            case Pop3Command.Retr r -> retr(r.msg());
            case Pop3Command.Top t -> top(t.msg(), t.lines());
            case Pop3Command.Dele d -> {
                maildrop.delete(d.msg());
                conn.writeLine("+OK Message " + d.msg() + " deleted");
            }
            case Pop3Command.Noop n -> conn.writeLine("+OK");
            case Pop3Command.Rset r -> {
                maildrop.undeleteAll();
                conn.writeLine("+OK Maildrop has " + maildrop.liveCount() + " messages (" + maildrop.liveSize()
                        + " octets)");
            }
            case Pop3Command.Quit q -> {
                update();
                return false;
            }
            // RFC 2595 §4: STLS only in AUTHORIZATION state; RFC 6856 §2 likewise UTF8.
            case Pop3Command.Stls s -> throw new Pop3Error("Command not permitted after login");
            case Pop3Command.Utf8 u -> throw new Pop3Error("Command not permitted after login");
            case Pop3Command.User u -> throw new Pop3Error("Already logged in");
            case Pop3Command.Pass p -> throw new Pop3Error("Already logged in");
            case Pop3Command.Auth a -> throw new Pop3Error("Already logged in");
            case Pop3Command.AuthList a -> throw new Pop3Error("Already logged in");
            case Pop3Command.Invalid i -> throw new Pop3Error(i.reply());
        }
        return true;
    }

    private void list(int msg) throws Pop3Error, IOException {
        if (msg > 0) {
            maildrop.get(msg);
            conn.writeLine("+OK " + msg + " " + maildrop.size(msg));
            return;
        }
        conn.writeLine("+OK " + maildrop.liveCount() + " messages (" + maildrop.liveSize() + " octets)");
        for (int i = 1; i <= maildrop.count(); i++) {
            if (!maildrop.isDeleted(i)) conn.writeLine(i + " " + maildrop.size(i));
        }
        conn.writeLine(".");
    }

    private void uidl(int msg) throws Pop3Error, IOException {
        if (msg > 0) {
            maildrop.get(msg);
            conn.writeLine("+OK " + msg + " " + maildrop.uniqueId(msg));
            return;
        }
        conn.writeLine("+OK Unique-ID listing follows");
        for (int i = 1; i <= maildrop.count(); i++) {
            if (!maildrop.isDeleted(i)) conn.writeLine(i + " " + maildrop.uniqueId(i));
        }
        conn.writeLine(".");
    }

    private void retr(int msg) throws Pop3Error, IOException {
        Maildrop.Entry e = maildrop.get(msg);
        send(msg, e, "+OK " + maildrop.size(msg) + " octets", MessageWriter.ALL_LINES);
        // Sent in full: only now may it count as downloaded.
        maildrop.markRetrieved(msg);
        if (!e.seen()) unseenRetrieved.add(e.uid());
    }

    private void top(int msg, long lines) throws Pop3Error, IOException {
        Maildrop.Entry e = maildrop.get(msg);
        send(msg, e, "+OK Top of message follows", lines);
    }

    /** Opens the body before the +OK, so a message expunged through IMAP meanwhile gets a clean -ERR. */
    private void send(int msg, Maildrop.Entry e, String first, long bodyLines) throws Pop3Error, IOException {
        long mailboxId = maildrop.inbox().id();
        InputStream in;
        try {
            if (store.mailboxes().message(account.id(), mailboxId, e.uid()).isEmpty()) {
                throw new Pop3Error("Message " + msg + " was deleted by another session");
            }
            in = store.blobs().open(e.blobId());
        } catch (StoreException | IOException ex) {
            log.debug("pop3: message {} of {} unreadable: {}", e.uid(), account.address(), ex.toString());
            throw new Pop3Error("Message " + msg + " is no longer available");
        }
        try (in) {
            conn.writeLine(first);
            MessageWriter.write(in, conn.out(), bodyLines, !maildrop.utf8());
            conn.writeLine(".");
        }
        // A read error mid-message propagates as IOException: the reply is broken, so the session
        // must end rather than let the client take a truncated message for a whole one.
    }

    /**
     * Sets \Seen on what this session retrieved, in one store write, like Dovecot: at QUIT, or when
     * the connection ends without QUIT (the download happened; only deletions wait for UPDATE).
     * Called on the session thread only.
     */
    void saveSeen() {
        if (unseenRetrieved.isEmpty()) return;
        if (!marksSeen(account)) {
            unseenRetrieved.clear();
            return;
        }
        List<Long> uids = List.copyOf(unseenRetrieved);
        unseenRetrieved.clear();
        try {
            store.mailboxes().storeFlags(account.id(), maildrop.inbox().id(), uids, FlagOp.ADD, Set.of("\\Seen"), -1);
        } catch (StoreException ex) {
            // The downloads themselves succeeded; only the read marks are lost.
            log.warn("pop3: setting \\Seen for {} failed: {}", account.address(), ex.toString());
        }
    }

    /**
     * The account setting {@code pop3-mark-seen} (yes by default, as Dovecot's pop3_no_flag_updates = no):
     * "no" leaves IMAP's \Seen untouched by POP3 downloads, for people who read on a phone over IMAP
     * and also download to a desktop over POP3.
     */
    static boolean marksSeen(org.postern.store.Account account) {
        return !account.setting(MARK_SEEN_SETTING, "yes").trim().equalsIgnoreCase("no");
    }

    static final String MARK_SEEN_SETTING = "pop3-mark-seen";

    /** RFC 1939 §6: the UPDATE state, entered only by QUIT from TRANSACTION. */
    private void update() throws IOException {
        saveSeen();
        List<Long> uids = maildrop.toExpunge(retention, Instant.now());
        if (uids.isEmpty()) {
            conn.writeLine("+OK Postern POP3 server signing off");
            return;
        }
        try {
            List<Long> removed = store.mailboxes().expunge(account.id(), maildrop.inbox().id(), uids);
            conn.writeLine("+OK Postern POP3 server signing off (" + removed.size() + " messages deleted)");
        } catch (StoreException e) {
            log.warn("pop3: expunge at QUIT for {} failed: {}", account.address(), e.toString());
            conn.writeLine("-ERR [SYS/TEMP] Some deleted messages not removed");
        }
    }
}
