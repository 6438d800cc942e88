// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

/**
 * Writes postern.conf with every setting, its value and what it means, so the file is its own manual.
 * {@link ConfigParser#parse} reads back exactly what this writes.
 */
public final class ConfigWriter {
    private ConfigWriter() {}

    public static String render(ServerConfig c) {
        StringBuilder b = new StringBuilder();
        b.append("""
                # Postern configuration. Lines are 'key = value'; '#' starts a comment.
                # Postern reads this file at start; restart it after editing.
                # An unknown key or a bad value stops the start with a message naming the line.

                # Format version of this file. Do not change it; a newer Postern upgrades it explicitly.
                """);
        kv(b, "config_version", Integer.toString(c.configVersion()));
        b.append("""

                # The name this server uses in SMTP/IMAP/POP3 greetings and in its self-signed
                # certificate. Chosen from the machine's host name at first start.
                """);
        kv(b, "hostname", c.hostname());
        b.append("""

                # IP address to listen on: 0.0.0.0 for every IPv4 address, :: for IPv4 and IPv6,
                # 127.0.0.1 for this machine only.
                """);
        kv(b, "listen_address", c.listenAddress());
        b.append("""

                # Added to every port below. 'auto': 0 when Postern may bind ports below 1024 (root),
                # otherwise 10000 (so 25 becomes 10025). The --port-offset option overrides this.
                """);
        kv(b, "port_offset", c.portOffset().isPresent() ? Integer.toString(c.portOffset().getAsInt()) : "auto");
        b.append("""

                # The ports (before the offset). 0 picks any free port.
                """);
        for (Service s : Service.values()) {
            b.append("# ").append(s.protocol()).append(", ").append(s.tlsMode()).append(": ").append(s.users()).append('\n');
            kv(b, s.configKey(), Integer.toString(c.port(s)));
        }
        b.append("""

                # TLS certificate chain and private key, as PEM files (relative paths are relative to
                # this folder). Both empty: a self-signed certificate in tls/, made at first start.
                # Replacing the files in place takes effect without a restart.
                """);
        kv(b, "tls_cert", c.tlsCert());
        kv(b, "tls_key", c.tlsKey());
        b.append("""

                # Allow passwords over connections without TLS. Leave false unless every client is on
                # a network you trust completely: the password would cross it readable by anyone.
                """);
        kv(b, "allow_plaintext_auth", Boolean.toString(c.allowPlaintextAuth()));
        b.append("""

                # Largest message accepted, in bytes, or with a K, M or G suffix (powers of 1024).
                """);
        kv(b, "max_message_size", size(c.maxMessageSize()));
        b.append("""

                # How long the SMTP port (25) waits before its greeting, to catch spam software that
                # talks first (like Postfix postscreen). Such clients are refused. 0 turns it off;
                # every incoming session starts this much later. Submission ports never wait.
                """);
        kv(b, "smtp_pregreet_delay", OutboundConfig.duration(c.smtpPregreetDelay()));
        b.append("""

                # Where mail is stored. sqlite: in this folder (one machine). postgres://user@host:port/db:
                # in PostgreSQL, shared by every Postern node configured with the same database; a
                # message delivered through one node is seen at once by IMAP, POP3 and JMAP on all.
                # Each node still keeps its own TLS files, ACME challenges and MTA-STS cache in its
                # folder: give every node the same tls_cert and tls_key.
                """);
        kv(b, "store", c.store().url());
        b.append("""
                # File holding the database password on its first line (relative paths are relative
                # to this folder; keep it readable by Postern only). Empty: no password (trust/peer).
                """);
        kv(b, "store_password_file", c.store().passwordFile());
        b.append("""
                # Where the full-text search index lives. auto: in the database with a postgres:// store
                # (every node answers at once, nothing kept per node), in this folder with sqlite.
                # local: a Lucene index in each node's folder (each node indexes every message).
                # database: in PostgreSQL (postgres:// stores only).
                """);
        kv(b, "search", c.store().search());
        c.store().blobs().render(b);
        c.outbound().render(b);
        c.certificates().render(b);
        b.append("""

                # Addresses (comma-separated) that may open the admin page at /admin/ after logging in to
                # the webmail, besides accounts created with admin rights (such as the first admin@).
                """);
        kv(b, "admins", String.join(", ", c.admins()));
        b.append("""

                # on: after start-up, while it already serves, Postern runs its IMAP, JMAP, webmail and SMTP
                # code once in the background against a small throwaway mailbox in a temporary folder (never
                # your mail; about 10-20 s of one CPU), so the first large requests (a SORT or the webmail's
                # first list on a big mailbox) do not wait for the JVM to compile that code. off: skip it.
                """);
        kv(b, "warmup", c.warmup() ? "on" : "off");
        b.append("""

                # For test suites only. dev.argon2 = test makes password hashing cheap (and weak);
                # dev.auth_throttle = relaxed stops slowing down and blocking failed logins.
                """);
        kv(b, "dev.argon2", c.passwordCost());
        kv(b, "dev.auth_throttle", c.authThrottle());
        return b.toString();
    }

    private static void kv(StringBuilder b, String key, String value) {
        b.append(key).append(" = ").append(value).append('\n');
    }

    static String size(long bytes) {
        if (bytes % (1024L * 1024 * 1024) == 0) return bytes / (1024L * 1024 * 1024) + "G";
        if (bytes % (1024L * 1024) == 0) return bytes / (1024L * 1024) + "M";
        if (bytes % 1024 == 0) return bytes / 1024 + "K";
        return Long.toString(bytes);
    }
}
