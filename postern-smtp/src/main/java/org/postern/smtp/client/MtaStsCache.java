// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cached MTA-STS policies (RFC 8461 §5.1: a policy stays valid for its max_age even when the policy
 * host or DNS cannot be reached, which is what defeats a downgrade attacker). In memory, and in one
 * file per domain in a folder when one is given, so the cache survives restarts.
 */
public final class MtaStsCache {
    private static final Logger log = LoggerFactory.getLogger(MtaStsCache.class);
    /** A policy file is at most 64 KiB (the fetch bound) plus a small header. */
    private static final long MAX_FILE = 70 * 1024;

    private final Path dir;
    private final Map<String, MtaStsPolicy> memory = new ConcurrentHashMap<>();

    /** {@code dir} null: in memory only. */
    public MtaStsCache(Path dir) {
        this.dir = dir;
    }

    public Optional<MtaStsPolicy> get(String domain) {
        String d = key(domain);
        if (d == null) return Optional.empty();
        MtaStsPolicy p = memory.get(d);
        if (p != null || dir == null) return Optional.ofNullable(p);
        Path f = dir.resolve(d + ".policy");
        try {
            if (!Files.isRegularFile(f) || Files.size(f) > MAX_FILE) return Optional.empty();
            String text = Files.readString(f, StandardCharsets.UTF_8);
            int nl1 = text.indexOf('\n');
            int nl2 = text.indexOf('\n', nl1 + 1);
            if (nl1 < 0 || nl2 < 0) return Optional.empty();
            String id = text.substring(0, nl1);
            Instant fetched = Instant.ofEpochMilli(Long.parseLong(text.substring(nl1 + 1, nl2)));
            if (MtaStsPolicyParser.policy(text.substring(nl2 + 1), id, fetched) instanceof MtaStsPolicyParser.Result.Policy r) {
                memory.put(d, r.policy());
                return Optional.of(r.policy());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("unreadable MTA-STS cache file {}: {}", f, e.toString());
        }
        return Optional.empty();
    }

    /** Stores {@code policy} with its source text (so the file is re-parsed by the same rules). */
    public void put(String domain, MtaStsPolicy policy, String policyText) {
        String d = key(domain);
        if (d == null) return;
        memory.put(d, policy);
        if (dir == null) return;
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, d, ".tmp");
            Files.writeString(tmp, policy.id() + "\n" + policy.fetchedAt().toEpochMilli() + "\n" + policyText,
                    StandardCharsets.UTF_8);
            try {
                Files.move(tmp, dir.resolve(d + ".policy"), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(d + ".policy"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            log.warn("cannot store the MTA-STS policy of {}: {}", d, e.toString());
        }
    }

    /** A domain as a file name: LDH labels only, so no path can be smuggled in. */
    private static String key(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) d = d.substring(0, d.length() - 1);
        return d.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*") && d.length() <= 253 ? d : null;
    }
}
