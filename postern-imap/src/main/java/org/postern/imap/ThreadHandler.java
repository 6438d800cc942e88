// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postern.core.mime.Headers;
import org.postern.imap.parse.Command;
import org.postern.store.MessageRecord;
import org.postern.store.backend.ThreadLinks;

/**
 * THREAD and UID THREAD (RFC 5256 §3) with ORDEREDSUBJECT (§4, by base subject then sent date) and
 * REFERENCES (§4, the Zawinski algorithm: link by Message-ID/References/In-Reply-To, prune empty
 * containers, merge root threads of the same base subject, sort siblings by sent date). Work is
 * bounded: at most {@value #MAX_REFERENCES} references per message and one header read per message.
 */
final class ThreadHandler {
    static final int MAX_REFERENCES = ThreadLinks.MAX_REFERENCES;

    String thread(ImapSession s, Command.Thread c) throws IOException, ImapException {
        if (!c.charset().equals("UTF-8") && !c.charset().equals("US-ASCII")) {
            throw ImapException.no("BADCHARSET (UTF-8 US-ASCII)", "Unsupported charset");
        }
        SelectedMailbox m = s.selected;
        List<Msg> msgs = new ArrayList<>();
        for (int seq : SearchHandler.matching(s, m, c.key())) {
            MessageRecord r = m.at(seq);
            Headers h = SortHandler.headersOf(s, r);
            msgs.add(new Msg(c.uid() ? r.uid() : seq, seq, SortHandler.sentDate(h, r),
                    SortHandler.extract(h == null ? null : h.first("Subject")), h));
        }
        List<Node> roots = c.algorithm() == Command.ThreadAlgorithm.ORDEREDSUBJECT ? orderedSubject(msgs) : references(msgs);
        StringBuilder sb = new StringBuilder("* THREAD");
        if (!roots.isEmpty()) sb.append(' ');
        for (Node n : roots) sb.append('(').append(render(n)).append(')');
        s.out().raw(sb.toString()).crlf();
        return c.name() + " completed";
    }

    record Msg(long id, int seq, Instant date, SortHandler.Subject subject, Headers headers) {}

    /** A thread container: a message, or empty (a dummy standing for a referenced message we lack). */
    static final class Node {
        Msg msg;
        Node parent;
        final List<Node> children = new ArrayList<>();

        Node(Msg msg) {
            this.msg = msg;
        }

        /** Sent date and sequence number of the node, or of its first child when it is empty. */
        Msg key() {
            if (msg != null) return msg;
            return children.isEmpty() ? null : children.getFirst().key();
        }
    }

    private static final Comparator<Node> BY_DATE = Comparator.comparing((Node n) -> n.key().date())
            .thenComparingInt(n -> n.key().seq());

    /** RFC 5256 §4 ORDEREDSUBJECT: first message of each base subject is the parent of the others. */
    static List<Node> orderedSubject(List<Msg> msgs) {
        Map<String, Node> bySubject = new LinkedHashMap<>();
        List<Msg> sorted = new ArrayList<>(msgs);
        sorted.sort(Comparator.comparing((Msg x) -> SortHandler.casemap(x.subject().base())).thenComparing(Msg::date)
                .thenComparingInt(Msg::seq));
        for (Msg x : sorted) {
            Node top = bySubject.get(SortHandler.casemap(x.subject().base()));
            if (top == null) bySubject.put(SortHandler.casemap(x.subject().base()), new Node(x));
            else link(top, new Node(x));
        }
        List<Node> roots = new ArrayList<>(bySubject.values());
        roots.sort(BY_DATE);
        return roots;
    }

    /** RFC 5256 §4 REFERENCES. */
    static List<Node> references(List<Msg> msgs) {
        Map<String, Node> byId = new HashMap<>();
        List<Node> all = new ArrayList<>();
        for (Msg x : msgs) {
            // (1)(A) the message's own container; a missing or duplicate Message-ID gets a fresh one.
            String id = first(x.headers(), "Message-ID");
            Node own = id == null ? null : byId.get(id);
            if (own == null || own.msg != null) {
                own = new Node(null);
                all.add(own);
                if (id != null && !byId.containsKey(id)) byId.put(id, own);
            }
            own.msg = x;
            // (1)(B) link the references in order, never creating a loop or relinking.
            List<String> refs = ids(x.headers(), "References");
            if (refs.isEmpty()) {
                String irt = first(x.headers(), "In-Reply-To");
                if (irt != null) refs = List.of(irt);
            }
            Node prev = null;
            for (String ref : refs) {
                Node r = byId.get(ref);
                if (r == null) {
                    r = new Node(null);
                    byId.put(ref, r);
                    all.add(r);
                }
                if (prev != null && r.parent == null && r != prev && !reaches(r, prev) && !reaches(prev, r)) link(prev, r);
                prev = r;
            }
            // (1)(C) the last reference becomes the parent, replacing any parent set before.
            if (prev != null && (prev == own || reaches(own, prev))) prev = null;
            if (own.parent != null) unlink(own);
            if (prev != null) link(prev, own);
        }
        // (2) root set, (3) prune empty containers.
        List<Node> roots = new ArrayList<>();
        for (Node n : all) {
            if (n.parent == null) roots.add(n);
        }
        roots = prune(roots, true);
        sortTree(roots);
        // (5) merge root threads by base subject.
        Map<String, Node> table = new HashMap<>();
        for (Node n : roots) {
            Msg k = n.key();
            String subject = SortHandler.casemap(k.subject().base());
            if (subject.isEmpty()) continue;
            Node t = table.get(subject);
            if (t == null || (n.msg == null && t.msg != null)
                    || (t.msg != null && t.msg.subject().replyOrForward() && n.msg != null && !n.msg.subject().replyOrForward())) {
                table.put(subject, n);
            }
        }
        List<Node> merged = new ArrayList<>();
        Map<Node, Node> replaced = new HashMap<>();
        for (Node n : roots) {
            String subject = SortHandler.casemap(n.key().subject().base());
            Node t = subject.isEmpty() ? null : table.get(subject);
            if (t == null || t == n) {
                // A table entry merged into a new dummy before it was reached stands for that dummy.
                merged.add(replaced.getOrDefault(n, n));
                continue;
            }
            Node target = replaced.getOrDefault(t, t);
            if (target.msg == null && n.msg == null) {
                for (Node ch : new ArrayList<>(n.children)) {
                    unlink(ch);
                    link(target, ch);
                }
            } else if (target.msg == null) {
                link(target, n);
            } else if (n.msg.subject().replyOrForward() && !target.msg.subject().replyOrForward()) {
                link(target, n);
            } else {
                Node dummy = new Node(null);
                int at = merged.indexOf(target);
                link(dummy, target);
                link(dummy, n);
                replaced.put(t, dummy);
                if (at >= 0) merged.set(at, dummy);
            }
        }
        // (6) sort every set of siblings by sent date.
        sortTree(merged);
        return merged;
    }

    private static List<Node> prune(List<Node> siblings, boolean root) {
        List<Node> out = new ArrayList<>();
        for (Node n : siblings) {
            List<Node> kids = prune(new ArrayList<>(n.children), false);
            n.children.clear();
            for (Node k : kids) k.parent = n;
            n.children.addAll(kids);
            if (n.msg == null && n.children.isEmpty()) continue;
            if (n.msg == null && (!root || n.children.size() == 1)) {
                // Promote the children of an empty container (at the root only a single child).
                for (Node k : n.children) {
                    k.parent = root ? null : n.parent;
                    out.add(k);
                }
                n.children.clear();
                continue;
            }
            out.add(n);
        }
        return out;
    }

    private static void sortTree(List<Node> siblings) {
        for (Node n : siblings) sortTree(n.children);
        siblings.sort(BY_DATE);
    }

    /** Whether {@code to} is {@code from} or among its descendants. */
    private static boolean reaches(Node from, Node to) {
        for (Node p = to; p != null; p = p.parent) {
            if (p == from) return true;
        }
        return false;
    }

    private static void link(Node parent, Node child) {
        child.parent = parent;
        parent.children.add(child);
    }

    private static void unlink(Node child) {
        child.parent.children.remove(child);
        child.parent = null;
    }

    static String first(Headers h, String field) {
        List<String> l = ids(h, field);
        return l.isEmpty() ? null : l.getFirst();
    }

    /** The store's reading of msg-ids, so THREAD and THREADID link messages alike. */
    static List<String> ids(Headers h, String field) {
        return ThreadLinks.ids(h, field);
    }

    /** thread-list syntax (RFC 5256 §5): a chain of single children inline, several children nested. */
    static String render(Node n) {
        StringBuilder sb = new StringBuilder();
        if (n.msg != null) sb.append(n.msg.id());
        if (n.children.size() == 1) {
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(render(n.children.getFirst()));
        } else if (n.children.size() > 1) {
            if (!sb.isEmpty()) sb.append(' ');
            for (Node c : n.children) sb.append('(').append(render(c)).append(')');
        }
        return sb.toString();
    }
}
