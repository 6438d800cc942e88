// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.server.cli.CliFailure;
import org.postern.server.config.DataFolder;
import org.postern.server.config.ServerConfig;
import org.postern.server.config.StoreConfig;
import org.postern.store.MailStore;
import org.postern.store.StoreException;

class StoreBackendTest {

    @Test
    void embeddedStoreLivesInTheDataFolder(@TempDir Path dir) {
        try (MailStore store = StoreBackend.open(StoreConfig.sqlite(), dir)) {
            store.directory().addDomain("a.example");
        }
        try (MailStore again = Main.openConfiguredStore(dir)) {
            // No postern.conf: the CLI opens the embedded store, the same one.
            assertThat(again.directory().isLocalDomain("a.example")).isTrue();
        }
    }

    @Test
    void unreadablePasswordFileIsAnUnavailableStoreNamingTheFile(@TempDir Path dir) {
        StoreConfig pg = StoreConfig.postgres("postgres://postern@127.0.0.1:1/mail", "secrets/db.pw");
        assertThatThrownBy(() -> StoreBackend.open(pg, dir)).isInstanceOf(StoreException.Unavailable.class)
                .hasMessageContaining(dir.resolve("secrets/db.pw").toString());
    }

    @Test
    void cliRefusesABadStoreSettingWithItsLine(@TempDir Path dir) throws IOException {
        new DataFolder(dir).writeConfig(ServerConfig.defaults("localhost"));
        String conf = Files.readString(dir.resolve(DataFolder.CONFIG_FILE)).replace("store = sqlite", "store = mysql://u@h/db");
        Files.writeString(dir.resolve(DataFolder.CONFIG_FILE), conf);
        int line = conf.lines().toList().indexOf("store = mysql://u@h/db") + 1;
        assertThatThrownBy(() -> Main.openConfiguredStore(dir)).isInstanceOf(CliFailure.class)
                .hasMessageContaining("line " + line).hasMessageContaining("postgres://");
        try (var files = Files.list(dir)) {
            // Refused before anything was opened: no embedded store appeared beside the bad setting.
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(DataFolder.CONFIG_FILE);
        }
    }
}
