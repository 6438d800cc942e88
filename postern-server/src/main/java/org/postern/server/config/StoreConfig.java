// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import org.postern.store.postgres.PostgresConfig;

/**
 * Where the mail store lives: the {@code store} and {@code store_password_file} settings, and where
 * message bodies go ({@code blobs} and the {@code s3_*} settings).
 *
 * @param url {@value #SQLITE} (the embedded store in the data folder) or {@code postgres://user@host:port/db},
 *     the store shared by every node pointing at the same database
 * @param passwordFile the database password's file as written (relative to the data folder); empty for
 *     none (trust or peer authentication) and always empty for {@value #SQLITE}
 * @param blobs where message bodies are kept
 * @param search where the full-text index lives: {@value #SEARCH_AUTO} (in the database with a postgres://
 *     store, so nodes keep no search state; in the data folder with {@value #SQLITE}), {@value #SEARCH_LOCAL}
 *     (a Lucene index in each node's data folder) or {@value #SEARCH_DATABASE} (postgres:// only)
 */
public record StoreConfig(String url, String passwordFile, Blobs blobs, String search) {
    public static final String SQLITE = "sqlite";
    public static final String SEARCH_AUTO = "auto";
    public static final String SEARCH_LOCAL = "local";
    public static final String SEARCH_DATABASE = "database";
    /** The keys of {@link Blobs}, in the order they are written. */
    public static final List<String> BLOB_KEYS = List.of("blobs", "s3_endpoint", "s3_region", "s3_bucket", "s3_prefix",
            "s3_access_key", "s3_secret_key_file", "s3_path_style");

    public StoreConfig {
        passwordFile = passwordFile == null ? "" : passwordFile;
        blobs = blobs == null ? Blobs.STORE : blobs;
        search = search == null ? SEARCH_AUTO : search.toLowerCase(Locale.ROOT);
        if (!List.of(SEARCH_AUTO, SEARCH_LOCAL, SEARCH_DATABASE).contains(search)) {
            throw new IllegalArgumentException("search must be auto, local or database");
        }
        if (search.equals(SEARCH_DATABASE) && url.equals(SQLITE)) {
            throw new IllegalArgumentException("search = database needs a postgres:// store");
        }
        if (!url.equals(SQLITE)) {
            // Validated with the backend's own parser (no file is read here), so the two never disagree.
            PostgresConfig.parse(url, null);
            int port = java.net.URI.create(url.trim()).getPort();
            if (port == 0 || port > 65535) throw new IllegalArgumentException("port must be from 1 to 65535");
        } else if (!passwordFile.isEmpty()) {
            throw new IllegalArgumentException("store_password_file is only for a postgres:// store");
        }
    }

    public StoreConfig(String url, String passwordFile, Blobs blobs) {
        this(url, passwordFile, blobs, SEARCH_AUTO);
    }

    public StoreConfig(String url, String passwordFile) {
        this(url, passwordFile, Blobs.STORE);
    }

    public static StoreConfig sqlite() {
        return new StoreConfig(SQLITE, "");
    }

    public static StoreConfig postgres(String url, String passwordFile) {
        return new StoreConfig(url, passwordFile);
    }

    public StoreConfig withBlobs(Blobs b) {
        return new StoreConfig(url, passwordFile, b, search);
    }

    public StoreConfig withSearch(String where) {
        return new StoreConfig(url, passwordFile, blobs, where);
    }

    /** True when the full-text index is kept in the PostgreSQL store rather than in the data folder. */
    public boolean searchInDatabase() {
        return !embedded() && !search.equals(SEARCH_LOCAL);
    }

    public boolean embedded() {
        return url.equals(SQLITE);
    }

    /** Accepts {@code sqlite} in any case; anything else must be a postgres:// URL. */
    static String normalise(String value) {
        return value.equalsIgnoreCase(SQLITE) ? SQLITE : value;
    }

    @Override
    public String toString() {
        return (embedded() ? SQLITE : url + (passwordFile.isEmpty() ? "" : " (password in " + passwordFile + ")"))
                + (blobs.s3() ? ", bodies in " + blobs : "");
    }

    /**
     * Where message bodies go: {@code store} (the store's own place: blob files beside the embedded
     * database, rows in PostgreSQL) or {@code s3}, an S3-compatible object store, with the metadata
     * still in the store.
     *
     * @param endpoint the object store's URL; empty for AWS S3 (then the region picks the endpoint)
     * @param prefix prefix of every object key; Postern deletes unreferenced objects under it, so it must
     *     be Postern's own
     * @param secretKeyFile the file holding the secret key on its first line, relative to the data folder
     * @param pathStyle {@code auto} (path-style addressing when an endpoint is set, as self-hosted servers
     *     need; virtual-hosted for AWS), {@code yes} or {@code no}
     */
    public record Blobs(String kind, String endpoint, String region, String bucket, String prefix, String accessKey,
            String secretKeyFile, String pathStyle) {
        public static final String DEFAULT_PREFIX = "postern/";
        public static final Blobs STORE = new Blobs("store", "", "us-east-1", "", DEFAULT_PREFIX, "", "", "auto");

        public Blobs {
            kind = kind.toLowerCase(Locale.ROOT);
            pathStyle = pathStyle.toLowerCase(Locale.ROOT);
            if (!kind.equals("store") && !kind.equals("s3")) throw new IllegalArgumentException("blobs must be store or s3");
            if (!List.of("auto", "yes", "no").contains(pathStyle)) {
                throw new IllegalArgumentException("s3_path_style must be auto, yes or no");
            }
            if (!endpoint.isEmpty()) {
                try {
                    URI u = new URI(endpoint);
                    if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                        throw new IllegalArgumentException("s3_endpoint must be an http:// or https:// URL");
                    }
                } catch (URISyntaxException e) {
                    throw new IllegalArgumentException("s3_endpoint is not a URL: " + e.getMessage());
                }
            }
            if (prefix.startsWith("/") || prefix.contains("..")) throw new IllegalArgumentException("s3_prefix must not start with / or contain ..");
            if (kind.equals("s3")) {
                if (region.isEmpty()) throw new IllegalArgumentException("s3_region is needed (us-east-1 for most servers)");
                if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
                    throw new IllegalArgumentException("s3_bucket must be an S3 bucket name");
                }
                if (accessKey.isEmpty() || secretKeyFile.isEmpty()) {
                    throw new IllegalArgumentException("blobs = s3 needs s3_access_key and s3_secret_key_file");
                }
            }
        }

        public static Blobs s3(String endpoint, String region, String bucket, String prefix, String accessKey,
                String secretKeyFile, String pathStyle) {
            return new Blobs("s3", endpoint, region, bucket, prefix, accessKey, secretKeyFile, pathStyle);
        }

        public boolean s3() {
            return kind.equals("s3");
        }

        /** The same settings for AWS itself (the region picks the endpoint). */
        public Blobs withoutEndpoint() {
            return new Blobs(kind, "", region, bucket, prefix, accessKey, secretKeyFile, pathStyle);
        }

        public boolean usePathStyle() {
            return pathStyle.equals("auto") ? !endpoint.isEmpty() : pathStyle.equals("yes");
        }

        /** The postern.conf lines of these settings, with their explanation. */
        public void render(StringBuilder b) {
            b.append("""

                    # Where message bodies go. store: with the store above (files in this folder, or rows
                    # in PostgreSQL). s3: in an S3-compatible object store (AWS S3, MinIO, Ceph, Garage);
                    # the store above keeps everything else. s3_endpoint: empty for AWS, else the server's
                    # URL. s3_prefix starts every object's name: Postern deletes objects under it that no
                    # message uses, so keep it for Postern alone. s3_secret_key_file: the secret key on
                    # its first line (relative to this folder). s3_path_style: auto, yes or no.
                    """);
            kv(b, "blobs", kind);
            kv(b, "s3_endpoint", endpoint);
            kv(b, "s3_region", region);
            kv(b, "s3_bucket", bucket);
            kv(b, "s3_prefix", prefix);
            kv(b, "s3_access_key", accessKey);
            kv(b, "s3_secret_key_file", secretKeyFile);
            kv(b, "s3_path_style", pathStyle);
        }

        private static void kv(StringBuilder b, String key, String value) {
            b.append(key).append(" = ").append(value).append('\n');
        }

        @Override
        public String toString() {
            return s3() ? "s3 " + (endpoint.isEmpty() ? "aws" : endpoint) + " bucket " + bucket + " prefix " + prefix : kind;
        }
    }
}
