// SPDX-License-Identifier: Apache-2.0
package org.postern.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;
import org.postern.net.TlsContext;
import org.postern.server.StoreBackend;
import org.postern.server.config.DataFolder;
import org.postern.server.config.OutboundConfig;
import org.postern.server.config.ServerConfig;
import org.postern.server.config.Service;
import org.postern.store.Account;
import org.postern.store.MailStore;

/**
 * {@code postern serve} as a separate OS process, for what an in-process server cannot show: a
 * kill -9 in the middle of work (durability), SIGTERM handling, the real command line. The data folder
 * gets a postern.conf with fixed free ports on 127.0.0.1, cheap hashing and relaxed throttling, and
 * the domain {@value TestServer#DOMAIN}; {@link #restart} starts a new process on the same folder and
 * ports.
 */
public final class ForkedServer implements AutoCloseable {
    public static final Duration START_DEADLINE = Duration.ofSeconds(60);

    private final Path dataDir;
    private final Path jar;
    private final boolean ownsDataDir;
    private final Map<Service, Integer> ports;
    private final Path log;
    private Process process;
    private List<String> jvmOptions = List.of();

    private ForkedServer(Path dataDir, Path jar, boolean ownsDataDir, Map<Service, Integer> ports) throws IOException {
        this.dataDir = dataDir.toAbsolutePath();
        this.jar = jar;
        this.ownsDataDir = ownsDataDir;
        this.ports = ports;
        this.log = Files.createTempFile("postern-fork-", ".log");
    }

    /** A fresh temporary data folder, deleted on {@link #close}; runs from this JVM's class path. */
    public static ForkedServer start() throws IOException {
        Path dir = Files.createTempDirectory("postern-fork-");
        return start(dir, null, true);
    }

    /**
     * Runs on {@code dataDir} (prepared on first use, kept on close).
     *
     * @param jar the shaded postern.jar to run with {@code java -jar}, or null for this JVM's class path
     */
    public static ForkedServer start(Path dataDir, Path jar) throws IOException {
        return start(dataDir, jar, UnaryOperator.identity());
    }

    /** As {@link #start(Path, Path)}, with the postern.conf written on first use changed by {@code customize}. */
    public static ForkedServer start(Path dataDir, Path jar, UnaryOperator<ServerConfig> customize) throws IOException {
        return start(dataDir, jar, customize, List.of());
    }

    /** As {@link #start(Path, Path, UnaryOperator)}, with JVM options (e.g. {@code -Dpostern.warmup.rounds=1}) for every run. */
    public static ForkedServer start(Path dataDir, Path jar, UnaryOperator<ServerConfig> customize, List<String> jvmOptions)
            throws IOException {
        Map<Service, Integer> ports = prepare(dataDir, customize);
        ForkedServer f = new ForkedServer(dataDir, jar, false, ports);
        f.jvmOptions = List.copyOf(jvmOptions);
        f.launch();
        return f;
    }

    private static ForkedServer start(Path dataDir, Path jar, boolean owns) throws IOException {
        Map<Service, Integer> ports = prepare(dataDir, UnaryOperator.identity());
        ForkedServer f = new ForkedServer(dataDir, jar, owns, ports);
        f.launch();
        return f;
    }

    /** Writes postern.conf (unless present) and the test domain; returns the ports the server will use. */
    static Map<Service, Integer> prepare(Path dataDir, UnaryOperator<ServerConfig> customize) throws IOException {
        DataFolder folder = new DataFolder(dataDir);
        ServerConfig config;
        if (folder.hasConfig()) {
            try {
                config = folder.readConfig();
            } catch (org.postern.server.config.ConfigException e) {
                throw new IOException(e.getMessage(), e);
            }
        } else {
            config = ServerConfig.defaults("localhost").withListenAddress(TestServer.HOST)
                    .withPortOffset(OptionalInt.of(0)).withPorts(freePorts()).withDev("test", "relaxed")
                    .withOutbound(OutboundConfig.defaults().withRelay(false)) // no test mail to the real internet
                    .withWarmup(false); // tests start many servers; each would spend seconds of CPU warming up
            config = customize.apply(config);
            folder.writeConfig(config);
        }
        try (MailStore store = openStore(folder.root())) {
            if (!store.directory().isLocalDomain(TestServer.DOMAIN)) store.directory().addDomain(TestServer.DOMAIN);
        }
        return new EnumMap<>(config.ports());
    }

    /** Seven ports free right now (held open together so they differ). */
    static Map<Service, Integer> freePorts() throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            Map<Service, Integer> ports = new EnumMap<>(Service.class);
            for (Service s : Service.values()) {
                ServerSocket ss = new ServerSocket(0, 1, InetAddress.getByName(TestServer.HOST));
                held.add(ss);
                ports.put(s, ss.getLocalPort());
            }
            return ports;
        } finally {
            for (ServerSocket ss : held) ss.close();
        }
    }

    private void launch() throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmOptions);
        if (jar != null) {
            cmd.addAll(List.of("-jar", jar.toString()));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.postern.server.Main"));
        }
        cmd.addAll(List.of("serve", "--data", dataDir.toString(), "--port-offset", "0"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().remove("POSTERN_DATA");
        process = pb.start();
        awaitPorts();
    }

    /** Polls until every port accepts a connection, the process dies, or the deadline passes. */
    private void awaitPorts() throws IOException {
        Instant deadline = Instant.now().plus(START_DEADLINE);
        List<Integer> waiting = new ArrayList<>(ports.values());
        while (!waiting.isEmpty()) {
            if (!process.isAlive()) {
                throw new IOException("postern serve exited with code " + process.exitValue() + ":\n" + output());
            }
            if (Instant.now().isAfter(deadline)) {
                process.destroyForcibly();
                throw new IOException("postern serve did not open ports " + waiting + " within " + START_DEADLINE + ":\n" + output());
            }
            waiting.removeIf(ForkedServer::accepts);
            if (!waiting.isEmpty()) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the server", e);
                }
            }
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(TestServer.HOST, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL: no shutdown hook, no goodbye, no clean close of the store. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, as an init system stops a service; returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    /** A new process on the same data folder and ports, after {@link #kill} or {@link #stop}. */
    public void restart() throws IOException {
        if (process.isAlive()) throw new IllegalStateException("the server is still running");
        launch();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Creates an account through the store from this process, as the CLI would while the server runs. */
    public Account createUser(String address, String password) {
        try (MailStore store = openStore(dataDir)) {
            return store.directory().createAccount(address, new Passwords(PasswordHasher.Cost.TEST).record(password), false);
        }
    }

    /**
     * The store the folder's postern.conf names, opened as the server and the CLI open it: a PostgreSQL
     * node's folder must not grow a stray embedded store.db.
     */
    public static MailStore openStore(Path dataDir) {
        try {
            return StoreBackend.open(new DataFolder(dataDir).readConfig().store(), dataDir);
        } catch (org.postern.server.config.ConfigException e) {
            throw new IllegalStateException("postern.conf in " + dataDir + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public String host() {
        return TestServer.HOST;
    }

    public int port(Service s) {
        return ports.get(s);
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

    public Path certificatePem() {
        return new DataFolder(dataDir).selfSignedCertificate();
    }

    public SSLContext sslContext() throws IOException {
        DataFolder f = new DataFolder(dataDir);
        try {
            return TlsContext.fromPem(f.selfSignedCertificate(), f.selfSignedKey()).clientContextTrustingSelf();
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Everything the process printed so far (all its runs). */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            try {
                stop();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        TestServer.deleteTree(log);
        if (ownsDataDir) TestServer.deleteTree(dataDir);
    }
}
