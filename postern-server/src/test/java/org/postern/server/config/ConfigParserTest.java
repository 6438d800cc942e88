// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigParserTest {

    @Test
    void writtenDefaultsReadBackUnchanged() throws ConfigException {
        ServerConfig d = ServerConfig.defaults("mail.example.org");
        String text = ConfigWriter.render(d);
        assertThat(ConfigParser.parse(text)).isEqualTo(d);
        for (String key : ConfigParser.KEYS) assertThat(text).containsPattern("(?m)^" + key.replace(".", "\\.") + " = ");
        assertThat(text).contains("config_version = 1").contains("smtp_port = 25").contains("max_message_size = 50M")
                .contains("port_offset = auto").contains("allow_plaintext_auth = false");
    }

    @Test
    void changedValuesReadBackUnchanged() throws ConfigException {
        ServerConfig c = new ServerConfig(1, "localhost", "127.0.0.1", OptionalInt.of(0),
                Map.of(Service.SMTP, 2525, Service.POP3S, 0), "certs/a.pem", "/etc/k.pem", true, 1234, Duration.ofMillis(1500), "test", "relaxed",
                new OutboundConfig(false, "[::1]:5353", 2525, "out.example.org", "none", Duration.ofDays(3), Duration.ZERO,
                        Duration.ofSeconds(30), Duration.ofMinutes(90), Duration.ofMillis(250), 7, 3,
                        new SmarthostConfig("2001:db8::7", 2465, "implicit", "me@example.org", "relay.pw", false)),
                StoreConfig.sqlite());
        assertThat(ConfigParser.parse(ConfigWriter.render(c))).isEqualTo(c);
    }

    static Stream<Arguments> pregreetDelays() {
        return Stream.of(Arguments.of("0", Duration.ZERO), Arguments.of("300ms", Duration.ofMillis(300)),
                Arguments.of("2s", Duration.ofSeconds(2)), Arguments.of("1 m", Duration.ofMinutes(1)),
                Arguments.of("60s", Duration.ofMinutes(1)));
    }

    @ParameterizedTest
    @MethodSource("pregreetDelays")
    void pregreetDelayIsADuration(String value, Duration expected) throws ConfigException {
        ServerConfig c = ConfigParser.parse("smtp_pregreet_delay = " + value + "\n");
        assertThat(c.smtpPregreetDelay()).isEqualTo(expected);
        assertThat(ConfigParser.parse(ConfigWriter.render(c))).isEqualTo(c);
    }

    @Test
    void pregreetDelayDefaultsTo300ms() throws ConfigException {
        assertThat(ConfigParser.parse("").smtpPregreetDelay()).isEqualTo(Duration.ofMillis(300));
        assertThat(ConfigWriter.render(ServerConfig.defaults("a.example"))).contains("smtp_pregreet_delay = 300ms");
    }

    @Test
    void smarthostDefaultsItsPortFromItsTlsMode() throws ConfigException {
        SmarthostConfig s = ConfigParser.parse("""
                outbound.smarthost = SMTP.Example.NET
                outbound.smarthost_user = me@example.org
                outbound.smarthost_password_file = /etc/postern/relay.pw
                """).outbound().smarthost();
        assertThat(s).isEqualTo(new SmarthostConfig("smtp.example.net", 587, "starttls", "me@example.org",
                "/etc/postern/relay.pw", true));
        assertThat(ConfigParser.parse("outbound.smarthost = 192.0.2.7\noutbound.smarthost_tls = implicit\n")
                .outbound().smarthost()).satisfies(x -> {
                    assertThat(x.port()).isEqualTo(465);
                    assertThat(x.implicitTls()).isTrue();
                    assertThat(x.user()).isEmpty();
                });
        assertThat(ConfigParser.parse("outbound.smarthost = [::1]:2525\noutbound.smarthost_tls_verify = no\n")
                .outbound().smarthost()).isEqualTo(new SmarthostConfig("::1", 2525, "starttls", "", "", false));
        assertThat(ConfigParser.parse("").outbound().smarthost().enabled()).isFalse();
    }

    static Stream<Arguments> badSmarthosts() {
        return Stream.of(
                Arguments.of("outbound.smarthost = relay.example.net\noutbound.smarthost_tls = none", 2, "plaintext is not offered"),
                Arguments.of("outbound.smarthost = relay.example.net:99999", 1, "port must be from 1 to 65535"),
                Arguments.of("outbound.smarthost = relay example", 1, "outbound.smarthost must be host or host:port"),
                Arguments.of("outbound.smarthost = bad_host!:587", 1, "outbound.smarthost must be host or host:port"),
                Arguments.of("outbound.smarthost = relay.example.net\noutbound.smarthost_user = me", 2, "must both be set"),
                Arguments.of("outbound.smarthost = r.example\n\noutbound.smarthost_password_file = pw", 3, "must both be set"),
                Arguments.of("outbound.smarthost_user = me", 1, "need outbound.smarthost"),
                Arguments.of("outbound.smarthost = r.example\noutbound.smarthost_tls_verify = maybe", 2, "yes or no"));
    }

    @ParameterizedTest
    @MethodSource("badSmarthosts")
    void badSmarthostsNameTheirLine(String text, int line, String message) {
        assertThatThrownBy(() -> ConfigParser.parse(text))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.line()).isEqualTo(line))
                .hasMessageContaining(message);
    }

    @Test
    void badOutboundValuesNameTheirLine() {
        assertThatThrownBy(() -> ConfigParser.parse("\noutbound.tls = must\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("line 2").hasMessageContaining("outbound.tls");
        assertThatThrownBy(() -> ConfigParser.parse("outbound.dns_server = ns.example.org\n"))
                .hasMessageContaining("outbound.dns_server");
        assertThatThrownBy(() -> ConfigParser.parse("outbound.max_queue_age = 5 weeks\n"))
                .hasMessageContaining("outbound.max_queue_age");
        assertThatThrownBy(() -> ConfigParser.parse("outbound.min_backoff = 2h\noutbound.max_backoff = 1h\n"))
                .hasMessageContaining("line 2");
        assertThatThrownBy(() -> ConfigParser.parse("outbound.colour = blue\n")).hasMessageContaining("unknown setting");
    }

    @Test
    void storeDefaultsToTheEmbeddedOne() throws ConfigException {
        assertThat(ConfigParser.parse("").store()).isEqualTo(StoreConfig.sqlite());
        assertThat(ConfigParser.parse("store = SQLite\n").store().embedded()).isTrue();
        assertThat(ConfigWriter.render(ServerConfig.defaults("a.example"))).contains("store = sqlite\n")
                .contains("store_password_file = \n");
    }

    @Test
    void postgresStoreReadsBackUnchanged() throws ConfigException {
        ServerConfig c = ServerConfig.defaults("a.example")
                .withStore(StoreConfig.postgres("postgres://postern@db.example.org:6432/mail", "secrets/db.pw"));
        ServerConfig back = ConfigParser.parse(ConfigWriter.render(c));
        assertThat(back).isEqualTo(c);
        assertThat(back.store().embedded()).isFalse();
        assertThat(ConfigParser.parse("store = postgres://p@[::1]/mail\n").store().passwordFile()).isEmpty();
    }

    static Stream<Arguments> badStores() {
        return Stream.of(
                Arguments.of("\nstore = mysql://u@h/db", 2, "must start with postgres://"),
                Arguments.of("store = postgres://u:hunter2@h/db", 1, "password in a file"),
                Arguments.of("store = postgres://h/db", 1, "no user"),
                Arguments.of("store = postgres://u@h/", 1, "database name"),
                Arguments.of("store = postgres://u@h/db?sslmode=off", 1, "no options"),
                Arguments.of("store = postgres://u@h:99999/db", 1, "store must be"),
                Arguments.of("store = postgres://u@h/db bad", 1, "store must be"),
                Arguments.of("store =", 1, "store must be sqlite or postgres://"),
                Arguments.of("store = files", 1, "store must be sqlite or postgres://"),
                Arguments.of("hostname = a.example\nstore_password_file = db.pw", 2, "only for a postgres:// store"),
                Arguments.of("store = sqlite\nstore = sqlite", 2, "already set on line 1"));
    }

    @ParameterizedTest
    @MethodSource("badStores")
    void badStoresNameTheirLine(String text, int line, String message) {
        assertThatThrownBy(() -> ConfigParser.parse(text))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.line()).isEqualTo(line))
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("\n"));
    }

    @Test
    void emptyFileMeansDefaults() throws ConfigException {
        assertThat(ConfigParser.parse("")).isEqualTo(ServerConfig.defaults("localhost"));
        assertThat(ConfigParser.parse("# only a comment\n\n   \n")).isEqualTo(ServerConfig.defaults("localhost"));
    }

    @Test
    void acceptsCommentsAfterValuesAndFlexibleSpacing() throws ConfigException {
        ServerConfig c = ConfigParser.parse("""
                config_version=1
                  smtp_port   =   2525   # for testing
                tls_cert = /path/with#hash.pem
                tls_key = k.pem
                max_message_size = 10 MiB
                Allow_Plaintext_Auth = yes\r
                port_offset = AUTO
                """);
        assertThat(c.port(Service.SMTP)).isEqualTo(2525);
        assertThat(c.tlsCert()).isEqualTo("/path/with#hash.pem");
        assertThat(c.maxMessageSize()).isEqualTo(10L * 1024 * 1024);
        assertThat(c.allowPlaintextAuth()).isTrue();
        assertThat(c.portOffset()).isEmpty();
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("smtp_prot = 25", 1, "unknown setting 'smtp_prot'"),
                Arguments.of("# c\n\nbogus.key = 1", 3, "unknown setting 'bogus.key'"),
                Arguments.of("hostname", 1, "expected 'key = value'"),
                Arguments.of("config_version = 1\nconfig_version = 1", 2, "already set on line 1"),
                Arguments.of("config_version = 2", 1, "newer than this Postern understands"),
                Arguments.of("config_version = 0", 1, "config_version must be a number"),
                Arguments.of("config_version = one", 1, "config_version must be a number"),
                Arguments.of("smtp_port = 70000", 1, "smtp_port must be a number from 0 to 65535"),
                Arguments.of("\nimap_port = -1", 2, "imap_port must be a number"),
                Arguments.of("pop3s_port = 99999999999999999999", 1, "pop3s_port must be a number"),
                Arguments.of("port_offset = sometimes", 1, "port_offset"),
                Arguments.of("allow_plaintext_auth = maybe", 1, "must be true or false"),
                Arguments.of("max_message_size = 10", 1, "max_message_size must be a size"),
                Arguments.of("max_message_size = 3G", 1, "max_message_size must be a size"),
                Arguments.of("max_message_size = 99999999999999G", 1, "max_message_size must be a size"),
                Arguments.of("hostname = bad_host!", 1, "not a valid host name"),
                Arguments.of("listen_address = example.org", 1, "listen_address must be an IP address"),
                Arguments.of("listen_address = 300.1.1.1", 1, "listen_address must be an IP address"),
                Arguments.of("tls_cert = a.pem", 1, "tls_cert and tls_key must both be set"),
                Arguments.of("dev.argon2 = cheap", 1, "dev.argon2 must be one of default, test"),
                Arguments.of("dev.auth_throttle = off", 1, "dev.auth_throttle must be one of default, relaxed"),
                Arguments.of("smtp_port = 25\u0000", 1, "smtp_port must be a number"),
                Arguments.of("x".repeat(5000), 1, "longer than 4096"),
                Arguments.of("= 5", 1, "unknown setting ''"),
                Arguments.of("smtp_pregreet_delay = 2m", 1, "smtp_pregreet_delay must be a duration up to 60s"),
                Arguments.of("smtp_pregreet_delay = -1s", 1, "smtp_pregreet_delay must be a duration"),
                Arguments.of("smtp_pregreet_delay = soon", 1, "smtp_pregreet_delay must be a duration"),
                Arguments.of("smtp_pregreet_delay = 1h", 1, "smtp_pregreet_delay must be a duration"));
    }

    @ParameterizedTest
    @MethodSource("badFiles")
    void badFilesNameTheLine(String text, int line, String message) {
        assertThatThrownBy(() -> ConfigParser.parse(text))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.line()).isEqualTo(line))
                .hasMessageStartingWith("postern.conf line " + line + ": ")
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void tooManyLinesIsRefusedWithoutParsingThem() {
        assertThatThrownBy(() -> ConfigParser.parse("\n".repeat(ConfigParser.MAX_LINES + 1)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("more than");
    }

    @Test
    void hostileValueIsShortenedAndControlCharactersHidden() {
        assertThatThrownBy(() -> ConfigParser.parse("hostname = " + "a\u001b[31m".repeat(100)))
                .hasMessageNotContaining("\u001b").satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
    }
}
