// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Where the shared store lives and how hard to use it.
 *
 * @param jdbcUrl {@code jdbc:postgresql://host:port/db}
 * @param password null for trust/peer authentication
 * @param poolSize connections per node for reads and writes (one more is held for LISTEN)
 * @param queueLease how long an outbound entry handed out by {@code due()} stays claimed by the node that
 *     took it: longer than one delivery attempt (RFC 5321 §4.5.3.2 allows 10 minutes for the reply to
 *     the final dot), short enough that a crashed node's entries are retried soon
 */
public record PostgresConfig(String jdbcUrl, String user, String password, int poolSize, Duration queueLease) {
    /**
     * A connection pool on this database, set up alike for the store and for any module that keeps its
     * own (the search index): fails at once, with the reason, when the database cannot be reached.
     */
    public HikariDataSource openPool(String name, String applicationName, int maxSize, int minIdle) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(jdbcUrl);
        hc.setUsername(user);
        if (password != null) hc.setPassword(password);
        hc.setMaximumPoolSize(maxSize);
        hc.setMinimumIdle(minIdle);
        hc.setPoolName(name);
        hc.setConnectionTimeout(10_000);
        hc.setInitializationFailTimeout(1);
        // A session stuck behind a lock gets a temporary failure instead of hanging; a transaction left
        // open by a bug cannot hold its locks for ever.
        hc.setConnectionInitSql("SET lock_timeout = '30s'; SET idle_in_transaction_session_timeout = '300s'");
        hc.addDataSourceProperty("ApplicationName", applicationName);
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        return new HikariDataSource(hc);
    }

    public static final int DEFAULT_POOL_SIZE = 16;
    public static final Duration DEFAULT_QUEUE_LEASE = Duration.ofMinutes(15);
    private static final Pattern DATABASE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_$-]{0,62}");

    public PostgresConfig {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + jdbcUrl);
        }
        if (user == null || user.isEmpty()) throw new IllegalArgumentException("a database user is needed");
        if (poolSize < 2 || poolSize > 1_000) throw new IllegalArgumentException("pool size out of range: " + poolSize);
        if (queueLease == null || queueLease.isNegative() || queueLease.isZero()) queueLease = DEFAULT_QUEUE_LEASE;
    }

    public PostgresConfig(String jdbcUrl, String user, String password) {
        this(jdbcUrl, user, password, DEFAULT_POOL_SIZE, DEFAULT_QUEUE_LEASE);
    }

    public PostgresConfig withPoolSize(int n) {
        return new PostgresConfig(jdbcUrl, user, password, n, queueLease);
    }

    public PostgresConfig withQueueLease(Duration lease) {
        return new PostgresConfig(jdbcUrl, user, password, poolSize, lease);
    }

    /**
     * Reads the {@code store = postgres://user@host:port/db} form of postern.conf. A password in the URL
     * is refused (it would sit in a world-readable config); it comes from {@code passwordFile}, whose
     * first line is used, or is absent for trust/peer authentication.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static PostgresConfig parse(String url, Path passwordFile) {
        URI u;
        try {
            u = new URI(url == null ? "" : url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a postgres:// URL: " + e.getMessage());
        }
        if (!"postgres".equals(u.getScheme()) && !"postgresql".equals(u.getScheme())) {
            throw new IllegalArgumentException("store URL must start with postgres://");
        }
        String host = u.getHost();
        if (host == null || host.isEmpty()) throw new IllegalArgumentException("store URL has no host");
        String userInfo = u.getRawUserInfo();
        if (userInfo == null || userInfo.isEmpty()) throw new IllegalArgumentException("store URL has no user (postgres://user@host/db)");
        if (userInfo.contains(":")) throw new IllegalArgumentException("put the database password in a file, not in the URL");
        String user = URLDecoder.decode(userInfo, StandardCharsets.UTF_8);
        String path = u.getPath() == null ? "" : u.getPath();
        String db = path.startsWith("/") ? path.substring(1) : path;
        if (!DATABASE.matcher(db).matches()) throw new IllegalArgumentException("store URL needs a database name: " + url);
        if (u.getQuery() != null || u.getFragment() != null) throw new IllegalArgumentException("store URL takes no options");
        int port = u.getPort() < 0 ? 5432 : u.getPort();
        String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        String password = null;
        if (passwordFile != null) {
            try {
                password = Files.readAllLines(passwordFile, StandardCharsets.UTF_8).stream().findFirst().orElse("");
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the database password file " + passwordFile + ": " + e.getMessage());
            }
        }
        return new PostgresConfig("jdbc:postgresql://" + hostPart + ":" + port + "/" + db, user, password);
    }

    @Override
    public String toString() {
        // Never print the password.
        return "PostgresConfig[" + jdbcUrl + ", user=" + user + ", poolSize=" + poolSize + "]";
    }
}
