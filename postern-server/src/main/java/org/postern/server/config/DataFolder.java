// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Where things live in the data folder. Backing up this one folder backs up everything. */
public record DataFolder(Path root) {
    public static final String CONFIG_FILE = "postern.conf";
    /** Longest postern.conf read: a hand-edited file of a few dozen lines, with room to spare. */
    static final long MAX_CONFIG_BYTES = 1 << 20;

    public DataFolder {
        root = root.toAbsolutePath().normalize();
    }

    public Path config() {
        return root.resolve(CONFIG_FILE);
    }

    public Path selfSignedCertificate() {
        return root.resolve("tls").resolve("cert.pem");
    }

    public Path selfSignedKey() {
        return root.resolve("tls").resolve("key.pem");
    }

    public boolean hasConfig() {
        return Files.isRegularFile(config());
    }

    /** Reads and validates postern.conf. */
    public ServerConfig readConfig() throws IOException, ConfigException {
        if (Files.size(config()) > MAX_CONFIG_BYTES) throw new ConfigException(0, "file is larger than 1 MiB");
        return ConfigParser.parse(Files.readString(config(), StandardCharsets.UTF_8));
    }

    /** Writes postern.conf atomically, so a crash never leaves half a file that stops the next start. */
    public void writeConfig(ServerConfig c) throws IOException {
        Files.createDirectories(root);
        Path tmp = root.resolve(CONFIG_FILE + ".tmp");
        Files.writeString(tmp, ConfigWriter.render(c), StandardCharsets.UTF_8);
        Files.move(tmp, config(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A relative path in postern.conf is relative to the data folder, not to the caller's directory. */
    public Path resolve(String configuredPath) {
        return root.resolve(configuredPath).normalize();
    }
}
