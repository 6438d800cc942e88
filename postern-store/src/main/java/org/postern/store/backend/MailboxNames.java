// SPDX-License-Identifier: Apache-2.0
package org.postern.store.backend;

import java.util.ArrayList;
import java.util.List;
import org.postern.store.Mailbox;
import org.postern.store.StoreException;

/** Mailbox name rules: "/" separated, no empty levels, INBOX case-insensitive (RFC 9051 §5.1). */
public final class MailboxNames {
    public static final int MAX_LENGTH = 1_000;
    public static final int MAX_DEPTH = 32;

    private MailboxNames() {}

    /** The stored form of a name. @throws StoreException.Refused when it cannot be a mailbox name */
    public static String normalize(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            throw new StoreException.Refused("bad mailbox name length");
        }
        String sep = String.valueOf(Mailbox.SEPARATOR);
        if (name.startsWith(sep) || name.endsWith(sep) || name.contains(sep + sep)) {
            throw new StoreException.Refused("empty hierarchy level in mailbox name");
        }
        int depth = 1;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            // '*' and '%' are LIST wildcards (RFC 9051 §6.3.9): a name containing them could not be listed exactly.
            if (c < 0x20 || c == 0x7f || c == '*' || c == '%') throw new StoreException.Refused("bad character in mailbox name");
            if (c == Mailbox.SEPARATOR && ++depth > MAX_DEPTH) throw new StoreException.Refused("mailbox hierarchy too deep");
        }
        if (name.equalsIgnoreCase(Mailbox.INBOX)) return Mailbox.INBOX;
        if (name.regionMatches(true, 0, Mailbox.INBOX + sep, 0, Mailbox.INBOX.length() + 1)) {
            return Mailbox.INBOX + name.substring(Mailbox.INBOX.length());
        }
        return name;
    }

    /** Ancestors, outermost first: "a/b/c" gives "a", "a/b". */
    public static List<String> parents(String name) {
        List<String> out = new ArrayList<>();
        for (int i = name.indexOf(Mailbox.SEPARATOR); i >= 0; i = name.indexOf(Mailbox.SEPARATOR, i + 1)) {
            out.add(name.substring(0, i));
        }
        return out;
    }
}
