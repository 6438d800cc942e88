// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code blobs} and {@code s3_*} settings of postern.conf. */
class StoreConfigTest {
    private static final String S3 = """
            store = postgres://postern@db.example.org/mail
            blobs = s3
            s3_endpoint = https://minio.example.org:9000
            s3_bucket = mail-bodies
            s3_access_key = postern
            s3_secret_key_file = secrets/s3.key
            """;

    @Test
    void bodiesStayWithTheStoreByDefault() throws ConfigException {
        StoreConfig.Blobs b = ConfigParser.parse("").store().blobs();
        assertThat(b.s3()).isFalse();
        assertThat(b).isEqualTo(StoreConfig.Blobs.STORE);
    }

    @Test
    void s3SettingsAreReadWithTheirDefaults() throws ConfigException {
        StoreConfig store = ConfigParser.parse(S3).store();
        StoreConfig.Blobs b = store.blobs();
        assertThat(b.s3()).isTrue();
        assertThat(b.endpoint()).isEqualTo("https://minio.example.org:9000");
        assertThat(b.region()).isEqualTo("us-east-1");
        assertThat(b.prefix()).isEqualTo("postern/");
        assertThat(b.secretKeyFile()).isEqualTo("secrets/s3.key");
        // A self-hosted endpoint wants path-style URLs unless told otherwise; AWS wants virtual hosts.
        assertThat(b.usePathStyle()).isTrue();
        assertThat(b.withoutEndpoint().usePathStyle()).isFalse();
        assertThat(store.toString()).contains("s3 https://minio.example.org:9000 bucket mail-bodies");
    }

    @Test
    void writtenS3SettingsReadBackUnchanged() throws ConfigException {
        ServerConfig c = ServerConfig.defaults("mail.example.org").withStore(ConfigParser.parse(S3).store());
        String text = ConfigWriter.render(c);
        assertThat(text).contains("blobs = s3").contains("s3_path_style = auto");
        assertThat(ConfigParser.parse(text)).isEqualTo(c);
    }

    static Stream<Arguments> badSettings() {
        return Stream.of(
                Arguments.of("blobs = ftp", "blobs must be store or s3"),
                Arguments.of("blobs = s3\ns3_access_key = k\ns3_secret_key_file = f", "s3_bucket"),
                Arguments.of("blobs = s3\ns3_bucket = Bad_Bucket\ns3_access_key = k\ns3_secret_key_file = f", "s3_bucket"),
                Arguments.of("blobs = s3\ns3_bucket = mail\ns3_secret_key_file = f", "s3_access_key"),
                Arguments.of("blobs = s3\ns3_bucket = mail\ns3_access_key = k", "s3_secret_key_file"),
                Arguments.of("s3_path_style = maybe", "s3_path_style"),
                Arguments.of("s3_endpoint = ftp://x.example", "s3_endpoint"),
                Arguments.of("s3_endpoint = http://[bad", "s3_endpoint"),
                Arguments.of("s3_prefix = ../up", "s3_prefix"));
    }

    @ParameterizedTest
    @MethodSource("badSettings")
    void badSettingsNameTheirLine(String conf, String message) {
        assertThatThrownBy(() -> ConfigParser.parse(conf)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(message).hasMessageStartingWith("postern.conf line ");
    }
}
