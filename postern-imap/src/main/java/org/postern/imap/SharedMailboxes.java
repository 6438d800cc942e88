// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.postern.core.Flags;
import org.postern.store.Account;
import org.postern.store.AclStore;
import org.postern.store.CopyResult;
import org.postern.store.FlagOp;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import org.postern.store.MailboxChanges;
import org.postern.store.MailboxIndex;
import org.postern.store.MailboxSnapshot;
import org.postern.store.MailboxStore;
import org.postern.store.MessageRecord;
import org.postern.store.MetadataStore;
import org.postern.store.SpecialUse;
import org.postern.store.StoreException;

/**
 * The mailboxes one user sees: their own, and under {@value #PREFIX} the mailboxes other accounts
 * shared with them through ACLs (RFC 4314; RFC 2342 "Other Users" namespace). Every handler keeps
 * calling {@link MailboxStore} with the user's account id; this view turns a shared mailbox's name
 * or id into the owner's mailbox, checks the rights each operation needs (RFC 4314 §4) and replaces
 * the owner's \Seen by the user's own (kept by {@link AclStore}).
 *
 * <p>Shared mailboxes get ids with bit 62 set, encoding owner and mailbox id, so nothing in the
 * session needs to know which kind it holds. A mailbox on which the user has no right at all is
 * absent, exactly like one that does not exist (no existence oracle); one with some right but not
 * the needed one fails with {@link AclDenied}, NO [NOPERM].
 *
 * <p>Built as a dynamic proxy so that MailboxStore methods added later reach the store unchanged;
 * for an unknown method on a shared mailbox id (account id, mailbox id, ...) the ids are translated
 * and read access ("r") is required.
 */
final class SharedMailboxes implements InvocationHandler {
    static final String PREFIX = "Other Users/";
    static final String NAMESPACE_ROOT = "Other Users";
    private static final long VIRTUAL = 1L << 62;
    private static final long ID_MASK = (1L << 31) - 1;
    /** Per-user subscription of a shared mailbox, kept among the user's private annotations. */
    static final String SUBSCRIBED_ENTRY = "/private/vendor/postern/subscribed";

    private final MailStore store;
    private final MailboxStore real;
    private final Supplier<Account> user;
    private final Map<Long, String> addresses = new java.util.concurrent.ConcurrentHashMap<>();

    private SharedMailboxes(MailStore store, Supplier<Account> user) {
        this.store = store;
        this.real = store.mailboxes();
        this.user = user;
    }

    static MailboxStore view(MailStore store, Supplier<Account> user) {
        return (MailboxStore) Proxy.newProxyInstance(MailboxStore.class.getClassLoader(), new Class<?>[] {MailboxStore.class},
                new SharedMailboxes(store, user));
    }

    /** The store as the session uses it: {@link MailStore#mailboxes()} is the user's view, the rest as is. */
    static MailStore session(MailStore store, Supplier<Account> user) {
        MailboxStore view = view(store, user);
        return (MailStore) Proxy.newProxyInstance(MailStore.class.getClassLoader(), new Class<?>[] {MailStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("mailboxes") && method.getParameterCount() == 0) return view;
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "session store";
                        };
                    }
                    try {
                        return open(method).invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Methods of the store interfaces made accessible once; see {@link #open}. */
    private static final Set<Method> OPENED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * The method with its access check switched off: every store call of every session passes through
     * these proxies, and a checked {@link Method#invoke} looks up its caller and verifies access each
     * time. The methods are public members of public interfaces, so nothing is opened that was closed.
     */
    private static Method open(Method m) {
        if (!OPENED.contains(m) && m.trySetAccessible()) OPENED.add(m);
        return m;
    }

    static boolean isShared(long mailboxId) {
        return (mailboxId & VIRTUAL) != 0;
    }

    /** The owning account of a mailbox this view returned. */
    static long ownerOf(Mailbox m) {
        return isShared(m.id()) ? (m.id() & ~VIRTUAL) >>> 31 : m.accountId();
    }

    /** The owner's id of a mailbox this view returned. */
    static long realIdOf(Mailbox m) {
        return isShared(m.id()) ? m.id() & ID_MASK : m.id();
    }

    private static long virtualId(long owner, long mailboxId) {
        return VIRTUAL | (owner << 31) | mailboxId;
    }

    private record Target(long owner, long mailboxId, String rights) {}

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "SharedMailboxes view";
            };
        }
        Object[] a = args == null ? new Object[0] : args;
        switch (method.getName()) {
            case "list" -> {
                if (a.length == 1) return list((Long) a[0]);
            }
            case "find" -> {
                if (a.length == 2 && a[1] instanceof String name && name.startsWith(PREFIX)) return findShared(name);
            }
            case "byId" -> {
                if (a.length == 2 && isShared((Long) a[1])) return byIdShared((Long) a[1]);
            }
            case "create" -> {
                if (a.length == 3 && a[1] instanceof String name) {
                    if (name.startsWith(PREFIX)) return createShared(name, (SpecialUse) a[2]);
                    refuseOwnPrefix(name);
                }
            }
            case "rename" -> {
                if (a.length == 3 && a[1] instanceof String from && a[2] instanceof String to) {
                    if (from.startsWith(PREFIX) || to.startsWith(PREFIX)) {
                        renameShared(from, to);
                        return null;
                    }
                    refuseOwnPrefix(to);
                }
            }
            case "delete" -> {
                if (a.length == 2 && a[1] instanceof String name && name.startsWith(PREFIX)) {
                    Mailbox m = findShared(name).orElseThrow(() -> new StoreException.NotFound("no mailbox " + name));
                    Target t = target(m.id());
                    require(t, 'x');
                    real.delete(t.owner, real.byId(t.owner, t.mailboxId).orElseThrow().name());
                    return null;
                }
            }
            case "setSubscribed" -> {
                if (a.length == 3 && a[1] instanceof String name && name.startsWith(PREFIX)) {
                    subscribeShared(name, (Boolean) a[2]);
                    return null;
                }
            }
            default -> {
                // handled below
            }
        }
        long mailboxId = a.length >= 2 && a[1] instanceof Long l ? l : 0;
        if (!isShared(mailboxId) && !(method.getName().equals("copy") || method.getName().equals("move"))) {
            return call(method, a);
        }
        return switch (method.getName()) {
            case "snapshot" -> snapshot(target(mailboxId), mailboxId);
            case "index" -> index(target(mailboxId), mailboxId);
            case "changesSince" -> changes(target(mailboxId), (Long) a[2]);
            case "message" -> message(target(mailboxId), (Long) a[2]);
            case "storeFlags" -> storeFlags(target(mailboxId), longs(a[2]), (FlagOp) a[3], strings(a[4]), (Long) a[5]);
            case "append" -> append(target(mailboxId), (String) a[2], (Long) a[3], strings(a[4]), (Instant) a[5]);
            case "expunge" -> {
                Target t = target(mailboxId);
                require(t, 'e');
                yield real.expunge(t.owner, t.mailboxId, longs(a[2]));
            }
            case "copy", "move" -> copy(method, a, method.getName().equals("move"));
            default -> {
                Target t = target(mailboxId);
                require(t, 'r');
                Object[] translated = a.clone();
                translated[0] = t.owner;
                translated[1] = t.mailboxId;
                yield call(method, translated);
            }
        };
    }

    private Object call(Method method, Object[] args) throws Throwable {
        try {
            return open(method).invoke(real, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Long> longs(Object o) {
        return (List<Long>) o;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> strings(Object o) {
        return (Set<String>) o;
    }

    private long userId() {
        return user.get().id();
    }

    /** Own mailboxes cannot take names in the shared namespace. */
    private static void refuseOwnPrefix(String name) {
        if (name.equals(NAMESPACE_ROOT) || name.startsWith(PREFIX)) {
            throw new StoreException.Refused("names under " + NAMESPACE_ROOT + " are other users' mailboxes");
        }
    }

    // ---- rights

    /** RFC 4314: the union of the entries naming the user and "anyone"; the owner has every right. */
    String rights(long owner, long mailboxId) {
        if (owner == userId()) return Rights.ALL;
        Map<String, String> acl = store.acl().acl(owner, mailboxId);
        return Rights.union(acl.getOrDefault(userKey(), ""), acl.getOrDefault(AclStore.ANYONE, ""));
    }

    private String userKey() {
        return user.get().address().toLowerCase(Locale.ROOT);
    }

    private Target target(long virtual) {
        long owner = (virtual & ~VIRTUAL) >>> 31;
        long id = virtual & ID_MASK;
        String r = rights(owner, id);
        if (r.isEmpty()) throw new StoreException.NotFound("no mailbox");
        return new Target(owner, id, r);
    }

    private static void require(Target t, char right) {
        if (!Rights.has(t.rights, right)) throw new AclDenied("Missing right '" + right + "' on this mailbox");
    }

    private String address(long owner) {
        return addresses.computeIfAbsent(owner, o -> store.directory().account(o).map(Account::address).orElse("?"));
    }

    // ---- names

    private List<Mailbox> list(long accountId) {
        // The account's own mailboxes and the grants to this user, in one read where the backend can.
        MailStore.Listing listing = store.listing(accountId, List.of(userKey(), AclStore.ANYONE));
        List<Mailbox> out = new ArrayList<>(listing.mailboxes());
        Map<List<Long>, String> granted = new LinkedHashMap<>();
        for (AclStore.Grant g : listing.grants()) {
            if (g.ownerAccountId() == userId()) continue;
            granted.merge(List.of(g.ownerAccountId(), g.mailboxId()), g.rights(), Rights::union);
        }
        for (Map.Entry<List<Long>, String> e : granted.entrySet()) {
            // RFC 4314 §4: LIST shows only mailboxes with the "l" right.
            if (!Rights.has(e.getValue(), 'l')) continue;
            long owner = e.getKey().get(0);
            real.byId(owner, e.getKey().get(1)).ifPresent(m -> out.add(shared(owner, m)));
        }
        return out;
    }

    private Mailbox shared(long owner, Mailbox m) {
        long user = userId();
        int unseen = Math.max(0, m.messages() - store.acl().seenCount(owner, m.id(), user));
        boolean subscribed = store.metadata().entries(MetadataStore.Scope.mailboxPrivate(owner, m.id(), user))
                .containsKey(SUBSCRIBED_ENTRY);
        return new Mailbox(virtualId(owner, m.id()), owner, PREFIX + address(owner) + "/" + m.name(), m.specialUse(),
                m.uidValidity(), m.uidNext(), m.highestModSeq(), subscribed, m.messages(), unseen);
    }

    /** "Other Users/OWNER/NAME" to the owner's account and NAME, or empty. */
    private Optional<Map.Entry<Account, String>> split(String name) {
        String rest = name.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) return Optional.empty();
        Optional<Account> owner = store.directory().account(rest.substring(0, slash));
        if (owner.isEmpty() || owner.get().id() == userId()) return Optional.empty();
        return Optional.of(Map.entry(owner.get(), rest.substring(slash + 1)));
    }

    private Optional<Mailbox> findShared(String name) {
        var parts = split(name).orElse(null);
        if (parts == null) return Optional.empty();
        long owner = parts.getKey().id();
        Optional<Mailbox> m = real.find(owner, parts.getValue());
        if (m.isEmpty() || rights(owner, m.get().id()).isEmpty()) return Optional.empty();
        return Optional.of(shared(owner, m.get()));
    }

    private Optional<Mailbox> byIdShared(long virtual) {
        long owner = (virtual & ~VIRTUAL) >>> 31;
        long id = virtual & ID_MASK;
        Optional<Mailbox> m = real.byId(owner, id);
        if (m.isEmpty() || rights(owner, id).isEmpty()) return Optional.empty();
        return Optional.of(shared(owner, m.get()));
    }

    /** The nearest existing parent of {@code name} in the owner's account, or null. */
    private Mailbox parentOf(long owner, String name) {
        for (int i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
            Optional<Mailbox> p = real.find(owner, name.substring(0, i));
            if (p.isPresent()) return p.get();
        }
        return null;
    }

    /** RFC 4314 §4: "k" on the nearest existing parent; the new mailbox inherits its ACL. */
    private Mailbox createShared(String name, SpecialUse use) {
        var parts = split(name).orElseThrow(() -> new AclDenied("Cannot create mailboxes there"));
        long owner = parts.getKey().id();
        Mailbox parent = parentOf(owner, parts.getValue());
        if (parent == null || rights(owner, parent.id()).isEmpty()) throw new AclDenied("Cannot create mailboxes there");
        require(new Target(owner, parent.id(), rights(owner, parent.id())), 'k');
        Mailbox created = real.create(owner, parts.getValue(), use);
        for (Map.Entry<String, String> e : store.acl().acl(owner, parent.id()).entrySet()) {
            store.acl().setRights(owner, created.id(), e.getKey(), e.getValue());
        }
        return shared(owner, created);
    }

    /** RFC 4314 §4: "x" on the mailbox and "k" on the new parent, within one account. */
    private void renameShared(String from, String to) {
        Mailbox source = findShared(from).orElseThrow(() -> new StoreException.NotFound("no mailbox " + from));
        long owner = ownerOf(source);
        var dest = to.startsWith(PREFIX) ? split(to).orElse(null) : null;
        if (dest == null || dest.getKey().id() != owner) throw new StoreException.Refused("Mailboxes cannot move between accounts");
        require(target(source.id()), 'x');
        Mailbox parent = parentOf(owner, dest.getValue());
        if (parent == null) throw new AclDenied("Cannot create mailboxes there");
        require(new Target(owner, parent.id(), rights(owner, parent.id())), 'k');
        real.rename(owner, real.byId(owner, realIdOf(source)).orElseThrow().name(), dest.getValue());
    }

    private void subscribeShared(String name, boolean subscribe) {
        Mailbox m = findShared(name).orElseThrow(() -> new StoreException.NotFound("no mailbox " + name));
        Map<String, byte[]> v = new HashMap<>();
        v.put(SUBSCRIBED_ENTRY, subscribe ? new byte[] {'1'} : null);
        store.metadata().apply(Map.of(MetadataStore.Scope.mailboxPrivate(ownerOf(m), realIdOf(m), userId()), v));
    }

    // ---- messages, with the user's own \Seen

    private Set<Long> seen(Target t) {
        return store.acl().seenUids(t.owner, t.mailboxId, userId());
    }

    private static Set<String> overlay(Set<String> flags, boolean seen) {
        Set<String> out = new LinkedHashSet<>();
        for (String f : flags) if (!f.equalsIgnoreCase(Flags.SEEN)) out.add(f);
        if (seen) out.add(Flags.SEEN);
        return out;
    }

    private static MessageRecord overlay(MessageRecord r, Set<Long> seen) {
        return new MessageRecord(r.uid(), r.modSeq(), overlay(r.flags(), seen.contains(r.uid())), r.size(), r.internalDate(),
                r.blobId(), r.savedDate());
    }

    private Mailbox virtualMailbox(Target t) {
        return shared(t.owner, real.byId(t.owner, t.mailboxId).orElseThrow(() -> new StoreException.NotFound("no mailbox")));
    }

    private MailboxSnapshot snapshot(Target t, long virtual) {
        require(t, 'r');
        MailboxSnapshot s = real.snapshot(t.owner, t.mailboxId);
        Set<Long> seen = seen(t);
        List<MessageRecord> messages = new ArrayList<>(s.messages().size());
        for (MessageRecord r : s.messages()) messages.add(overlay(r, seen));
        return new MailboxSnapshot(shared(t.owner, s.mailbox()), messages);
    }

    private MailboxIndex index(Target t, long virtual) {
        require(t, 'r');
        MailboxSnapshot s = snapshot(t, virtual);
        return MailboxIndex.of(s);
    }

    private MailboxChanges changes(Target t, long modSeq) {
        require(t, 'r');
        MailboxChanges c = real.changesSince(t.owner, t.mailboxId, modSeq);
        if (c.changed().isEmpty()) return c;
        Set<Long> seen = seen(t);
        List<MessageRecord> changed = new ArrayList<>(c.changed().size());
        for (MessageRecord r : c.changed()) changed.add(overlay(r, seen));
        return new MailboxChanges(c.highestModSeq(), c.uidNext(), changed, c.expunged());
    }

    private Optional<MessageRecord> message(Target t, long uid) {
        require(t, 'r');
        Set<Long> seen = seen(t);
        return real.message(t.owner, t.mailboxId, uid).map(r -> overlay(r, seen));
    }

    /** Whether the rights allow changing {@code flag} (RFC 4314 §4 STORE: s, t, or w for the rest). */
    private static boolean mayChange(String rights, String flag) {
        if (flag.equalsIgnoreCase(Flags.SEEN)) return Rights.has(rights, 's');
        if (flag.equalsIgnoreCase(Flags.DELETED)) return Rights.has(rights, 't');
        return Rights.has(rights, 'w');
    }

    /**
     * RFC 4314 §4: flags the user has no right to change are left alone, silently (a NO for STORE
     * is badly handled by clients); \Seen changes only the user's own state.
     */
    private List<MessageRecord> storeFlags(Target t, List<Long> uids, FlagOp op, Set<String> flags, long unchangedSince) {
        Set<Long> changed = new TreeSet<>();
        Set<String> others = new LinkedHashSet<>();
        boolean seenGiven = false;
        for (String f : flags) {
            if (f.equalsIgnoreCase(Flags.SEEN)) seenGiven = true;
            else if (mayChange(t.rights, f)) others.add(f);
        }
        if (op == FlagOp.REPLACE) {
            Map<Set<String>, List<Long>> groups = new LinkedHashMap<>();
            for (long uid : uids) {
                MessageRecord r = real.message(t.owner, t.mailboxId, uid).orElse(null);
                if (r == null) continue;
                Set<String> next = new LinkedHashSet<>();
                for (String f : r.flags()) if (f.equalsIgnoreCase(Flags.SEEN) || !mayChange(t.rights, f)) next.add(f);
                next.addAll(others);
                groups.computeIfAbsent(next, k -> new ArrayList<>()).add(uid);
            }
            for (Map.Entry<Set<String>, List<Long>> g : groups.entrySet()) {
                for (MessageRecord r : real.storeFlags(t.owner, t.mailboxId, g.getValue(), FlagOp.REPLACE, g.getKey(), unchangedSince)) {
                    changed.add(r.uid());
                }
            }
        } else if (!others.isEmpty()) {
            for (MessageRecord r : real.storeFlags(t.owner, t.mailboxId, uids, op, others, unchangedSince)) changed.add(r.uid());
        }
        if (Rights.has(t.rights, 's') && (seenGiven || op == FlagOp.REPLACE)) {
            boolean mark = op == FlagOp.REPLACE ? seenGiven : op == FlagOp.ADD;
            changed.addAll(store.acl().setSeen(t.owner, t.mailboxId, userId(), uids, mark));
        }
        Set<Long> seen = seen(t);
        List<MessageRecord> out = new ArrayList<>();
        for (long uid : changed) real.message(t.owner, t.mailboxId, uid).ifPresent(r -> out.add(overlay(r, seen)));
        return out;
    }

    /** RFC 4314 §4: "i" to append; flags kept only where the user may set them. */
    private MessageRecord append(Target t, String blobId, long size, Set<String> flags, Instant date) {
        require(t, 'i');
        Set<String> kept = new LinkedHashSet<>();
        boolean seen = false;
        for (String f : flags) {
            if (f.equalsIgnoreCase(Flags.SEEN)) seen = Rights.has(t.rights, 's');
            else if (mayChange(t.rights, f)) kept.add(f);
        }
        MessageRecord r = real.append(t.owner, t.mailboxId, blobId, size, kept, date);
        if (seen) store.acl().setSeen(t.owner, t.mailboxId, userId(), List.of(r.uid()), true);
        return overlay(real.message(t.owner, t.mailboxId, r.uid()).orElse(r), seen ? Set.of(r.uid()) : Set.of());
    }

    private Target own(long mailboxId) {
        return new Target(userId(), mailboxId, Rights.ALL);
    }

    /**
     * COPY and MOVE involving a shared mailbox: "i" on the target (and "t", "e" on the source of a
     * MOVE, RFC 6851 §4.1). Within one account the store copies; between accounts each message is
     * appended to the target with the flags the user sees and may set there (RFC 4314 §4).
     */
    private CopyResult copy(Method method, Object[] a, boolean move) throws Throwable {
        long from = (Long) a[1];
        long to = (Long) a[3];
        Target src = isShared(from) ? target(from) : own(from);
        Target dst = isShared(to) ? target(to) : own(to);
        if (!isShared(from) && !isShared(to)) return (CopyResult) call(method, a);
        require(dst, 'i');
        if (move) {
            require(src, 't');
            require(src, 'e');
        }
        List<Long> uids = longs(a[2]);
        if (src.owner == dst.owner) {
            return move ? real.move(src.owner, src.mailboxId, uids, dst.mailboxId)
                    : real.copy(src.owner, src.mailboxId, uids, dst.mailboxId);
        }
        Set<Long> seen = src.owner == userId() ? null : seen(src);
        Mailbox target = real.byId(dst.owner, dst.mailboxId).orElseThrow(() -> new StoreException.NotFound("no mailbox"));
        List<Long> sources = new ArrayList<>();
        List<Long> dests = new ArrayList<>();
        for (long uid : new TreeSet<>(uids)) {
            MessageRecord r = real.message(src.owner, src.mailboxId, uid).orElse(null);
            if (r == null) continue;
            Set<String> flags = seen == null ? r.flags() : overlay(r.flags(), seen.contains(uid));
            MessageRecord added = dst.owner == userId()
                    ? real.append(dst.owner, dst.mailboxId, r.blobId(), r.size(), flags, r.internalDate())
                    : append(dst, r.blobId(), r.size(), flags, r.internalDate());
            sources.add(uid);
            dests.add(added.uid());
        }
        if (move && !sources.isEmpty()) real.expunge(src.owner, src.mailboxId, sources);
        return new CopyResult(target.uidValidity(), sources, dests);
    }
}
