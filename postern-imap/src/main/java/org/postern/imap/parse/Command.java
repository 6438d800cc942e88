// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * One parsed IMAP command (RFC 3501 §6 and the extensions of package-info). Mailbox names are already
 * decoded from modified UTF-7 to UTF-8 with "/" as separator.
 */
public sealed interface Command {
    /** The command's name as the command table knows it (UID variants are "UID FETCH" etc.). */
    String name();

    record Capability() implements Command {
        public String name() { return "CAPABILITY"; }
    }

    record Noop() implements Command {
        public String name() { return "NOOP"; }
    }

    record Logout() implements Command {
        public String name() { return "LOGOUT"; }
    }

    record StartTls() implements Command {
        public String name() { return "STARTTLS"; }
    }

    /** {@code initialResponse}: null when absent, empty for "=" (RFC 4959 §3). Still base64. */
    record Authenticate(String mechanism, String initialResponse) implements Command {
        public String name() { return "AUTHENTICATE"; }
    }

    record Login(String user, String password) implements Command {
        public String name() { return "LOGIN"; }
        @Override
        public String toString() {
            return "Login[user=" + user + "]";
        }
    }

    /** SELECT, or EXAMINE when {@code readOnly}. */
    record Select(String mailbox, boolean readOnly) implements Command {
        public String name() { return readOnly ? "EXAMINE" : "SELECT"; }
    }

    record Create(String mailbox) implements Command {
        public String name() { return "CREATE"; }
    }

    record Delete(String mailbox) implements Command {
        public String name() { return "DELETE"; }
    }

    record Rename(String from, String to) implements Command {
        public String name() { return "RENAME"; }
    }

    record Subscribe(String mailbox, boolean subscribe) implements Command {
        public String name() { return subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE"; }
    }

    /** LIST, or LSUB when {@code lsub}. */
    record ListMailboxes(String reference, String pattern, boolean lsub) implements Command {
        public String name() { return lsub ? "LSUB" : "LIST"; }
    }

    record Status(String mailbox, List<String> items) implements Command {
        public Status {
            items = List.copyOf(items);
        }
        public String name() { return "STATUS"; }
    }

    /**
     * APPEND up to the message literal; the session streams the {@code size} octets that follow.
     * {@code internalDate} is null when not given.
     */
    record Append(String mailbox, List<String> flags, OffsetDateTime internalDate, long size, boolean synchronizing)
            implements Command {
        public Append {
            flags = List.copyOf(flags);
        }
        public String name() { return "APPEND"; }
    }

    record Check() implements Command {
        public String name() { return "CHECK"; }
    }

    record Close() implements Command {
        public String name() { return "CLOSE"; }
    }

    record Unselect() implements Command {
        public String name() { return "UNSELECT"; }
    }

    /** EXPUNGE, or UID EXPUNGE (RFC 4315 §2.1) when {@code uids} is not null. */
    record Expunge(SequenceSet uids) implements Command {
        public String name() { return uids == null ? "EXPUNGE" : "UID EXPUNGE"; }
    }

    /** {@code charset} is null when not given. */
    record Search(boolean uid, String charset, SearchKey key) implements Command {
        public String name() { return uid ? "UID SEARCH" : "SEARCH"; }
    }

    record Fetch(boolean uid, SequenceSet set, List<FetchItem> items) implements Command {
        public Fetch {
            items = List.copyOf(items);
        }
        public String name() { return uid ? "UID FETCH" : "FETCH"; }
    }

    enum StoreMode { REPLACE, ADD, REMOVE }

    record Store(boolean uid, SequenceSet set, StoreMode mode, boolean silent, List<String> flags) implements Command {
        public Store {
            flags = List.copyOf(flags);
        }
        public String name() { return uid ? "UID STORE" : "STORE"; }
    }

    /** COPY, or MOVE (RFC 6851) when {@code move}. */
    record Copy(boolean uid, SequenceSet set, String mailbox, boolean move) implements Command {
        public String name() { return (uid ? "UID " : "") + (move ? "MOVE" : "COPY"); }
    }

    record Idle() implements Command {
        public String name() { return "IDLE"; }
    }

    record Namespace() implements Command {
        public String name() { return "NAMESPACE"; }
    }

    record Enable(List<String> capabilities) implements Command {
        public Enable {
            capabilities = List.copyOf(capabilities);
        }
        public String name() { return "ENABLE"; }
    }

    /** RFC 2971; {@code params} null for NIL. */
    record Id(Map<String, String> params) implements Command {
        public String name() { return "ID"; }
    }
}
