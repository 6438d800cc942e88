// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postern.auth.AuthThrottle;
import org.postern.auth.Authenticator;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;
import org.postern.auth.sasl.SaslMechanisms;
import org.postern.net.Listener;
import org.postern.net.NetLimits;
import org.postern.store.sqlite.SqliteMailStore;

/**
 * An ImapServer on a fresh SQLite store with plaintext login allowed on loopback, and transcript
 * clients: {@link Session#exchange} sends one client line and expects exactly the given server
 * lines. Expected lines may name variables as {@code ${NAME}}; {@link Session#let} sets them, so
 * values the test cannot know in advance (UIDVALIDITY, a base MODSEQ) are read once and then checked
 * exactly everywhere else.
 */
final class ImapFixture implements AutoCloseable {
    static final String USER = "alice@example.org";
    final SqliteMailStore store;
    final Listener listener;

    ImapFixture(Path dir) throws Exception {
        this(dir, c -> c);
    }

    /** With a configuration adjusted by {@code config}, e.g. lower limits. */
    ImapFixture(Path dir, java.util.function.UnaryOperator<ImapConfig> config) throws Exception {
        this(dir, config, s -> s);
    }

    /** The server sees the store through {@code view} (e.g. one that counts calls). */
    ImapFixture(Path dir, java.util.function.UnaryOperator<ImapConfig> config,
            java.util.function.Function<org.postern.store.MailStore, org.postern.store.MailStore> view) throws Exception {
        store = SqliteMailStore.open(dir.resolve("data"));
        store.directory().addDomain("example.org");
        store.directory().createAccount(USER, new Passwords(PasswordHasher.Cost.TEST).record("secret"), false);
        SaslMechanisms sasl = new SaslMechanisms(new Authenticator(store.directory(),
                new AuthThrottle(AuthThrottle.Policy.RELAXED, Clock.systemUTC()), PasswordHasher.Cost.TEST, Clock.systemUTC()));
        listener = Listener.start("imap", InetAddress.getLoopbackAddress(), 0, false, null, NetLimits.DEFAULT,
                new ImapServer(config.apply(ImapConfig.defaults("localhost", false).withAllowPlaintextAuth(true)), view.apply(store),
                        sasl, null));
    }

    Session login() throws IOException {
        Session s = new Session(new ImapClient(listener.port()));
        assertThat(s.client.line()).startsWith("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 ");
        assertThat(s.client.cmd("l", "LOGIN " + USER + " secret").getLast()).startsWith("l OK [CAPABILITY ");
        return s;
    }

    @Override
    public void close() {
        listener.close();
        store.close();
    }

    static final class Session implements AutoCloseable {
        final ImapClient client;
        private final Map<String, String> vars = new LinkedHashMap<>();

        Session(ImapClient client) {
            this.client = client;
        }

        Session let(String name, Object value) {
            vars.put(name, String.valueOf(value));
            return this;
        }

        String var(String name) {
            return vars.get(name);
        }

        long num(String name) {
            return Long.parseLong(vars.get(name));
        }

        /** Sends {@code line} (tag first) and checks every response line up to the tagged one. */
        Session exchange(String line, String... expected) throws IOException {
            line = expand(line);
            String tag = line.substring(0, line.indexOf(' '));
            List<String> got = client.cmd(tag, line.substring(tag.length() + 1));
            List<String> want = new ArrayList<>();
            for (String e : expected) want.add(expand(e));
            assertThat(got).as("response to %s", line).containsExactlyElementsOf(want);
            return this;
        }

        /** Lines that arrive without a command (IDLE updates), exactly. */
        Session expectLines(String... expected) throws IOException {
            for (String e : expected) assertThat(client.line()).isEqualTo(expand(e));
            return this;
        }

        List<String> cmd(String line) throws IOException {
            String tag = line.substring(0, line.indexOf(' '));
            return client.cmd(tag, line.substring(tag.length() + 1));
        }

        void append(String mailbox, String message) throws IOException {
            append(mailbox, "", message);
        }

        /** APPEND with optional flags/date text before the literal, e.g. "(\\Seen) ". */
        void append(String mailbox, String flagsAndDate, String message) throws IOException {
            client.send("ap APPEND " + mailbox + " " + flagsAndDate + "{" + message.length() + "+}");
            client.sendRaw(message + "\r\n");
            assertThat(client.until("ap").getLast()).startsWith("ap OK [APPENDUID ");
        }

        /** Reads one number from a response, e.g. UIDVALIDITY from STATUS, into a variable. */
        long capture(String name, String line, String regex) throws IOException {
            for (String l : cmd(line)) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(regex).matcher(l);
                if (m.find()) {
                    let(name, m.group(1));
                    return Long.parseLong(m.group(1));
                }
            }
            throw new AssertionError("no match for " + regex + " in response to " + line);
        }

        private String expand(String s) {
            for (var e : vars.entrySet()) s = s.replace("${" + e.getKey() + "}", e.getValue());
            // ${X+n}: a variable plus a small offset, for MODSEQs that grow by one per transaction.
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{(\\w+)\\+(\\d+)\\}").matcher(s);
            StringBuilder sb = new StringBuilder();
            while (m.find()) m.appendReplacement(sb, String.valueOf(num(m.group(1)) + Long.parseLong(m.group(2))));
            m.appendTail(sb);
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            client.close();
        }
    }
}
