// SPDX-License-Identifier: Apache-2.0
package org.postern.store.backend;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.postern.core.Flags;
import org.postern.store.FlagOp;
import org.postern.store.StoreException;

/**
 * Flags as stored: canonical system flags and keywords joined by single spaces, ordered by their
 * lower-case form. Comparison is case-insensitive (RFC 9051 §2.3.2); a keyword keeps the spelling it
 * was first given. \Recent is never stored (it is per session).
 */
public final class FlagCodec {
    public static final int MAX_FLAGS = 128;
    private static final int CACHE_LIMIT = 10_000;
    /** Most messages share a handful of flag combinations: decode each one once. */
    private static final Map<String, Set<String>> DECODED = new ConcurrentHashMap<>();

    private FlagCodec() {}

    /** Lower-case key to spelling, validated. @throws StoreException.Refused for unstorable flags */
    public static TreeMap<String, String> normalize(Collection<String> flags) {
        TreeMap<String, String> m = new TreeMap<>();
        for (String f : flags) {
            String c = Flags.canonical(f);
            if (c.equals(Flags.RECENT)) continue;
            if (c.isEmpty() || c.length() > Flags.MAX_KEYWORD_LENGTH) throw new StoreException.Refused("bad flag length");
            for (int i = 0; i < c.length(); i++) {
                char ch = c.charAt(i);
                if (ch <= ' ' || ch == 0x7f) throw new StoreException.Refused("flag contains a space or control");
            }
            m.putIfAbsent(Flags.lower(c), c);
        }
        if (m.size() > MAX_FLAGS) throw new StoreException.Refused("too many flags");
        return m;
    }

    public static String encode(Collection<String> flags) {
        return String.join(" ", normalize(flags).values());
    }

    public static Set<String> decode(String stored) {
        if (stored.isEmpty()) return Set.of();
        Set<String> s = DECODED.get(stored);
        if (s != null) return s;
        s = Set.of(stored.split(" "));
        if (DECODED.size() > CACHE_LIMIT) DECODED.clear();
        DECODED.put(stored, s);
        return s;
    }

    public static boolean seen(String stored) {
        return decode(stored).contains(Flags.SEEN);
    }

    /** The stored form after applying {@code op}; existing spellings win over given ones. */
    public static String apply(String stored, FlagOp op, TreeMap<String, String> given) {
        TreeMap<String, String> cur = new TreeMap<>();
        for (String f : decode(stored)) cur.put(Flags.lower(f), f);
        TreeMap<String, String> out;
        switch (op) {
            case ADD -> {
                out = new TreeMap<>(given);
                out.putAll(cur);
            }
            case REMOVE -> {
                out = new TreeMap<>(cur);
                out.keySet().removeAll(given.keySet());
            }
            case REPLACE -> {
                out = new TreeMap<>(given);
                for (Map.Entry<String, String> e : cur.entrySet()) out.computeIfPresent(e.getKey(), (k, v) -> e.getValue());
            }
            default -> throw new IllegalArgumentException(op.toString());
        }
        if (out.size() > MAX_FLAGS) throw new StoreException.Refused("too many flags");
        return String.join(" ", out.values());
    }
}
