// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.postern.auth.Passwords;
import org.postern.server.config.Service;
import org.postern.store.Account;
import org.postern.store.BlobStore;
import org.postern.store.Intake;
import org.postern.store.Mailbox;
import org.postern.store.MailStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code warmup = on}: after {@code serve} opened its ports, one background thread starts a second, throwaway
 * Postern in this JVM (its own store in a temporary folder, listeners on 127.0.0.1 ports the OS picks, the
 * real server's code), loads a few thousand generated messages through the store API and drives it with
 * real protocol clients ({@link WarmupSessions}) until the JIT has compiled what a large mailbox's first
 * requests run. On a fresh JVM that code is interpreted or C1-compiled while C2 works on it: the first
 * {@code UID SORT} of a 100,000-message Inbox cost 490-560 ms of CPU against 90-180 ms warm, and the
 * webmail's first list 0.8-1.5 s of server time.
 *
 * <p>Invariants: the real store and data folder are never opened or named here (only the throwaway
 * folder, under /dev/shm when it exists so its fsyncs are free); real sessions are served from the
 * first moment (the warm-up starts after the listeners and only competes for CPU, at the lowest thread
 * priority the OS gives); it is bounded by process CPU, wall time and rounds, stops early once a round
 * leaves the JIT idle, and deletes its folder on every path out (a folder of a crashed earlier process
 * is removed at the next start).
 */
final class Warmup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Warmup.class);
    static final String PREFIX = "postern-warmup-";
    static final String DOMAIN = "warmup.test";
    static final String THREAD = "postern-warmup";

    /**
     * @param cpu process CPU time (every thread: server, clients, JIT compilers) after which no round starts
     * @param wall elapsed time after which no round starts (a loaded machine: give up rather than compete)
     * @param quietJit a round that added less JIT compilation time than this ends the warm-up (after minRounds)
     */
    record Budget(int messages, int minRounds, int maxRounds, Duration cpu, Duration wall, Duration quietJit) {
        static final Budget DEFAULT = new Budget(2000, 3, 12, Duration.ofSeconds(20), Duration.ofMinutes(3), Duration.ofMillis(200));

        /**
         * {@link #DEFAULT} with {@code -Dpostern.warmup.messages=N} and {@code -Dpostern.warmup.rounds=N}: for tests of
         * the warm-up itself (seconds instead of its full budget) and for benchmarks; not a setting operators need.
         */
        static Budget fromSystemProperties() {
            Budget d = DEFAULT;
            int messages = Math.clamp(Integer.getInteger("postern.warmup.messages", d.messages()), 10, 100_000);
            int rounds = Math.clamp(Integer.getInteger("postern.warmup.rounds", d.maxRounds()), 1, 100);
            return new Budget(messages, Math.min(d.minRounds(), rounds), rounds, d.cpu(), d.wall(), d.quietJit());
        }
    }

    /** How a warm-up ended: {@code stoppedBy} is "quiet", "rounds", "cpu", "wall", "closed" or "failed". */
    record Report(int rounds, Duration wall, Duration cpu, Duration jit, String stoppedBy, List<Long> jitPerRoundMillis) {}

    private final Budget budget;
    private final Path base;
    private final CompletableFuture<Report> done = new CompletableFuture<>();
    private volatile boolean closing;
    private volatile long loadMillis;
    private Path folder;
    private PosternServer server;
    private Thread thread;

    private Warmup(Budget budget, Path base) {
        this.budget = budget;
        this.base = base;
    }

    /** Starts the warm-up on a background thread and returns at once. */
    static Warmup start(Budget budget) {
        return start(budget, defaultBase());
    }

    static Warmup start(Budget budget, Path base) {
        Warmup w = new Warmup(budget, base);
        w.thread = Thread.ofPlatform().name(THREAD).daemon(true).priority(Thread.MIN_PRIORITY).start(w::runLogged);
        return w;
    }

    /** RAM-backed when the system has it: the throwaway store's writes and fsyncs then cost nothing. */
    static Path defaultBase() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Completes when the warm-up has ended and its folder is gone; never completes exceptionally. */
    CompletableFuture<Report> done() {
        return done;
    }

    /** The throwaway data folder while it exists (tests), else null. */
    synchronized Path folder() {
        return folder;
    }

    private void runLogged() {
        Report report = null;
        try {
            report = run();
        } catch (Exception | LinkageError e) {
            if (closing) log.info("warm-up: stopped by shutdown");
            else log.warn("warm-up: failed, the server runs on without it: {}", e.toString(), e);
        } finally {
            cleanUp();
        }
        if (report != null) {
            log.info("warm-up: done in {} ms ({} ms process CPU, {} messages loaded in {} ms, {} rounds, {} ms JIT compilation, "
                    + "per round {} ms, ended: {}); its temporary folder is deleted", report.wall().toMillis(), report.cpu().toMillis(),
                    budget.messages(), loadMillis, report.rounds(), report.jit().toMillis(), report.jitPerRoundMillis(),
                    report.stoppedBy());
        } else {
            report = new Report(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, closing ? "closed" : "failed", List.of());
        }
        done.complete(report);
    }

    private Report run() throws IOException, GeneralSecurityException, InterruptedException {
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        long jit0 = jitMillis();
        removeLeftovers(base);
        synchronized (this) {
            if (closing) throw new InterruptedException("closed");
            folder = Files.createTempDirectory(base, PREFIX + ProcessHandle.current().pid() + "-");
            log.info("warm-up: exercising IMAP, JMAP, the webmail and SMTP on a throwaway mailbox in {} "
                    + "(warmup = off in postern.conf skips this)", folder);
            server = PosternServer.startQuietly(ServerSettings.forTests(folder).withSmtpPregreetDelay(Duration.ZERO)
                    .withAuthThrottle(org.postern.auth.AuthThrottle.Policy.RELAXED));
        }
        String password = HexFormat.of().formatHex(randomBytes());
        String address = "warmup@" + DOMAIN;
        MailStore store = server.store();
        store.directory().addDomain(DOMAIN);
        Account account = store.directory().createAccount(address,
                new Passwords(server.settings().passwordCost()).record(password), false);
        Mailbox inbox = store.mailboxes().find(account.id(), Mailbox.INBOX).orElseThrow();
        long loadStart = System.nanoTime();
        load(store, account, inbox, address);
        loadMillis = (System.nanoTime() - loadStart) / 1_000_000;
        WarmupSessions sessions = new WarmupSessions(address, password, server.tls().clientContextTrustingSelf(),
                server.port(Service.IMAPS.key()), server.port(Service.HTTPS.key()), server.port(Service.SMTP.key()));
        int rounds = 0;
        String stoppedBy = "rounds";
        List<Long> jitPerRound = new java.util.ArrayList<>();
        try {
            long jitBefore = jitMillis();
            while (rounds < budget.maxRounds()) {
                if (closing) throw new InterruptedException("closed");
                if (processCpuNanos() - cpu0 > budget.cpu().toNanos()) {
                    stoppedBy = "cpu";
                    break;
                }
                if (System.nanoTime() - t0 > budget.wall().toNanos()) {
                    stoppedBy = "wall";
                    break;
                }
                sessions.round(rounds, budget.messages(), account.id(),
                        name -> store.mailboxes().find(account.id(), name).orElseThrow().id());
                rounds++;
                long jitNow = jitMillis();
                jitPerRound.add(jitNow - jitBefore);
                log.debug("warm-up: round {} added {} ms of JIT compilation, {} ms process CPU so far", rounds, jitNow - jitBefore,
                        (processCpuNanos() - cpu0) / 1_000_000);
                if (rounds >= budget.minRounds() && jitNow - jitBefore < budget.quietJit().toMillis()) {
                    stoppedBy = "quiet";
                    break;
                }
                jitBefore = jitNow;
            }
        } finally {
            sessions.close();
        }
        return new Report(rounds, Duration.ofNanos(System.nanoTime() - t0), Duration.ofNanos(processCpuNanos() - cpu0),
                Duration.ofMillis(jitMillis() - jit0), stoppedBy, List.copyOf(jitPerRound));
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** The generated Inbox, through the store API as delivery writes it (a body blob, then one deliver). */
    private void load(MailStore store, Account account, Mailbox inbox, String address) throws IOException, InterruptedException {
        WarmupMessages messages = new WarmupMessages(42, address);
        BlobStore blobs = store.blobs();
        for (int i = 0; i < budget.messages(); i++) {
            if (closing) throw new InterruptedException("closed");
            byte[] m = messages.message(i);
            String id;
            try (BlobStore.BlobWriter w = blobs.create()) {
                OutputStream out = w.stream();
                out.write(m);
                id = w.commit();
            }
            Set<String> flags = switch (i % 8) {
                case 3, 6 -> Set.of();
                case 5 -> Set.of("\\Seen", "\\Flagged");
                case 7 -> Set.of("\\Seen", "\\Answered", "$Forwarded");
                default -> Set.of("\\Seen");
            };
            store.deliver(new Intake(id, m.length, WarmupMessages.receivedAt(i),
                    List.of(new Intake.Target(account.id(), inbox.id(), flags)), null));
        }
    }

    /** Stops a running warm-up (shutdown) and waits a little for it to delete its folder. */
    @Override
    public void close() {
        closing = true;
        synchronized (this) {
            // In-flight client calls fail fast once the throwaway server is gone.
            if (server != null) server.close();
        }
        if (thread != null && thread != Thread.currentThread()) {
            try {
                done.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // A shutdown does not wait longer for a warm-up; the next start removes what is left.
            }
        }
    }

    private synchronized void cleanUp() {
        if (server != null) {
            server.close();
            server = null;
        }
        if (folder != null) {
            try {
                deleteTree(folder);
            } catch (IOException e) {
                log.warn("warm-up: could not delete {}: {}", folder, e.toString());
            }
            folder = null;
        }
    }

    /** Folders of earlier processes that died before deleting theirs (kill -9, power loss). */
    static void removeLeftovers(Path base) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(base, PREFIX + "*")) {
            for (Path p : ds) {
                String rest = p.getFileName().toString().substring(PREFIX.length());
                int dash = rest.indexOf('-');
                long pid;
                try {
                    pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                } catch (NumberFormatException e) {
                    continue;
                }
                // Another Postern on this machine may be warming up right now: only a dead process's folder goes.
                if (pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).isPresent()) continue;
                deleteTree(p);
                log.info("warm-up: removed {}, left by an earlier process", p);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("warm-up: leftovers in {} not removed: {}", base, e.toString());
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    private static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }
}
