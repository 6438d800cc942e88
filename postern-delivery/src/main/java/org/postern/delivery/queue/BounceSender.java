// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery.queue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.postern.core.MailAddress;
import org.postern.store.Account;
import org.postern.store.BlobStore;
import org.postern.store.Directory;
import org.postern.store.Intake;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import org.postern.store.OutboundQueue.QueuedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Returns DSNs to the envelope sender through the store, as any accepted mail: into the local
 * sender's INBOX (with Return-Path: &lt;&gt;), or into the outbound queue from the null reverse-path
 * when the sender is remote (RFC 5321 §4.5.5), so a DSN can never cause another one.
 */
final class BounceSender {
    private static final Logger log = LoggerFactory.getLogger(BounceSender.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Bounds the header section copied into the DSN. */
    static final int MAX_HEADER_BYTES = 64 * 1024;
    /** RET=FULL returns messages up to this size whole; larger ones get their header only. */
    static final long MAX_FULL_RETURN = 5L * 1024 * 1024;

    private final MailStore store;
    private final QueueConfig config;
    private final Clock clock;

    BounceSender(MailStore store, QueueConfig config, Clock clock) {
        this.store = store;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Sends one DSN about {@code entry} for {@code recipients}; false when there is nobody to send it
     * to (null reverse-path, unknown local sender). Store failures propagate, so the caller keeps the
     * recipients queued.
     */
    boolean send(QueuedMessage entry, DsnWriter.Kind kind, List<DsnWriter.Recipient> recipients) throws IOException {
        if (entry.mailFrom().isEmpty()) return false; // RFC 5321 §6.2: never bounce a bounce
        Optional<MailAddress> sender = MailAddress.parse(entry.mailFrom());
        if (sender.isEmpty()) {
            log.warn("queue entry {}: sender <{}> unusable, DSN dropped", entry.id(), entry.mailFrom());
            return false;
        }
        Instant now = clock.instant();
        String token = HexFormat.of().formatHex(randomBytes(10));
        Intake.Options options = entry.options();
        // RFC 3461 §4.3; RFC 8689 §5: a REQUIRETLS message is returned as if RET=HDRS.
        // A BINARYMIME body cannot travel inside a text report (RFC 3030 §3): its header only.
        boolean full = kind == DsnWriter.Kind.FAILURE && "FULL".equals(options.ret()) && !options.requireTls()
                && !options.binary() && entry.size() <= MAX_FULL_RETURN;
        byte[] dsn = DsnWriter.write(new DsnWriter.Report(kind, config.hostname(), entry.mailFrom(), entry.queuedAt(), now,
                clock.getZone(), token + "@" + config.hostname(), "=_postern_" + token, recipients,
                originalHeaders(entry.blobId()), entry.queuedAt().plus(config.maxAge()), options.envId(),
                full ? originalMessage(entry.blobId()) : null));
        List<Intake.Target> targets = localTargets(sender.get());
        boolean local = isLocal(sender.get().domain());
        if (local && targets.isEmpty()) {
            log.warn("queue entry {}: local sender <{}> has no mailbox, DSN dropped", entry.id(), entry.mailFrom());
            return false;
        }
        String blobId;
        long size;
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            OutputStream out = w.stream();
            if (local) out.write("Return-Path: <>\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(dsn);
            blobId = w.commit();
            size = w.size();
        }
        // RFC 8689 §5: the report about a REQUIRETLS message asks for TLS too.
        Intake.Outbound outbound = local ? null : new Intake.Outbound("", List.of(sender.get().toString()),
                new Intake.Options(null, null, options.requireTls(), false), List.of());
        store.deliver(new Intake(blobId, size, now, targets, outbound));
        log.info("queue entry {}: {} DSN for {} recipient(s) sent to <{}>", entry.id(),
                kind.name().toLowerCase(Locale.ROOT), recipients.size(), entry.mailFrom());
        return true;
    }

    private boolean isLocal(String domain) {
        return store.directory().isLocalDomain(domain) || domain.equals(config.hostname().toLowerCase(Locale.ROOT));
    }

    /** The sender's INBOX, or the INBOXes of the local accounts an alias sender names (one level). */
    private List<Intake.Target> localTargets(MailAddress sender) {
        if (!isLocal(sender.domain())) return List.of();
        Directory d = store.directory();
        Map<Long, Account> accounts = new LinkedHashMap<>();
        d.account(sender.key()).ifPresent(a -> accounts.put(a.id(), a));
        if (accounts.isEmpty()) {
            for (String t : d.aliasTargets(sender.key())) {
                MailAddress.parse(t).flatMap(a -> d.account(a.key())).ifPresent(a -> accounts.putIfAbsent(a.id(), a));
            }
        }
        List<Intake.Target> out = new ArrayList<>();
        for (Account a : accounts.values()) {
            store.mailboxes().find(a.id(), Mailbox.INBOX).ifPresent(m -> out.add(new Intake.Target(a.id(), m.id(), Set.of())));
        }
        return out;
    }

    /** The whole queued message without the leading Return-Path: field (RET=FULL). */
    byte[] originalMessage(String blobId) throws IOException {
        byte[] all;
        try (InputStream in = store.blobs().open(blobId)) {
            all = in.readNBytes((int) MAX_FULL_RETURN + 1);
        }
        int start = 0;
        if (startsWithIgnoreCase(all, "Return-Path:")) {
            for (int i = 0; i + 1 < all.length; i++) {
                if (all[i] == '\r' && all[i + 1] == '\n' && (i + 2 >= all.length || all[i + 2] != ' ' && all[i + 2] != '\t')) {
                    start = i + 2;
                    break;
                }
            }
        }
        return java.util.Arrays.copyOfRange(all, start, all.length);
    }

    /** The header section of the queued message, without the leading Return-Path: field. */
    byte[] originalHeaders(String blobId) throws IOException {
        byte[] head;
        try (InputStream in = store.blobs().open(blobId)) {
            head = in.readNBytes(MAX_HEADER_BYTES);
        }
        int end = head.length;
        for (int i = 0; i + 3 < head.length; i++) {
            if (head[i] == '\r' && head[i + 1] == '\n' && head[i + 2] == '\r' && head[i + 3] == '\n') {
                end = i + 2;
                break;
            }
        }
        if (end == head.length) {
            // Truncated at the bound: keep whole lines only.
            int lastLine = lastCrlf(head, end);
            end = lastLine < 0 ? 0 : lastLine + 2;
        }
        int start = 0;
        if (startsWithIgnoreCase(head, "Return-Path:")) {
            start = end;
            for (int i = 0; i + 1 < end; i++) {
                if (head[i] == '\r' && head[i + 1] == '\n' && (i + 2 >= end || head[i + 2] != ' ' && head[i + 2] != '\t')) {
                    start = i + 2;
                    break;
                }
            }
        }
        return java.util.Arrays.copyOfRange(head, start, end);
    }

    private static int lastCrlf(byte[] b, int end) {
        for (int i = end - 2; i >= 0; i--) if (b[i] == '\r' && b[i + 1] == '\n') return i;
        return -1;
    }

    private static boolean startsWithIgnoreCase(byte[] b, String prefix) {
        if (b.length < prefix.length()) return false;
        return new String(b, 0, prefix.length(), StandardCharsets.ISO_8859_1).equalsIgnoreCase(prefix);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
