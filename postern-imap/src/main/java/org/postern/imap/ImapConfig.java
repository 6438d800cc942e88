// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.time.Duration;

/**
 * Settings of one IMAP listener. Limits follow HOSTILE.md's table: command lines of 8 KiB before
 * login and 64 KiB after (Dovecot's values), about 64 KiB per command including literals, APPEND
 * messages up to 50 MiB, 20 consecutive bad commands before the session ends.
 *
 * @param implicitTls true on port 993 (TLS before the greeting, no STARTTLS)
 * @param allowPlaintextAuth allow LOGIN/AUTHENTICATE without TLS (off by default, RFC 8314 §4)
 * @param idleTimeout autologout when authenticated; RFC 3501 §5.4 asks for at least 30 minutes
 * @param searchesPerUser SEARCH, SORT and THREAD commands that read message contents, running at once
 *        for one user over all their sessions; more wait up to {@code searchWait}, then get NO [LIMIT]
 * @param notifyLimit NOTIFY (RFC 5465 §5.8): mailboxes one NOTIFY SET may watch for message events,
 *        and notifications sent at once; beyond it NOTIFICATIONOVERFLOW
 */
public record ImapConfig(String hostname, boolean implicitTls, boolean allowPlaintextAuth, int maxLinePreAuth,
        int maxLine, int maxCommandSize, long maxMessageSize, int maxBadCommands, Duration preAuthTimeout,
        Duration idleTimeout, int messageCacheSize, int searchesPerUser, Duration searchWait, int notifyLimit) {

    public static ImapConfig defaults(String hostname, boolean implicitTls) {
        return new ImapConfig(hostname, implicitTls, false, 8 * 1024, 64 * 1024, 64 * 1024, 50L * 1024 * 1024, 20,
                Duration.ofMinutes(1), Duration.ofMinutes(30), 16, 4, Duration.ofSeconds(5), 1000);
    }

    public ImapConfig withAllowPlaintextAuth(boolean allow) {
        return new ImapConfig(hostname, implicitTls, allow, maxLinePreAuth, maxLine, maxCommandSize, maxMessageSize,
                maxBadCommands, preAuthTimeout, idleTimeout, messageCacheSize, searchesPerUser, searchWait, notifyLimit);
    }

    public ImapConfig withMaxMessageSize(long bytes) {
        return new ImapConfig(hostname, implicitTls, allowPlaintextAuth, maxLinePreAuth, maxLine, maxCommandSize, bytes,
                maxBadCommands, preAuthTimeout, idleTimeout, messageCacheSize, searchesPerUser, searchWait, notifyLimit);
    }

    public ImapConfig withTimeouts(Duration preAuth, Duration idle) {
        return new ImapConfig(hostname, implicitTls, allowPlaintextAuth, maxLinePreAuth, maxLine, maxCommandSize,
                maxMessageSize, maxBadCommands, preAuth, idle, messageCacheSize, searchesPerUser, searchWait, notifyLimit);
    }

    public ImapConfig withSearchLimit(int perUser, Duration wait) {
        return new ImapConfig(hostname, implicitTls, allowPlaintextAuth, maxLinePreAuth, maxLine, maxCommandSize,
                maxMessageSize, maxBadCommands, preAuthTimeout, idleTimeout, messageCacheSize, perUser, wait, notifyLimit);
    }

    public ImapConfig withNotifyLimit(int limit) {
        return new ImapConfig(hostname, implicitTls, allowPlaintextAuth, maxLinePreAuth, maxLine, maxCommandSize,
                maxMessageSize, maxBadCommands, preAuthTimeout, idleTimeout, messageCacheSize, searchesPerUser, searchWait, limit);
    }
}
