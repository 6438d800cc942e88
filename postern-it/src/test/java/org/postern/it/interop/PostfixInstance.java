// SPDX-License-Identifier: Apache-2.0
package org.postern.it.interop;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A private Postfix (Debian package postfix) of one test: its own config_directory, queue_directory,
 * data_directory and log file under {@code dir}, one smtpd on 127.0.0.1:{@link #port()}, started with
 * {@code postfix -c DIR start} and stopped by {@link #close()}. It does not touch the machine's own
 * Postfix or any other instance (each has its own queue, hence its own master lock).
 *
 * <p>Inbound, it accepts mail for {@value #DOMAIN} into Maildirs (the virtual delivery agent) and offers
 * STARTTLS with a throw-away certificate; outbound, it sends everything for the Postern domain to
 * Postern's port 25 through a transport map, and insists on STARTTLS (smtp_tls_security_level =
 * encrypt), so mail that arrives proves TLS was used.
 */
final class PostfixInstance implements AutoCloseable {
    static final String DOMAIN = "remote.test";
    static final String HOSTNAME = "mx.remote.test";
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final Path postfix;
    private final Path dir;
    private final Path etc;
    private final int port;
    private boolean started;

    private PostfixInstance(Path postfix, Path dir, int port) {
        this.postfix = postfix;
        this.dir = dir;
        this.etc = dir.resolve("etc");
        this.port = port;
    }

    /** The postfix command, or null when the package is not installed. */
    static Path command() {
        return Program.find("postfix");
    }

    /** A free loopback port for Postfix's smtpd, reserved before Postern must be told about it. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /**
     * Writes the configuration and starts the instance.
     *
     * @param relayDomain mail for this domain goes to 127.0.0.1:{@code relayPort} (Postern)
     * @param mailboxes local parts of {@value #DOMAIN} that have a Maildir here
     */
    static PostfixInstance start(Path dir, int port, String relayDomain, int relayPort, List<String> mailboxes)
            throws IOException, InterruptedException {
        Path postfix = command();
        if (postfix == null) throw new IllegalStateException("postfix is not installed");
        // Postfix's daemons run as the postfix user (and the virtual agent as nobody): they must be able
        // to enter the folders a JUnit @TempDir creates for root only.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        PostfixInstance p = new PostfixInstance(postfix, dir, port);
        p.configure(relayDomain, relayPort, mailboxes);
        p.started = true;
        Program r = p.postfix("start");
        if (r.exit() != 0) {
            p.started = false;
            throw new IllegalStateException("postfix start failed (" + r.exit() + "):\n" + r.output() + "\n" + p.log());
        }
        p.awaitListening();
        return p;
    }

    int port() {
        return port;
    }

    Path maildir(String localPart) {
        return dir.resolve("mail").resolve(localPart);
    }

    /** The instance's log (maillog_file), for failure messages. */
    String log() {
        try {
            return Files.readString(dir.resolve("maillog"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no maillog: " + e + ")";
        }
    }

    /** Messages delivered to {@code localPart}'s Maildir (new and cur), as text, oldest first. */
    List<String> messages(String localPart) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path d = maildir(localPart).resolve(sub);
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.list(d)) {
                s.filter(Files::isRegularFile).forEach(files::add);
            }
        }
        files.sort(null);
        List<String> out = new ArrayList<>();
        for (Path f : files) out.add(Files.readString(f, StandardCharsets.UTF_8));
        return out;
    }

    /** Waits until {@code localPart} has {@code count} messages; fails with the instance's log. */
    List<String> awaitMessages(String localPart, int count) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (true) {
            List<String> m = messages(localPart);
            if (m.size() >= count) return m;
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Postfix did not deliver " + count + " message(s) to " + localPart
                        + " within " + DEADLINE + "; queue:\n" + queue() + "\nlog:\n" + log());
            }
            Thread.sleep(50);
        }
    }

    /** The instance's queue as {@code postqueue -p} shows it ("Mail queue is empty" when so). */
    String queue() throws IOException, InterruptedException {
        Path postqueue = Program.find("postqueue");
        if (postqueue == null) return "(no postqueue)";
        return Program.run(List.of(postqueue.toString(), "-c", etc.toString(), "-p"), Map.of(), null, DEADLINE).output();
    }

    /** Asks the queue manager to try deferred mail now. */
    void flush() throws IOException, InterruptedException {
        postfix("flush");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (!started) return;
        started = false;
        Program r = postfix("stop");
        if (r.exit() != 0) throw new IllegalStateException("postfix stop failed: " + r.output());
    }

    private Program postfix(String verb) throws IOException, InterruptedException {
        return Program.run(List.of(postfix.toString(), "-c", etc.toString(), verb), Map.of(), null, DEADLINE);
    }

    private void awaitListening() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (true) {
            try (var s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                if (Instant.now().isAfter(deadline)) throw new IllegalStateException("postfix did not listen on " + port + "\n" + log());
                Thread.sleep(50);
            }
        }
    }

    private void configure(String relayDomain, int relayPort, List<String> mailboxes) throws IOException, InterruptedException {
        Files.createDirectories(etc);
        // postfix start makes the queue's subfolders, not the queue folder; data_directory is Postfix's own.
        Files.createDirectories(dir.resolve("spool"));
        Path data = Files.createDirectories(dir.resolve("data"));
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(data, users.lookupPrincipalByName("postfix"));
        Path mail = Files.createDirectories(dir.resolve("mail"));
        // The virtual delivery agent writes as this user; root is refused (virtual_minimum_uid).
        PosixFileAttributeView view = Files.getFileAttributeView(mail, PosixFileAttributeView.class);
        view.setOwner(users.lookupPrincipalByName("nobody"));
        GroupPrincipal nogroup = users.lookupPrincipalByGroupName("nogroup");
        view.setGroup(nogroup);
        int uid = (Integer) Files.getAttribute(mail, "unix:uid");
        int gid = (Integer) Files.getAttribute(mail, "unix:gid");

        Path cert = etc.resolve("cert.pem");
        Path key = etc.resolve("key.pem");
        Program ssl = Program.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=" + HOSTNAME, "-keyout", key.toString(), "-out", cert.toString()), Map.of(), null, DEADLINE);
        if (ssl.exit() != 0) throw new IllegalStateException("openssl req failed: " + ssl.output());

        StringBuilder vmailbox = new StringBuilder();
        for (String m : mailboxes) vmailbox.append(m).append('@').append(DOMAIN).append(' ').append(m).append("/\n");
        Files.writeString(etc.resolve("vmailbox"), vmailbox);
        // RFC 5321 §5.1: the bracketed address skips MX look-ups; the transport map replaces DNS here.
        Files.writeString(etc.resolve("transport"), relayDomain + " smtp:[127.0.0.1]:" + relayPort + "\n");

        Files.writeString(etc.resolve("main.cf"), """
                compatibility_level = 3.6
                queue_directory = %1$s/spool
                data_directory = %1$s/data
                maillog_file = %1$s/maillog
                maillog_file_prefixes = %1$s
                mail_owner = postfix
                setgid_group = postdrop
                syslog_name = postfix-postern-it
                myhostname = %2$s
                mydomain = %3$s
                myorigin = %3$s
                mydestination =
                inet_interfaces = 127.0.0.1
                inet_protocols = ipv4
                mynetworks = 127.0.0.0/8
                smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
                alias_maps =
                alias_database =
                local_recipient_maps =
                biff = no
                relayhost =
                smtp_dns_support_level = disabled
                transport_maps = texthash:%4$s/transport
                virtual_mailbox_domains = %3$s
                virtual_mailbox_maps = texthash:%4$s/vmailbox
                virtual_mailbox_base = %1$s/mail
                virtual_uid_maps = static:%5$d
                virtual_gid_maps = static:%6$d
                smtpd_tls_security_level = may
                smtpd_tls_cert_file = %4$s/cert.pem
                smtpd_tls_key_file = %4$s/key.pem
                smtpd_tls_received_header = yes
                smtp_tls_security_level = encrypt
                smtp_tls_loglevel = 1
                smtpd_tls_loglevel = 1
                queue_run_delay = 1s
                minimal_backoff_time = 1s
                maximal_backoff_time = 2s
                smtp_connect_timeout = 10s
                """.formatted(dir, HOSTNAME, DOMAIN, etc, uid, gid));
        Files.writeString(etc.resolve("master.cf"), """
                127.0.0.1:%d inet n - n - - smtpd
                pickup    unix  n - n 60 1 pickup
                cleanup   unix  n - n - 0 cleanup
                qmgr      unix  n - n 300 1 qmgr
                tlsmgr    unix  - - n 1000? 1 tlsmgr
                rewrite   unix  - - n - - trivial-rewrite
                bounce    unix  - - n - 0 bounce
                defer     unix  - - n - 0 bounce
                trace     unix  - - n - 0 bounce
                verify    unix  - - n - 1 verify
                flush     unix  n - n 1000? 0 flush
                proxymap  unix  - - n - - proxymap
                smtp      unix  - - n - - smtp
                relay     unix  - - n - - smtp
                showq     unix  n - n - - showq
                error     unix  - - n - - error
                retry     unix  - - n - - error
                discard   unix  - - n - - discard
                local     unix  - n n - - local
                virtual   unix  - n n - - virtual
                anvil     unix  - - n - 1 anvil
                scache    unix  - - n - 1 scache
                postlog   unix-dgram n - n - 1 postlogd
                """.formatted(port));
    }
}
