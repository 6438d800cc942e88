// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.postern.server.config.DataFolder;
import org.postern.server.config.StoreConfig;
import org.postern.store.ExternalBlobStore;
import org.postern.store.MailStore;
import org.postern.store.StoreException;
import org.postern.store.postgres.PostgresConfig;
import org.postern.store.postgres.PostgresMailStore;
import org.postern.store.s3.S3BlobStore;
import org.postern.store.s3.S3Config;
import org.postern.store.sqlite.SqliteMailStore;

/**
 * Opens the store postern.conf names: the embedded one in the data folder, or a PostgreSQL shared by
 * every node configured with the same database; with {@code blobs = s3} the message bodies go to an
 * S3-compatible object store beneath either. The only place that picks a backend, so the server and
 * the command line always open the same one.
 */
public final class StoreBackend {
    private StoreBackend() {}

    /**
     * @throws StoreException.Unavailable when the database or object store cannot be reached or a
     *     password or secret key file read
     * @throws StoreException.TooNew when the data was written by a newer Postern
     */
    public static MailStore open(StoreConfig store, Path dataDir) {
        ExternalBlobStore blobs = store.blobs().s3() ? openS3(store.blobs(), dataDir) : null;
        if (store.embedded()) return SqliteMailStore.open(dataDir, blobs);
        Path passwordFile = store.passwordFile().isEmpty() ? null : new DataFolder(dataDir).resolve(store.passwordFile());
        PostgresConfig config;
        try {
            config = PostgresConfig.parse(store.url(), passwordFile);
        } catch (IllegalArgumentException e) {
            if (blobs != null) blobs.close();
            // The URL was validated with postern.conf; what is left is an unreadable password file.
            throw new StoreException.Unavailable(e.getMessage(), e);
        }
        return PostgresMailStore.open(config, blobs);
    }

    /** The object store of {@code blobs = s3}: checked (bucket reachable, credentials accepted) now. */
    static S3BlobStore openS3(StoreConfig.Blobs b, Path dataDir) {
        Path secretFile = new DataFolder(dataDir).resolve(b.secretKeyFile());
        String secret;
        try {
            secret = Files.readAllLines(secretFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
        } catch (IOException e) {
            throw new StoreException.Unavailable("cannot read s3_secret_key_file " + secretFile + ": " + e.getMessage(), e);
        }
        if (secret.isEmpty()) throw new StoreException.Unavailable("s3_secret_key_file " + secretFile + " is empty", null);
        try {
            return S3BlobStore.open(new S3Config(b.endpoint().isEmpty() ? null : URI.create(b.endpoint()), b.region(),
                    b.bucket(), b.prefix(), b.accessKey(), secret, b.usePathStyle()));
        } catch (IOException | IllegalArgumentException e) {
            throw new StoreException.Unavailable("object store for blobs = s3: " + e.getMessage(), e);
        }
    }
}
