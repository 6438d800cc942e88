// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.postern.core.Flags;
import org.postern.imap.codec.ModifiedUtf7;
import org.postern.imap.parse.Command.StoreMode;
import org.postern.imap.parse.FetchItem.Kind;
import org.postern.imap.parse.FetchItem.Section;

/**
 * The IMAP command grammar (RFC 3501 §9 / RFC 9051 §9 plus the extensions of package-info). Input is
 * one complete command with its literals inline (see {@link Tokens}); output is a {@link Request} or
 * a {@link ParseException}. Pure: no I/O, no state between calls. SEARCH, SORT and THREAD live in
 * {@link SearchParser}, extended LIST in {@link ListParser}.
 */
public final class CommandParser {
    /** RFC 3501 §6.4.4 allows unlimited nesting; a bound keeps the JVM stack safe (HOSTILE A23). */
    public static final int MAX_SEARCH_DEPTH = 32;
    static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

    private CommandParser() {}

    public static Request parse(byte[] command) throws ParseException {
        return parse(command, false);
    }

    /** {@code utf8Names}: mailbox names are UTF-8 rather than modified UTF-7 (after ENABLE of IMAP4rev2 or UTF8=ACCEPT). */
    public static Request parse(byte[] command, boolean utf8Names) throws ParseException {
        Tokens t = new Tokens(command, utf8Names);
        String tag = t.tag();
        try {
            t.sp();
            String name = t.keyword();
            Command c = command(t, name);
            t.end();
            return new Request(tag, c);
        } catch (ParseException e) {
            throw new TaggedParseException(tag, e);
        }
    }

    /** The tag of a command that failed to parse, or null when even the tag is unusable. */
    public static String tagOf(byte[] command) {
        try {
            String tag = new Tokens(command).tag();
            return command.length > tag.length() && command[tag.length()] == ' ' ? tag : null;
        } catch (ParseException e) {
            return null;
        }
    }

    /** An APPEND that has to be read whole before it can be parsed (CATENATE). */
    static final class NotStreamable extends ParseException {
        NotStreamable() {
            super("CATENATE");
        }
    }

    /** A parse error after a readable tag: the reply is {@code tag BAD}. */
    public static final class TaggedParseException extends ParseException {
        private final String tag;

        TaggedParseException(String tag, ParseException cause) {
            super(cause.code(), cause.getMessage());
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    /**
     * Recognizes an APPEND whose message literal is announced at the very end of {@code partial}
     * (tag SP "APPEND" SP mailbox [SP flag-list] [SP date-time] SP literal-announcement), so the
     * session can stream the message instead of buffering it. Empty when {@code partial} is not
     * such a prefix; throws when it is an APPEND with bad syntax before the literal.
     */
    public static Optional<Request> appendPrefix(byte[] partial) throws ParseException {
        return appendPrefix(partial, false);
    }

    public static Optional<Request> appendPrefix(byte[] partial, boolean utf8Names) throws ParseException {
        Tokens t = new Tokens(partial, utf8Names);
        String tag;
        boolean replace;
        boolean uid = false;
        try {
            tag = t.tag();
            t.sp();
            if (t.acceptWord("UID")) {
                uid = true;
                t.sp();
            }
            replace = t.acceptWord("REPLACE");
            if (!replace && (uid || !t.acceptWord("APPEND"))) return Optional.empty();
        } catch (ParseException e) {
            return Optional.empty();
        }
        try {
            t.sp();
            long number = 0;
            if (replace) {
                // RFC 8508 §6: "REPLACE" SP seq-number SP mailbox ...; "UID REPLACE" SP uniqueid ...
                number = uid ? t.nzNumber() : t.accept('*') ? SequenceSet.STAR : t.nzNumber();
                t.sp();
            }
            String mailbox = mailbox(t);
            t.sp();
            Command.Append message = appendMessage(t, mailbox);
            return Optional.of(new Request(tag, replace ? new Command.Replace(uid, number, message) : message));
        } catch (NotStreamable e) {
            return Optional.empty();
        } catch (ParseException e) {
            throw new TaggedParseException(tag, e);
        }
    }

    /**
     * The next message of a MULTIAPPEND (RFC 3502 §6.3.11): what follows a message literal, SP then
     * [flag-list SP] [date-time SP] literal-announcement. {@code mailbox} is the command's.
     */
    public static Command.Append appendNext(byte[] rest, String mailbox) throws ParseException {
        Tokens t = new Tokens(rest);
        t.sp();
        return appendMessage(t, mailbox);
    }

    private static Command.Append appendMessage(Tokens t, String mailbox) throws ParseException {
        {
            List<String> flags = List.of();
            if (t.peekIs('(')) {
                flags = flagList(t);
                t.sp();
            }
            OffsetDateTime date = null;
            if (t.peekIs('"')) {
                date = dateTime(t);
                t.sp();
            }
            // RFC 4469: a CATENATE message is read whole (its parts are small; URLs bring the bulk).
            if (t.lookingAt("CATENATE ")) throw new NotStreamable();
            // RFC 6855 §4: append-data =/ "UTF8" SP "(" literal8 ")"; RFC 3516 §4.4: literal8.
            boolean utf8 = t.acceptWord("UTF8");
            if (utf8) {
                t.sp();
                t.expect('(');
                t.expect('~');
            } else {
                t.accept('~');
            }
            t.expect('{');
            long n = 0;
            int digits = 0;
            while (t.peek() >= '0' && t.peek() <= '9') {
                n = n * 10 + (t.peek() - '0');
                t.expect((char) t.peek());
                if (++digits > 12) throw new ParseException("TOOBIG", "Literal too large");
            }
            if (digits == 0) throw new ParseException("Invalid literal size");
            boolean sync = !t.accept('+');
            t.expect('}');
            t.end();
            return new Command.Append(mailbox, flags, date, n, sync, utf8);
        }
    }

    private static Command command(Tokens t, String name) throws ParseException {
        return switch (name) {
            case "CAPABILITY" -> new Command.Capability();
            case "NOOP" -> new Command.Noop();
            case "LOGOUT" -> new Command.Logout();
            case "STARTTLS" -> new Command.StartTls();
            case "AUTHENTICATE" -> authenticate(t);
            case "LOGIN" -> {
                t.sp();
                String user = t.astring();
                t.sp();
                yield new Command.Login(user, t.astring());
            }
            case "SELECT", "EXAMINE" -> select(t, name.equals("EXAMINE"));
            case "CREATE" -> {
                t.sp();
                String mb = mailbox(t);
                List<String> uses = List.of();
                if (t.accept(' ')) {
                    // RFC 6154 §3: create-param = "USE" SP "(" [use-attr *(SP use-attr)] ")"
                    t.expect('(');
                    if (!t.acceptWord("USE")) throw new ParseException("Unknown CREATE parameter");
                    t.sp();
                    t.expect('(');
                    List<String> u = new ArrayList<>();
                    while (!t.peekIs(')')) {
                        if (!u.isEmpty()) t.sp();
                        t.expect('\\');
                        u.add("\\" + t.atom());
                        if (u.size() > 16) throw new ParseException("Too many USE attributes");
                    }
                    t.expect(')');
                    t.expect(')');
                    uses = u;
                }
                yield new Command.Create(mb, uses);
            }
            case "DELETE" -> {
                t.sp();
                yield new Command.Delete(mailbox(t));
            }
            case "RENAME" -> {
                t.sp();
                String from = mailbox(t);
                t.sp();
                yield new Command.Rename(from, mailbox(t));
            }
            case "SUBSCRIBE", "UNSUBSCRIBE" -> {
                t.sp();
                yield new Command.Subscribe(mailbox(t), name.equals("SUBSCRIBE"));
            }
            case "LSUB" -> {
                t.sp();
                String ref = decodeName(t.astring(), false, t.utf8Names);
                t.sp();
                yield new Command.ListMailboxes(ref, decodeName(t.listMailbox(), false, t.utf8Names), true);
            }
            case "LIST" -> ListParser.list(t);
            case "STATUS" -> status(t);
            case "APPEND" -> CatenateParser.append(t);
            case "REPLACE" -> throw new ParseException(name + " needs a message literal");
            case "CHECK" -> new Command.Check();
            case "CLOSE" -> new Command.Close();
            case "UNSELECT" -> new Command.Unselect();
            case "EXPUNGE" -> new Command.Expunge(null);
            case "SEARCH" -> SearchParser.search(t, false);
            case "SORT" -> SearchParser.sort(t, false);
            case "THREAD" -> SearchParser.thread(t, false);
            case "FETCH" -> fetch(t, false);
            case "STORE" -> store(t, false);
            case "COPY" -> copy(t, false, false);
            case "MOVE" -> copy(t, false, true);
            case "UID" -> uid(t);
            case "IDLE" -> new Command.Idle();
            case "NAMESPACE" -> new Command.Namespace();
            case "ENABLE" -> {
                List<String> caps = new ArrayList<>();
                do {
                    t.sp();
                    caps.add(t.atom().toUpperCase(Locale.ROOT));
                    if (caps.size() > 100) throw new ParseException("Too many capabilities");
                } while (t.peekIs(' '));
                yield new Command.Enable(caps);
            }
            case "ID" -> id(t);
            case "COMPRESS" -> {
                t.sp();
                yield new Command.Compress(t.atom());
            }
            case "GETQUOTA" -> {
                t.sp();
                yield new Command.GetQuota(t.astring());
            }
            case "GETQUOTAROOT" -> {
                t.sp();
                yield new Command.GetQuotaRoot(mailbox(t));
            }
            case "SETQUOTA" -> setQuota(t);
            case "NOTIFY" -> NotifyParser.notify(t);
            case "GETMETADATA" -> MetadataParser.getMetadata(t);
            case "SETMETADATA" -> MetadataParser.setMetadata(t);
            // RFC 4314 §3; identifier = astring, rights = astring
            case "SETACL" -> {
                t.sp();
                String mb = mailbox(t);
                t.sp();
                String id = t.astring();
                t.sp();
                yield new Command.SetAcl(mb, id, t.astring());
            }
            case "DELETEACL", "LISTRIGHTS" -> {
                t.sp();
                String mb = mailbox(t);
                t.sp();
                String id = t.astring();
                yield name.equals("DELETEACL") ? new Command.DeleteAcl(mb, id) : new Command.ListRights(mb, id);
            }
            case "GETACL" -> {
                t.sp();
                yield new Command.GetAcl(mailbox(t));
            }
            case "MYRIGHTS" -> {
                t.sp();
                yield new Command.MyRights(mailbox(t));
            }
            default -> throw new ParseException("Unknown command");
        };
    }

    /** RFC 9208 §7: setquota = "SETQUOTA" SP quota-root-name SP "(" [resource-name SP number64 *(...)] ")". */
    private static Command setQuota(Tokens t) throws ParseException {
        t.sp();
        String root = t.astring();
        t.sp();
        t.expect('(');
        Map<String, Long> limits = new LinkedHashMap<>();
        while (!t.peekIs(')')) {
            if (!limits.isEmpty()) t.sp();
            String resource = t.atom().toUpperCase(Locale.ROOT);
            t.sp();
            if (limits.put(resource, t.number64()) != null || limits.size() > 8) {
                throw new ParseException("Resource repeated or too many resources");
            }
        }
        t.expect(')');
        return new Command.SetQuota(root, limits);
    }

    private static Command uid(Tokens t) throws ParseException {
        t.sp();
        String sub = t.keyword();
        return switch (sub) {
            case "FETCH" -> fetch(t, true);
            case "SEARCH" -> SearchParser.search(t, true);
            case "SORT" -> SearchParser.sort(t, true);
            case "THREAD" -> SearchParser.thread(t, true);
            case "STORE" -> store(t, true);
            case "COPY" -> copy(t, true, false);
            case "MOVE" -> copy(t, true, true);
            case "EXPUNGE" -> {
                t.sp();
                yield new Command.Expunge(sequenceSet(t, true));
            }
            case "REPLACE" -> throw new ParseException("REPLACE needs a message literal");
            default -> throw new ParseException("Unknown UID command");
        };
    }

    private static Command authenticate(Tokens t) throws ParseException {
        t.sp();
        String mech = t.atom().toUpperCase(Locale.ROOT);
        String ir = null;
        if (t.accept(' ')) {
            // RFC 4959 §3: "=" is an empty initial response.
            if (t.accept('=')) {
                ir = "";
            } else {
                ir = t.atom();
                if (!isBase64(ir)) throw new ParseException("Invalid base64 initial response");
            }
        }
        return new Command.Authenticate(mech, ir);
    }

    static boolean isBase64(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && c != '+' && c != '/' && c != '=') return false;
        }
        return true;
    }

    private static Command status(Tokens t) throws ParseException {
        t.sp();
        String mailbox = mailbox(t);
        t.sp();
        return new Command.Status(mailbox, statusItems(t));
    }

    /**
     * "(" status-att *(SP status-att) ")": RFC 9051 §6.3.11 (with DELETED and SIZE), RFC 7162 §3.1.7
     * HIGHESTMODSEQ, RFC 7889 §4 APPENDLIMIT, RFC 8474 §4.2 MAILBOXID.
     */
    static List<String> statusItems(Tokens t) throws ParseException {
        t.expect('(');
        List<String> items = new ArrayList<>();
        do {
            String item = t.keyword();
            switch (item) {
                case "MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED", "SIZE", "HIGHESTMODSEQ",
                        "APPENDLIMIT", "MAILBOXID", "DELETED-STORAGE" -> {
                    if (!items.contains(item)) items.add(item);
                }
                default -> throw new ParseException("Unknown STATUS item " + item);
            }
        } while (t.accept(' ') && items.size() < 16);
        t.expect(')');
        return items;
    }

    /** select-params (RFC 4466 §2.1): CONDSTORE (RFC 7162 §3.1.8) and QRESYNC (§3.2.5). */
    private static Command select(Tokens t, boolean readOnly) throws ParseException {
        t.sp();
        String mailbox = mailbox(t);
        boolean condstore = false;
        Command.Qresync q = null;
        if (t.accept(' ')) {
            t.expect('(');
            do {
                String p = t.keyword();
                switch (p) {
                    case "CONDSTORE" -> condstore = true;
                    case "QRESYNC" -> {
                        if (q != null) throw new ParseException("QRESYNC given twice");
                        t.sp();
                        t.expect('(');
                        long uv = t.nzNumber();
                        t.sp();
                        long modSeq = modSeq(t, false);
                        SequenceSet known = null;
                        if (t.accept(' ')) {
                            if (!t.peekIs('(')) {
                                known = sequenceSet(t, true);
                                if (known.usesStar() || known.isSaved()) throw new ParseException("Invalid known-uids");
                                t.accept(' ');
                            }
                            if (t.accept('(')) {
                                // seq-match-data: our expunge log is complete, so it is only checked.
                                sequenceSet(t, false);
                                t.sp();
                                sequenceSet(t, true);
                                t.expect(')');
                            }
                        }
                        t.expect(')');
                        q = new Command.Qresync(uv, modSeq, known);
                    }
                    default -> throw new ParseException("Unknown SELECT parameter " + p);
                }
            } while (t.accept(' '));
            t.expect(')');
        }
        return new Command.Select(mailbox, readOnly, condstore, q);
    }

    /** mod-sequence-value = 1*DIGIT up to 2^63-1 (RFC 7162 §7); zero only where mod-sequence-valzer is allowed. */
    static long modSeq(Tokens t, boolean zeroAllowed) throws ParseException {
        long n = t.number64();
        if (n == 0 && !zeroAllowed) throw new ParseException("Zero MODSEQ not allowed");
        return n;
    }

    private static Command id(Tokens t) throws ParseException {
        t.sp();
        if (t.acceptWord("NIL")) return new Command.Id(null);
        t.expect('(');
        Map<String, String> params = new LinkedHashMap<>();
        if (!t.peekIs(')')) {
            do {
                String key = t.string();
                t.sp();
                String value = t.nstring();
                // RFC 2971 §3.3: at most 30 pairs, fields ≤ 30 octets, values ≤ 1024 octets.
                if (params.size() >= 30 || key.length() > 30 || (value != null && value.length() > 1024)) {
                    throw new ParseException("ID parameters too large");
                }
                params.put(key, value);
            } while (t.accept(' '));
        }
        t.expect(')');
        return new Command.Id(params);
    }

    private static Command copy(Tokens t, boolean uid, boolean move) throws ParseException {
        t.sp();
        SequenceSet set = sequenceSet(t, uid);
        t.sp();
        return new Command.Copy(uid, set, mailbox(t), move);
    }

    private static Command store(Tokens t, boolean uid) throws ParseException {
        t.sp();
        SequenceSet set = sequenceSet(t, uid);
        t.sp();
        long unchangedSince = -1;
        if (t.accept('(')) {
            // RFC 7162 §3.1.3: store-modifier UNCHANGEDSINCE mod-sequence-valzer
            if (!t.acceptWord("UNCHANGEDSINCE")) throw new ParseException("Unknown STORE modifier");
            t.sp();
            unchangedSince = modSeq(t, true);
            t.expect(')');
            t.sp();
        }
        StoreMode mode = t.accept('+') ? StoreMode.ADD : t.accept('-') ? StoreMode.REMOVE : StoreMode.REPLACE;
        String item = t.keyword();
        boolean silent;
        if (item.equals("FLAGS")) silent = false;
        else if (item.equals("FLAGS.SILENT")) silent = true;
        else throw new ParseException("Expected FLAGS or FLAGS.SILENT");
        t.sp();
        List<String> flags;
        if (t.peekIs('(')) {
            flags = flagList(t);
        } else {
            flags = new ArrayList<>();
            do {
                flags.add(flag(t));
            } while (t.accept(' ') && flags.size() < 256);
        }
        return new Command.Store(uid, set, mode, silent, flags, unchangedSince);
    }

    /** flag-list = "(" [flag *(SP flag)] ")". */
    static List<String> flagList(Tokens t) throws ParseException {
        t.expect('(');
        List<String> flags = new ArrayList<>();
        if (!t.peekIs(')')) {
            do {
                flags.add(flag(t));
                if (flags.size() > 256) throw new ParseException("Too many flags");
            } while (t.accept(' '));
        }
        t.expect(')');
        return flags;
    }

    /** flag = system flag / "\" atom (extension) / keyword (RFC 3501 §9). \Recent cannot be set. */
    static String flag(Tokens t) throws ParseException {
        if (t.accept('\\')) {
            String f = Flags.canonical("\\" + t.atom());
            if (!Flags.SYSTEM.contains(f)) throw new ParseException("Unknown system flag " + f);
            return f;
        }
        String k = t.atom();
        if (!Flags.isValidKeyword(k)) throw new ParseException("Invalid keyword");
        return k;
    }

    // ---- FETCH (RFC 3501 §6.4.5)

    private static Command fetch(Tokens t, boolean uid) throws ParseException {
        t.sp();
        SequenceSet set = sequenceSet(t, uid);
        t.sp();
        List<FetchItem> items = new ArrayList<>();
        if (t.accept('(')) {
            do {
                fetchAtt(t, items);
                if (items.size() > 100) throw new ParseException("Too many FETCH items");
            } while (t.accept(' '));
            t.expect(')');
        } else if (t.acceptWord("ALL")) {
            items.addAll(simple(Kind.FLAGS, Kind.INTERNALDATE, Kind.RFC822_SIZE, Kind.ENVELOPE));
        } else if (t.acceptWord("FAST")) {
            items.addAll(simple(Kind.FLAGS, Kind.INTERNALDATE, Kind.RFC822_SIZE));
        } else if (t.acceptWord("FULL")) {
            items.addAll(simple(Kind.FLAGS, Kind.INTERNALDATE, Kind.RFC822_SIZE, Kind.ENVELOPE, Kind.BODY));
        } else {
            fetchAtt(t, items);
        }
        long changedSince = -1;
        boolean vanished = false;
        if (t.accept(' ')) {
            // RFC 7162 §3.1.4.1 CHANGEDSINCE, §3.2.6 VANISHED (only with CHANGEDSINCE)
            t.expect('(');
            do {
                String m = t.keyword();
                switch (m) {
                    case "CHANGEDSINCE" -> {
                        t.sp();
                        changedSince = modSeq(t, false);
                    }
                    case "VANISHED" -> vanished = true;
                    default -> throw new ParseException("Unknown FETCH modifier " + m);
                }
            } while (t.accept(' '));
            t.expect(')');
            if (vanished && changedSince < 0) throw new ParseException("VANISHED needs CHANGEDSINCE");
            if (changedSince >= 0 && items.stream().noneMatch(i -> i instanceof FetchItem.Simple x && x.kind() == Kind.MODSEQ)) {
                items.add(new FetchItem.Simple(Kind.MODSEQ));
            }
        }
        return new Command.Fetch(uid, set, items, changedSince, vanished);
    }

    private static List<FetchItem> simple(Kind... kinds) {
        List<FetchItem> l = new ArrayList<>();
        for (Kind k : kinds) l.add(new FetchItem.Simple(k));
        return l;
    }

    static void fetchAtt(Tokens t, List<FetchItem> items) throws ParseException {
        String k = t.keyword();
        switch (k) {
            case "ENVELOPE" -> items.add(new FetchItem.Simple(Kind.ENVELOPE));
            case "FLAGS" -> items.add(new FetchItem.Simple(Kind.FLAGS));
            case "INTERNALDATE" -> items.add(new FetchItem.Simple(Kind.INTERNALDATE));
            case "RFC822" -> items.add(new FetchItem.Simple(Kind.RFC822));
            case "RFC822.HEADER" -> items.add(new FetchItem.Simple(Kind.RFC822_HEADER));
            case "RFC822.SIZE" -> items.add(new FetchItem.Simple(Kind.RFC822_SIZE));
            case "RFC822.TEXT" -> items.add(new FetchItem.Simple(Kind.RFC822_TEXT));
            case "BODYSTRUCTURE" -> items.add(new FetchItem.Simple(Kind.BODYSTRUCTURE));
            case "UID" -> items.add(new FetchItem.Simple(Kind.UID));
            case "MODSEQ" -> items.add(new FetchItem.Simple(Kind.MODSEQ));
            case "SAVEDATE" -> items.add(new FetchItem.Simple(Kind.SAVEDATE));
            case "EMAILID" -> items.add(new FetchItem.Simple(Kind.EMAILID));
            case "THREADID" -> items.add(new FetchItem.Simple(Kind.THREADID));
            case "PREVIEW" -> {
                // RFC 8970 §3.2: preview-mod = "(" "LAZY" ")", case-insensitive; "(" alone may
                // start FETCH modifiers instead (FETCH 1 PREVIEW (CHANGEDSINCE 1)).
                if (t.lookingAt(" (LAZY)")) {
                    t.sp();
                    t.expect('(');
                    if (!t.acceptWord("LAZY")) throw new ParseException("Unknown PREVIEW modifier");
                    t.expect(')');
                }
                items.add(new FetchItem.Simple(Kind.PREVIEW));
            }
            case "BINARY", "BINARY.PEEK", "BINARY.SIZE" -> {
                // RFC 3516 §4.1 / RFC 9051 §6.4.5: section-binary = "[" [section-part] "]"
                t.expect('[');
                List<Integer> part = new ArrayList<>();
                while (!t.peekIs(']')) {
                    if (!part.isEmpty()) t.expect('.');
                    long n = t.nzNumber();
                    if (n > 10_000 || part.size() >= 100) throw new ParseException("Section part too large");
                    part.add((int) n);
                }
                t.expect(']');
                long start = -1;
                long length = 0;
                if (!k.equals("BINARY.SIZE") && t.accept('<')) {
                    start = t.number();
                    t.expect('.');
                    length = t.nzNumber();
                    t.expect('>');
                }
                items.add(new FetchItem.Binary(part, !k.equals("BINARY"), k.equals("BINARY.SIZE"), start, length));
            }
            case "BODY", "BODY.PEEK" -> {
                if (!t.peekIs('[')) {
                    if (k.equals("BODY.PEEK")) throw new ParseException("BODY.PEEK needs a section");
                    items.add(new FetchItem.Simple(Kind.BODY));
                    return;
                }
                Section s = section(t);
                long start = -1;
                long length = 0;
                if (t.accept('<')) {
                    start = t.number();
                    t.expect('.');
                    length = t.nzNumber();
                    t.expect('>');
                }
                items.add(new FetchItem.BodySection(s, k.equals("BODY.PEEK"), start, length));
            }
            default -> throw new ParseException("Unknown FETCH item " + k);
        }
    }

    /** A section-spec as in an IMAP URL's ";SECTION=" (RFC 5092), e.g. "1.2.HEADER". */
    public static Section section(String spec) throws ParseException {
        Tokens t = new Tokens(("[" + spec + "]").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Section s = section(t);
        t.end();
        return s;
    }

    static Section section(Tokens t) throws ParseException {
        t.expect('[');
        List<Integer> part = new ArrayList<>();
        Section.Spec spec = Section.Spec.NONE;
        List<String> fields = List.of();
        if (!t.peekIs(']')) {
            boolean wantsText = true;
            while (t.peek() >= '0' && t.peek() <= '9') {
                long n = t.nzNumber();
                if (n > 10_000 || part.size() >= 100) throw new ParseException("Section part too large");
                part.add((int) n);
                wantsText = t.accept('.');
                if (!wantsText) break;
            }
            if (wantsText) {
                String s = t.keyword();
                switch (s) {
                    case "HEADER" -> spec = Section.Spec.HEADER;
                    case "TEXT" -> spec = Section.Spec.TEXT;
                    case "MIME" -> {
                        if (part.isEmpty()) throw new ParseException("MIME needs a part number");
                        spec = Section.Spec.MIME;
                    }
                    case "HEADER.FIELDS", "HEADER.FIELDS.NOT" -> {
                        spec = s.equals("HEADER.FIELDS") ? Section.Spec.HEADER_FIELDS : Section.Spec.HEADER_FIELDS_NOT;
                        t.sp();
                        t.expect('(');
                        List<String> f = new ArrayList<>();
                        do {
                            String name = t.astring();
                            if (!isFieldName(name)) throw new ParseException("Invalid header field name");
                            f.add(name);
                            if (f.size() > 200) throw new ParseException("Too many header fields");
                        } while (t.accept(' '));
                        t.expect(')');
                        fields = f;
                    }
                    default -> throw new ParseException("Unknown section " + s);
                }
            }
        }
        t.expect(']');
        return new Section(part, spec, fields);
    }

    /** RFC 5322 §3.6.8 field-name: printable US-ASCII except ":". */
    static boolean isFieldName(String s) {
        if (s.isEmpty() || s.length() > 200) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 32 || c >= 127 || c == ':') return false;
        }
        return true;
    }

    /** date = date-text / DQUOTE date-text DQUOTE; date-text = date-day "-" date-month "-" date-year. */
    static LocalDate date(Tokens t) throws ParseException {
        boolean q = t.accept('"');
        long day = t.number();
        t.expect('-');
        int month = month(t);
        t.expect('-');
        long year = t.number();
        if (q) t.expect('"');
        try {
            return LocalDate.of((int) Math.min(year, 99999), month, (int) Math.min(day, 99));
        } catch (DateTimeException e) {
            throw new ParseException("Invalid date");
        }
    }

    private static int month(Tokens t) throws ParseException {
        String m = t.letters(3).toUpperCase(Locale.ROOT);
        for (int i = 0; i < MONTHS.length; i++) {
            if (MONTHS[i].equals(m)) return i + 1;
        }
        throw new ParseException("Invalid month");
    }

    /** date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE. */
    static OffsetDateTime dateTime(Tokens t) throws ParseException {
        t.expect('"');
        t.accept(' ');
        long day = t.number();
        t.expect('-');
        int month = month(t);
        t.expect('-');
        long year = t.number();
        t.sp();
        long hh = t.number();
        t.expect(':');
        long mm = t.number();
        t.expect(':');
        long ss = t.number();
        t.sp();
        int sign = t.accept('+') ? 1 : t.accept('-') ? -1 : 0;
        if (sign == 0) throw new ParseException("Invalid time zone");
        long zone = t.number();
        t.expect('"');
        try {
            ZoneOffset off = ZoneOffset.ofHoursMinutes(sign * (int) (zone / 100), sign * (int) (zone % 100));
            return OffsetDateTime.of(LocalDateTime.of((int) Math.min(year, 9999), month, (int) Math.min(day, 99),
                    (int) Math.min(hh, 99), (int) Math.min(mm, 99), (int) Math.min(ss, 99)), off);
        } catch (DateTimeException e) {
            throw new ParseException("Invalid date-time");
        }
    }

    // ---- sequence sets and mailbox names

    /**
     * sequence-set (RFC 3501 §9). In UID sets a 0 is tolerated as a range end ("0:*", HOSTILE A24),
     * never alone; numbers above 2^32-1 are refused.
     */
    static SequenceSet sequenceSet(Tokens t, boolean uid) throws ParseException {
        if (t.accept('$')) return SequenceSet.SAVED;
        List<SequenceSet.Range> ranges = new ArrayList<>();
        do {
            long a = seqNumber(t);
            long b = a;
            if (t.accept(':')) b = seqNumber(t);
            if ((a == 0 || b == 0) && (!uid || a == b)) throw new ParseException("Invalid sequence set: 0");
            ranges.add(new SequenceSet.Range(a, b));
            if (ranges.size() > SequenceSet.MAX_RANGES) throw new ParseException("Sequence set too long");
        } while (t.accept(','));
        return new SequenceSet(ranges);
    }

    private static long seqNumber(Tokens t) throws ParseException {
        if (t.accept('*')) return SequenceSet.STAR;
        return t.number();
    }

    static String mailbox(Tokens t) throws ParseException {
        return decodeName(t.astring(), true, t.utf8Names);
    }

    /**
     * Wire name to store name: INBOX in any case is INBOX (RFC 3501 §5.1), the rest modified UTF-7,
     * or UTF-8 as it is once the client enabled UTF-8 names (RFC 6855 §3, RFC 9051 §5.1).
     */
    static String decodeName(String wire, boolean mailbox, boolean utf8) throws ParseException {
        if (mailbox && wire.equalsIgnoreCase("INBOX")) return "INBOX";
        if (utf8) return wire;
        return ModifiedUtf7.decode(wire).orElseThrow(() -> new ParseException("Invalid modified UTF-7 in mailbox name"));
    }
}
