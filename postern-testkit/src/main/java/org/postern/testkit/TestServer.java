// SPDX-License-Identifier: Apache-2.0
package org.postern.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import org.postern.auth.Passwords;
import org.postern.server.PosternServer;
import org.postern.server.ServerSettings;
import org.postern.server.config.ServerConfig;
import org.postern.server.config.Service;
import org.postern.store.Account;
import org.postern.store.MailStore;

/**
 * A complete Postern in this JVM for tests: every port on 127.0.0.1 chosen by the OS, a temporary
 * data folder deleted on close, cheap password hashing, relaxed login throttling, the self-signed
 * certificate, and the domain {@value #DOMAIN}.
 *
 * <pre>{@code
 * try (TestServer server = TestServer.start()) {
 *     server.createUser("alice@example.test", "secret");
 *     try (RawClient c = RawClient.connect(server.host(), server.imapsPort(), server.sslContext())) { ... }
 * }
 * }</pre>
 *
 * For a server in a separate process (kill -9 tests) see {@link ForkedServer}.
 */
public final class TestServer implements AutoCloseable {
    public static final String DOMAIN = "example.test";
    public static final String HOST = "127.0.0.1";

    private final PosternServer server;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final SSLContext clientTls;

    private TestServer(PosternServer server, Path dataDir, boolean ownsDataDir) throws IOException {
        this.server = server;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        try {
            this.clientTls = server.tls().clientContextTrustingSelf();
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    public static TestServer start() throws IOException {
        return start(UnaryOperator.identity());
    }

    /** Starts with settings changed by {@code customize} (e.g. {@code s -> s.withAllowPlaintextAuth(true)}). */
    public static TestServer start(UnaryOperator<ServerSettings> customize) throws IOException {
        Path dir = Files.createTempDirectory("postern-test-");
        try {
            return start(dir, customize, true);
        } catch (IOException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    /** Starts on an existing data folder, which is kept on close (restart tests). */
    public static TestServer startOn(Path dataDir, UnaryOperator<ServerSettings> customize) throws IOException {
        return start(dataDir, customize, false);
    }

    private static TestServer start(Path dir, UnaryOperator<ServerSettings> customize, boolean owns) throws IOException {
        PosternServer s;
        try {
            s = PosternServer.start(customize.apply(ServerSettings.forTests(dir)));
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
        try {
            if (!s.store().directory().isLocalDomain(DOMAIN)) s.store().directory().addDomain(DOMAIN);
            return new TestServer(s, dir, owns);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Creates an account (its domain must be local; {@value #DOMAIN} is). */
    public Account createUser(String address, String password) {
        return store().directory().createAccount(address, new Passwords(server.settings().passwordCost()).record(password), false);
    }

    public Account createAdmin(String address, String password) {
        return store().directory().createAccount(address, new Passwords(server.settings().passwordCost()).record(password), true);
    }

    public String host() {
        return HOST;
    }

    public int port(Service s) {
        return server.port(s.key());
    }

    public int smtpPort() {
        return port(Service.SMTP);
    }

    public int submissionPort() {
        return port(Service.SUBMISSION);
    }

    public int submissionsPort() {
        return port(Service.SUBMISSIONS);
    }

    public int imapPort() {
        return port(Service.IMAP);
    }

    public int imapsPort() {
        return port(Service.IMAPS);
    }

    public int pop3Port() {
        return port(Service.POP3);
    }

    public int pop3sPort() {
        return port(Service.POP3S);
    }

    /** A client TLS context trusting exactly this server's self-signed certificate. */
    public SSLContext sslContext() {
        return clientTls;
    }

    /** The server certificate as a PEM file (curl --cacert, Python ssl.create_default_context(cafile=...)). */
    public Path certificatePem() {
        return server.settings().tlsCert();
    }

    public Path dataDir() {
        return dataDir;
    }

    public MailStore store() {
        return server.store();
    }

    public PosternServer server() {
        return server;
    }

    /** Stops the server and deletes the temporary data folder. */
    @Override
    public void close() {
        server.close();
        if (ownsDataDir) deleteTree(dataDir);
    }

    /** Runs a separate {@code postern serve} process on a prepared temporary folder (see {@link ForkedServer}). */
    public static ForkedServer forkProcess() throws IOException {
        return ForkedServer.start();
    }

    /** Runs {@code postern serve} on {@code dataDir}; {@code jar} is the shaded postern.jar or null for the class path. */
    public static ForkedServer forkProcess(Path dataDir, Path jar) throws IOException {
        return ForkedServer.start(dataDir, jar);
    }

    /** As {@link #forkProcess(Path, Path)}, with the first postern.conf changed by {@code customize}. */
    public static ForkedServer forkProcess(Path dataDir, Path jar, UnaryOperator<ServerConfig> customize) throws IOException {
        return ForkedServer.start(dataDir, jar, customize);
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(TestServer::deleteQuietly);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temp file is not worth failing a test for
        }
    }
}
