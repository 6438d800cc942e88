// SPDX-License-Identifier: Apache-2.0
package org.postern.store.backend;

import java.util.Locale;
import org.postern.core.mime.Address;
import org.postern.core.mime.AddressParser;
import org.postern.core.mime.DateParser;
import org.postern.core.mime.EncodedWords;
import org.postern.core.mime.Headers;
import org.postern.store.MessageSortKeys;

/**
 * The one derivation of {@link MessageSortKeys} from a header section: RFC 5256 §2.1 base subject,
 * §2.2 sent date, §3 FROM/TO/CC mailboxes, RFC 5957 §3 DISPLAYFROM/DISPLAYTO, all strings casemapped
 * with i;ascii-casemap (RFC 4790 §9.2) so that plain String order is the sort order. Backends store
 * the keys of a message in the transaction that stores it, from the header section they already read
 * for {@link ThreadLinks}; IMAP SORT derives them the same way for messages stored before that.
 */
public final class SortKeyDerivation {
    /** Version of the derivation below; bump it when any of it changes, so stored keys are redone. */
    public static final int VERSION = 1;

    private SortKeyDerivation() {}

    /** A base subject and whether extracting it removed a reply or forward marker (RFC 5256 §4 step 5). */
    public record BaseSubject(String base, boolean replyOrForward) {}

    /** The keys of a body from its header fields (null headers: sorts as a message without headers). */
    public static MessageSortKeys of(String blobId, Headers h) {
        long sent = MessageSortKeys.NO_DATE;
        String date = h == null ? null : h.first("Date");
        if (date != null) {
            var d = DateParser.parse(date);
            if (d.isPresent()) sent = d.get().toInstant().toEpochMilli();
        }
        // Each address field parsed once (address parsing is most of deriving a message's keys).
        Address from = first(h, "From");
        Address to = first(h, "To");
        return new MessageSortKeys(blobId, VERSION, sent,
                casemap(baseSubject(h == null ? null : h.first("Subject"))),
                casemap(mailbox(from)), casemap(mailbox(to)), casemap(mailbox(first(h, "Cc"))),
                casemap(display(from)), casemap(display(to)));
    }

    private static Address first(Headers h, String field) {
        String v = h == null ? null : h.first(field);
        if (v == null) return null;
        for (Address a : AddressParser.parseList(v)) {
            if (a.isMailbox()) return a;
        }
        return null;
    }

    /** RFC 5256 §3 FROM/TO/CC: the local part (addr-mailbox) of the first address, "" when none. */
    private static String mailbox(Address a) {
        return a == null || a.localPart() == null ? "" : a.localPart();
    }

    /** RFC 5957 §3: the decoded display name of the first address, or its addr-spec when it has none. */
    private static String display(Address a) {
        if (a == null) return "";
        String name = a.displayName() == null ? "" : EncodedWords.decode(a.displayName()).strip();
        return name.isEmpty() ? a.addrSpec() : name;
    }

    /** i;ascii-casemap (RFC 4790 §9.2): only a-z fold, so the order is the same for every locale. */
    public static String casemap(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c >= 'a' && c <= 'z' ? (char) (c - 32) : c);
        }
        return sb.toString();
    }

    /**
     * The base subject of RFC 5256 §2.1: decoded, whitespace collapsed, trailing "(fwd)" and leading
     * "Re:"/"Fw:"/"Fwd:" (with optional "[blob]") and "[blob]" prefixes removed repeatedly, and a
     * "[fwd: ...]" wrapper unwrapped.
     */
    public static String baseSubject(String subject) {
        return extract(subject).base();
    }

    public static BaseSubject extract(String subject) {
        if (subject == null) return new BaseSubject("", false);
        String s = EncodedWords.decode(subject).replaceAll("[\\t\\r\\n ]+", " ").strip();
        boolean refwd = false;
        while (true) {
            String before = s;
            // (2) trailing subj-trailer "(fwd)" and whitespace
            while (s.toLowerCase(Locale.ROOT).endsWith("(fwd)")) {
                s = s.substring(0, s.length() - 5).strip();
                refwd = true;
            }
            // (3)-(5) leading subj-leaders and subj-blobs
            while (true) {
                String t = stripLeader(s);
                if (t.equals(s)) break;
                refwd |= !s.startsWith("[");
                s = t;
            }
            // (6) "[fwd:" ... "]"
            if (s.regionMatches(true, 0, "[fwd:", 0, 5) && s.endsWith("]")) {
                s = s.substring(5, s.length() - 1).strip();
                refwd = true;
            }
            if (s.equals(before)) return new BaseSubject(s, refwd);
        }
    }

    /** One subj-leader ("Re", "Fw", "Fwd" with optional blob then ":") or one non-empty-remaining blob. */
    private static String stripLeader(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        for (String p : new String[] {"re", "fwd", "fw"}) {
            if (!lower.startsWith(p)) continue;
            String rest = s.substring(p.length()).stripLeading();
            if (rest.startsWith("[")) {
                int end = rest.indexOf(']');
                if (end < 0) continue;
                rest = rest.substring(end + 1).stripLeading();
            }
            if (rest.startsWith(":")) return rest.substring(1).strip();
        }
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            // RFC 5256 §2.1 (4): a blob is removed only if something remains after it.
            if (end > 0 && !s.substring(end + 1).isBlank()) return s.substring(end + 1).strip();
        }
        return s;
    }
}
