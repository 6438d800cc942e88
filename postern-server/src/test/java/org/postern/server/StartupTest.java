// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.PasswordHasher;
import org.postern.server.cli.CliContext;
import org.postern.server.cli.CliFailure;
import org.postern.server.config.DataFolder;
import org.postern.server.config.ServerConfig;
import org.postern.server.config.Service;
import org.postern.store.Account;
import org.postern.store.MailStore;
import org.postern.store.sqlite.SqliteMailStore;

class StartupTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path tmp;

    static ServerConfig loopback(Map<Service, Integer> ports) {
        return ServerConfig.defaults("localhost").withListenAddress("127.0.0.1").withPorts(ports).withDev("test", "default");
    }

    static Map<Service, Integer> anyPorts() {
        Map<Service, Integer> m = new EnumMap<>(Service.class);
        for (Service s : Service.values()) m.put(s, 0);
        return m;
    }

    @Test
    void firstStartSetsUpEverythingAndLaterStartsDoNot() throws Exception {
        DataFolder folder = new DataFolder(tmp.resolve("fresh/data"));
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        String password;
        try (PosternServer s = Startup.start(folder, OptionalInt.of(0), new PrintStream(first, true, StandardCharsets.UTF_8),
                loopback(anyPorts()))) {
            String out = first.toString(StandardCharsets.UTF_8);
            assertThat(out).contains("WARNING: created a self-signed TLS certificate")
                    .containsPattern("([0-9A-F]{2}:){31}[0-9A-F]{2}")
                    .contains("Created the domain localhost", "Created the admin account admin@localhost");
            Matcher m = Pattern.compile("\\n {4}(\\S{20})\\n").matcher(out);
            assertThat(m.find()).as(out).isTrue();
            password = m.group(1);
            for (Service svc : Service.values()) {
                assertThat(out).containsPattern("(?m)^  " + s.port(svc.key()) + " +" + Pattern.quote(svc.protocol()));
            }
            Account admin = s.store().directory().account("admin@localhost").orElseThrow();
            assertThat(admin.admin()).isTrue();
            assertThat(PasswordHasher.verify(admin.password().hash(), password)).isTrue();
        }
        assertThat(folder.hasConfig()).isTrue();
        assertThat(Files.exists(folder.selfSignedCertificate())).isTrue();
        assertThat(folder.readConfig()).isEqualTo(loopback(anyPorts()));

        ByteArrayOutputStream second = new ByteArrayOutputStream();
        try (PosternServer s = Startup.start(folder, OptionalInt.of(0), new PrintStream(second, true, StandardCharsets.UTF_8))) {
            String out = second.toString(StandardCharsets.UTF_8);
            assertThat(out).doesNotContain("WARNING", "Created", password).contains("TLS: self-signed certificate");
            assertThat(s.store().directory().accounts()).hasSize(1);
        }
    }

    @Test
    void firstStartKeepsAnExistingAdmin() throws Exception {
        DataFolder folder = new DataFolder(tmp);
        try (MailStore store = SqliteMailStore.open(tmp)) {
            store.directory().addDomain("localhost");
            store.directory().createAccount("boss@localhost",
                    new org.postern.auth.Passwords(PasswordHasher.Cost.TEST).record("pw"), true);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PosternServer s = Startup.start(folder, OptionalInt.of(0), new PrintStream(out, true, StandardCharsets.UTF_8),
                loopback(anyPorts()))) {
            assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("Created");
            assertThat(s.store().directory().accounts()).extracting(Account::address).containsExactly("boss@localhost");
        }
    }

    @Test
    void aPortInUseStopsTheStartNamingItAndReleasesTheOthers() throws Exception {
        List<ServerSocket> probe = new ArrayList<>();
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service s : Service.values()) {
            ServerSocket ss = new ServerSocket(0, 1, LOOPBACK);
            probe.add(ss);
            ports.put(s, ss.getLocalPort());
        }
        for (ServerSocket ss : probe) ss.close();
        int taken = ports.get(Service.POP3S);
        DataFolder folder = new DataFolder(tmp);
        folder.writeConfig(loopback(ports));
        try (ServerSocket blocker = new ServerSocket(taken, 1, LOOPBACK)) {
            assertThat(blocker.isBound()).isTrue();
            assertThatThrownBy(() -> Startup.start(folder, OptionalInt.empty(), new PrintStream(new ByteArrayOutputStream())))
                    .isInstanceOf(CliFailure.class)
                    .hasMessage("cannot listen on port " + taken + " (pop3s): already in use by another program");
        }
        for (Service s : Service.values()) {
            try (ServerSocket again = new ServerSocket(ports.get(s), 1, LOOPBACK)) {
                assertThat(again.isBound()).isTrue();
            }
        }
        // and the folder is still usable: nothing half-open is left behind
        try (PosternServer s = Startup.start(folder, OptionalInt.empty(), new PrintStream(new ByteArrayOutputStream()))) {
            assertThat(s.port("pop3s")).isEqualTo(taken);
        }
    }

    @Test
    void serveFailuresAreOneLineWithExitCodes() throws Exception {
        new DataFolder(tmp).writeConfig(loopback(anyPorts()));
        Files.writeString(tmp.resolve("postern.conf"), "\nsmtp_port = 25\nbogus = 1\n", java.nio.file.StandardOpenOption.APPEND);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(System.in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), () -> null, SqliteMailStore::open);
        int code = Main.run(ctx, "serve", "--data", tmp.toString(), "--port-offset", "0");
        assertThat(code).isEqualTo(1);
        int lines = Files.readAllLines(tmp.resolve("postern.conf")).size();
        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .startsWith("postern: postern.conf line ").contains("smtp_port is already set on line").doesNotContain("\n");
        assertThat(lines).isPositive();

        err.reset();
        assertThat(Main.run(ctx, "serve", "--data", tmp.toString(), "--port-offset", "-3")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--port-offset must be from 0 to 65535");
    }

    @Test
    void newerConfigVersionIsRefused() throws IOException {
        Files.writeString(tmp.resolve("postern.conf"), "config_version = 7\n");
        assertThatThrownBy(() -> Startup.start(new DataFolder(tmp), OptionalInt.of(0), new PrintStream(new ByteArrayOutputStream())))
                .hasMessage("postern.conf line 1: config_version 7 is newer than this Postern understands (1); use a newer Postern");
    }
}
