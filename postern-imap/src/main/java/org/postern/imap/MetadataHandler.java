// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import org.postern.imap.codec.ResponseWriter;
import org.postern.imap.parse.Command;
import org.postern.store.Mailbox;
import org.postern.store.MetadataStore;
import org.postern.store.MetadataStore.Scope;

/**
 * GETMETADATA and SETMETADATA (RFC 5464 §4.2-4.3), server entries (mailbox "") and mailbox entries,
 * /shared and /private (§3.3: /private entries are per user). Server /shared entries are set by
 * administrators only (§3.3 lets servers restrict them); everyone may read them.
 *
 * <p>Limits (§4.1: at least 1024 octets and 10 entries must be accepted): values up to
 * {@link #MAX_VALUE} octets, else NO [METADATA MAXSIZE n]; {@link #MAX_ENTRIES} entries per mailbox
 * and user (shared plus that user's private ones) and as many on the server, else NO [METADATA
 * TOOMANY]. A refused SETMETADATA changes nothing (§4.3). Entries requested but absent come back
 * as NIL, as Dovecot answers.
 */
final class MetadataHandler {
    static final int MAX_VALUE = 16 * 1024;
    static final int MAX_ENTRIES = 100;

    String get(ImapSession s, Command.GetMetadata c) throws IOException, ImapException {
        Scopes scopes = scopes(s, c.mailbox());
        MetadataStore md = s.store.metadata();
        SortedMap<String, byte[]> shared = md.entries(scopes.shared);
        SortedMap<String, byte[]> priv = md.entries(scopes.priv);
        Map<String, byte[]> found = new LinkedHashMap<>();
        for (String e : c.entries()) {
            SortedMap<String, byte[]> all = e.startsWith("/shared/") ? shared : priv;
            found.putIfAbsent(e, all.get(e));
            if (c.depth() == 0) continue;
            // RFC 5464 §4.2.2: DEPTH 1 adds children, infinity every descendant.
            String prefix = e + "/";
            for (Map.Entry<String, byte[]> x : all.tailMap(prefix).entrySet()) {
                if (!x.getKey().startsWith(prefix)) break;
                if (c.depth() == 1 && x.getKey().indexOf('/', prefix.length()) >= 0) continue;
                found.putIfAbsent(x.getKey(), x.getValue());
            }
        }
        long longest = 0;
        ResponseWriter out = s.out();
        boolean any = false;
        for (Map.Entry<String, byte[]> x : found.entrySet()) {
            byte[] v = x.getValue();
            // RFC 5464 §4.2.1: values over MAXSIZE are left out and the largest is reported.
            if (v != null && c.maxSize() >= 0 && v.length > c.maxSize()) {
                longest = Math.max(longest, v.length);
                continue;
            }
            if (!any) {
                out.raw("* METADATA ").astring(s.wireName(c.mailbox())).raw(" (");
                any = true;
            } else {
                out.raw(' ');
            }
            // Entry names came in as astrings: they go out the same way (HOSTILE A67).
            out.astring(x.getKey()).raw(' ');
            value(out, v);
        }
        if (any) out.raw(")").crlf();
        return (longest > 0 ? "[METADATA LONGENTRIES " + longest + "] " : "") + "GETMETADATA completed";
    }

    String set(ImapSession s, Command.SetMetadata c) throws ImapException {
        Scopes scopes = scopes(s, c.mailbox());
        boolean server = c.mailbox().isEmpty();
        Map<String, byte[]> shared = new LinkedHashMap<>();
        Map<String, byte[]> priv = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : c.values().entrySet()) {
            byte[] v = e.getValue();
            if (v != null && v.length > MAX_VALUE) throw ImapException.no("METADATA MAXSIZE " + MAX_VALUE, "Value too large");
            if (e.getKey().startsWith("/shared/")) {
                if (server && !s.account.admin()) {
                    throw ImapException.no("NOPERM", "Only administrators can set shared server entries");
                }
                shared.put(e.getKey(), v);
            } else {
                priv.put(e.getKey(), v);
            }
        }
        MetadataStore md = s.store.metadata();
        SortedMap<String, byte[]> oldShared = md.entries(scopes.shared);
        SortedMap<String, byte[]> oldPriv = md.entries(scopes.priv);
        int after = count(oldShared, shared) + count(oldPriv, priv);
        // Over the limit only by growing: removing entries is always allowed.
        if (after > MAX_ENTRIES && after > oldShared.size() + oldPriv.size()) {
            throw ImapException.no("METADATA TOOMANY", "Too many entries");
        }
        Map<Scope, Map<String, byte[]>> changes = new LinkedHashMap<>();
        if (!shared.isEmpty()) changes.put(scopes.shared, shared);
        if (!priv.isEmpty()) changes.put(scopes.priv, priv);
        // RFC 5465 §5: a session is not told of its own changes; the feed announces them to everyone.
        NotifyWatch w = s.notify;
        if (w != null) w.expectOwn(changes);
        try {
            md.apply(changes);
        } catch (RuntimeException e) {
            if (w != null) w.forgetOwn(changes);
            throw e;
        }
        return "SETMETADATA completed";
    }

    /** How many entries there will be after applying {@code changes}. */
    private static int count(Map<String, byte[]> existing, Map<String, byte[]> changes) {
        int n = existing.size();
        for (Map.Entry<String, byte[]> e : changes.entrySet()) {
            boolean had = existing.containsKey(e.getKey());
            if (e.getValue() == null && had) n--;
            if (e.getValue() != null && !had) n++;
        }
        return n;
    }

    private record Scopes(Scope shared, Scope priv) {}

    /** RFC 5464 §3.3: the mailbox must exist and be accessible, else it is as if absent. */
    private static Scopes scopes(ImapSession s, String mailbox) throws ImapException {
        if (mailbox.isEmpty()) return new Scopes(Scope.serverShared(), Scope.serverPrivate(s.accountId()));
        Mailbox m = s.store.mailboxes().find(s.accountId(), mailbox)
                .orElseThrow(() -> ImapException.no("NONEXISTENT", "Mailbox does not exist"));
        long owner = SharedMailboxes.ownerOf(m);
        long id = SharedMailboxes.realIdOf(m);
        // RFC 5464 §3.3 with ACL: "l" and one of "rswip".
        String rights = AclHandler.rights(s, m);
        if (!Rights.has(rights, 'l') || Rights.canonical(rights).chars().noneMatch(r -> "rswip".indexOf(r) >= 0)) {
            throw ImapException.no("NOPERM", "Permission denied");
        }
        return new Scopes(Scope.mailboxShared(owner, id), Scope.mailboxPrivate(owner, id, s.accountId()));
    }

    /** nstring, or literal8 for octets that are not text (RFC 5464 §5: value = nstring / literal8). */
    private static void value(ResponseWriter out, byte[] v) throws IOException {
        if (v == null) {
            out.raw("NIL");
            return;
        }
        String text = text(v);
        if (text != null) {
            out.string(text);
        } else {
            out.raw('~').literal(v);
        }
    }

    private static String text(byte[] v) {
        for (byte b : v) {
            if (b == 0) return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(v)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
