// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.AuthThrottle;
import org.postern.auth.Authenticator;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.net.Listener;
import org.postern.net.NetLimits;
import org.postern.search.CorpusGenerator;
import org.postern.search.SearchIndex;
import org.postern.search.SearchText;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.store.sqlite.SqliteMailStore;

/**
 * SEARCH answered from the full-text index gives the same lines as SEARCH scanning every message
 * (RFC 9051 §6.4.4 substring semantics), for every text key alone and combined with NOT, OR and
 * non-text keys, on a generated corpus; and messages the index has not reached yet are still found.
 */
class IndexedSearchTest {
    static final String USER = "alice@example.org";

    @TempDir
    Path dir;
    SqliteMailStore store;
    SearchIndex index;
    Listener scanning;
    Listener indexed;
    long account;
    long inbox;
    long lastUid;
    final List<SearchText> texts = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        store = SqliteMailStore.open(dir.resolve("data"));
        store.directory().addDomain("example.org");
        account = store.directory().createAccount(USER, new Passwords(PasswordHasher.Cost.TEST).record("secret"), false).id();
        inbox = store.mailboxes().find(account, Mailbox.INBOX).orElseThrow().id();
        SaslMechanisms sasl = new SaslMechanisms(new Authenticator(store.directory(),
                new AuthThrottle(AuthThrottle.Policy.RELAXED, Clock.systemUTC()), PasswordHasher.Cost.TEST, Clock.systemUTC()));
        ImapConfig config = ImapConfig.defaults("localhost", false).withAllowPlaintextAuth(true);
        index = org.postern.search.LuceneSearchIndex.open(dir.resolve("data/index"), store);
        scanning = Listener.start("imap", InetAddress.getLoopbackAddress(), 0, false, null, NetLimits.DEFAULT,
                new ImapServer(config, store, sasl, null));
        indexed = Listener.start("imap", InetAddress.getLoopbackAddress(), 0, false, null, NetLimits.DEFAULT,
                new ImapServer(config, store, sasl, null, index));
    }

    @AfterEach
    void tearDown() {
        scanning.close();
        indexed.close();
        index.close();
        store.close();
    }

    private void load(List<byte[]> messages) throws Exception {
        for (byte[] m : messages) {
            String id;
            try (BlobStore.BlobWriter w = store.blobs().create()) {
                OutputStream out = w.stream();
                out.write(m);
                id = w.commit();
            }
            lastUid = store.mailboxes().append(account, inbox, id, m.length, Set.of(), Instant.now()).uid();
            texts.add(SearchText.of(m));
        }
    }

    private ImapClient login(Listener l) throws Exception {
        ImapClient c = new ImapClient(l.port());
        c.line();
        assertThat(c.cmd("l", "LOGIN " + USER + " secret").getLast()).startsWith("l OK");
        assertThat(c.cmd("s", "SELECT INBOX").getLast()).startsWith("s OK");
        return c;
    }

    /** An IMAP astring for any text: a non-synchronizing literal (RFC 7888). */
    static String literal(String s) {
        return "{" + s.getBytes(StandardCharsets.UTF_8).length + "+}\r\n" + s;
    }

    @Test
    void indexedSearchAnswersLikeTheScan() throws Exception {
        load(new CorpusGenerator(11).messages(250));
        assertThat(index.awaitIndexed(account, inbox, lastUid, Duration.ofSeconds(60))).isTrue();
        Random rnd = new Random(13);
        int found = 0;
        int total = 0;
        try (ImapClient a = login(scanning); ImapClient b = login(indexed)) {
            for (int i = 0; i < 200; i++) {
                String criteria = switch (rnd.nextInt(6)) {
                    case 0 -> "NOT " + key(rnd);
                    case 1 -> "OR " + key(rnd) + " " + key(rnd);
                    case 2 -> key(rnd) + " " + key(rnd);
                    case 3 -> "UID " + (1 + rnd.nextInt(100)) + ":* " + key(rnd);
                    case 4 -> "NOT OR " + key(rnd) + " LARGER " + (500 + rnd.nextInt(3000));
                    default -> key(rnd);
                };
                String cmd = (rnd.nextBoolean() ? "UID " : "") + "SEARCH CHARSET UTF-8 " + criteria;
                List<String> want = a.cmd("t" + i, cmd);
                assertThat(want.getLast()).as(cmd).startsWith("t" + i + " OK");
                assertThat(b.cmd("t" + i, cmd)).as(cmd).isEqualTo(want);
                total++;
                if (!want.getFirst().equals("* SEARCH")) found++;
            }
        }
        assertThat(found).isBetween(total / 4, total - total / 10);
    }

    /**
     * RFC 4314: a shared mailbox's text is in its owner's index. The bodies are removed from disk
     * after indexing, so only the index can find the needle: a SEARCH keyed by the searcher's
     * account would scan unreadable messages and find nothing.
     */
    @Test
    void sharedMailboxIsSearchedInTheOwnersIndex() throws Exception {
        store.directory().createAccount("bob@example.org", new Passwords(PasswordHasher.Cost.TEST).record("pw"), false);
        load(List.of("Subject: a\r\n\r\nquokka here\r\n".getBytes(StandardCharsets.UTF_8),
                "Subject: b\r\n\r\nnothing\r\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(index.awaitIndexed(account, inbox, lastUid, Duration.ofSeconds(60))).isTrue();
        store.acl().setRights(account, inbox, "bob@example.org", "lr");
        try (var files = java.nio.file.Files.walk(dir.resolve("data"))) {
            for (Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                if (f.getFileName().toString().length() >= 32 && !f.toString().contains("index")) java.nio.file.Files.delete(f);
            }
        }
        ImapClient b = new ImapClient(indexed.port());
        try (b) {
            b.line();
            assertThat(b.cmd("l", "LOGIN bob@example.org pw").getLast()).startsWith("l OK");
            assertThat(b.cmd("s", "SELECT \"Other Users/alice@example.org/INBOX\"").getLast()).startsWith("s OK [READ-ONLY]");
            assertThat(b.cmd("t", "UID SEARCH BODY quokka")).containsExactly("* SEARCH 1", "t OK UID SEARCH completed");
        }
    }

    private String key(Random rnd) {
        SearchText t = texts.get(rnd.nextInt(texts.size()));
        String[] fields = {"FROM", "TO", "CC", "BCC", "SUBJECT"};
        return switch (rnd.nextInt(7)) {
            case 0 -> "BODY " + literal(needle(rnd, t.body()));
            case 1 -> "TEXT " + literal(needle(rnd, rnd.nextBoolean() ? t.head() : t.body()));
            case 2, 3 -> {
                String f = fields[rnd.nextInt(fields.length)];
                String value = t.fields().stream().filter(x -> x.name().equals(f.toLowerCase(Locale.ROOT)))
                        .map(SearchText.Field::value).findFirst().orElse("example");
                yield f + " " + literal(needle(rnd, value));
            }
            case 4 -> "HEADER " + (rnd.nextBoolean() ? "X-Mailer" : "List-Id") + " " + literal(rnd.nextInt(4) == 0 ? "" : needle(rnd, t.head()));
            case 5 -> "BODY " + literal(word(rnd));
            default -> "SUBJECT " + literal(word(rnd).toUpperCase(Locale.ROOT));
        };
    }

    private static String word(Random rnd) {
        String[] w = {"the", "budget", "Grüße", "квартал", "会議", "🎉", "re:", "a", "zzqq", "throughput", "ß", "İ"};
        return w[rnd.nextInt(w.length)];
    }

    private static String needle(Random rnd, String s) {
        if (s.isEmpty()) return "x";
        int start = rnd.nextInt(s.length());
        int end = Math.min(s.length(), start + 1 + rnd.nextInt(10));
        if (Character.isLowSurrogate(s.charAt(start))) start--;
        if (end < s.length() && Character.isLowSurrogate(s.charAt(end))) end++;
        String n = s.substring(start, end);
        return rnd.nextInt(5) == 0 ? n.toUpperCase(Locale.ROOT) : n;
    }

    @Test
    void textKeysPerSearchAreBounded() throws Exception {
        load(new CorpusGenerator(14).messages(3));
        try (ImapClient b = login(indexed)) {
            String many = "BODY x ".repeat(TextKeys.MAX_KEYS).strip();
            assertThat(b.cmd("a", "SEARCH " + many).getLast()).isEqualTo("a OK SEARCH completed");
            assertThat(b.cmd("b", "SEARCH " + many + " TEXT y")).containsExactly("b NO [LIMIT] Too many text criteria in one SEARCH");
        }
    }

    @Test
    void messagesNotYetIndexedAreStillFound() throws Exception {
        load(new CorpusGenerator(12).messages(50));
        assertThat(index.awaitIndexed(account, inbox, lastUid, Duration.ofSeconds(60))).isTrue();
        try (ImapClient b = login(indexed)) {
            for (int i = 0; i < 20; i++) {
                String word = "fresh" + i + "word";
                load(List.of(("Subject: new " + i + "\r\n\r\nJust delivered: " + word + "\r\n").getBytes(StandardCharsets.US_ASCII)));
                b.cmd("n" + i, "NOOP");
                // Searched at once, usually before the indexer has reached it: the scan of newer messages finds it.
                assertThat(b.cmd("q" + i, "UID SEARCH BODY " + word.toUpperCase(Locale.ROOT)))
                        .containsExactly("* SEARCH " + lastUid, "q" + i + " OK UID SEARCH completed");
            }
        }
    }
}
