// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.postern.core.MailAddress;

/**
 * Reads postern.conf: {@code key = value} lines, {@code #} comments (whole line, or after whitespace
 * at the end of a line), blank lines. Pure: text in, {@link ServerConfig} out. Every problem names its
 * line so an admin can fix the file without reading code; unknown keys are errors because a misspelt
 * key silently ignored is a setting silently not applied.
 */
public final class ConfigParser {
    /** Every key, in the order {@link ConfigWriter} writes them. */
    public static final List<String> KEYS = Stream.concat(Stream.of("config_version", "hostname",
            "listen_address", "port_offset", "smtp_port", "submission_port", "submissions_port", "imap_port", "imaps_port",
            "pop3_port", "pop3s_port", "https_port", "http_port", "tls_cert", "tls_key", "allow_plaintext_auth", "max_message_size",
            "smtp_pregreet_delay", "store", "store_password_file", "search"),
            Stream.concat(StoreConfig.BLOB_KEYS.stream(), Stream.concat(OutboundConfig.KEYS.stream().map(k -> OutboundConfig.PREFIX + k),
                    Stream.concat(CertificateConfig.KEYS.stream(), Stream.concat(Stream.of("admins", "warmup"),
                            Stream.of("dev.argon2", "dev.auth_throttle")))))).toList();

    static final int MAX_LINES = 10_000;
    static final int MAX_LINE_LENGTH = 4096;
    private static final Pattern KEY = Pattern.compile("[a-z0-9_.]+");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
    private static final Pattern DELAY = Pattern.compile("(\\d{1,6})\\s*(ms|s|m)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*([KMG]?)(i?B)?", Pattern.CASE_INSENSITIVE);

    private ConfigParser() {}

    public static ServerConfig parse(String text) throws ConfigException {
        String[] lines = text.split("\r?\n", -1);
        if (lines.length > MAX_LINES) throw new ConfigException(0, "more than " + MAX_LINES + " lines");
        Map<String, Integer> seen = new HashMap<>();
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < lines.length; i++) {
            int n = i + 1;
            String line = lines[i];
            if (line.length() > MAX_LINE_LENGTH) throw new ConfigException(n, "line longer than " + MAX_LINE_LENGTH + " characters");
            String content = stripComment(line).strip();
            if (content.isEmpty()) continue;
            int eq = content.indexOf('=');
            if (eq < 0) throw new ConfigException(n, "expected 'key = value', found '" + shorten(content) + "'");
            String key = content.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = content.substring(eq + 1).strip();
            if (!KEY.matcher(key).matches() || !KEYS.contains(key)) {
                throw new ConfigException(n, "unknown setting '" + shorten(key) + "'");
            }
            Integer earlier = seen.putIfAbsent(key, n);
            if (earlier != null) throw new ConfigException(n, key + " is already set on line " + earlier);
            values.put(key, value);
        }
        return build(values, seen);
    }

    private static ServerConfig build(Map<String, String> v, Map<String, Integer> lineOf) throws ConfigException {
        int version = ServerConfig.CURRENT_VERSION;
        if (v.containsKey("config_version")) {
            int n = lineOf.get("config_version");
            version = integer(v.get("config_version"), 1, Integer.MAX_VALUE, n, "config_version");
            if (version > ServerConfig.CURRENT_VERSION) {
                throw new ConfigException(n, "config_version " + version + " is newer than this Postern understands ("
                        + ServerConfig.CURRENT_VERSION + "); use a newer Postern");
            }
        }
        ServerConfig d = ServerConfig.defaults("localhost");
        String hostname = d.hostname();
        if (v.containsKey("hostname")) {
            hostname = v.get("hostname").toLowerCase(Locale.ROOT);
            if (!MailAddress.validDomain(hostname)) {
                throw new ConfigException(lineOf.get("hostname"), "hostname '" + shorten(hostname) + "' is not a valid host name");
            }
        }
        String listen = d.listenAddress();
        if (v.containsKey("listen_address")) {
            listen = v.get("listen_address");
            if (!IPV4.matcher(listen).matches() && !IPV6.matcher(listen).matches()) {
                throw new ConfigException(lineOf.get("listen_address"),
                        "listen_address must be an IP address such as 0.0.0.0, 127.0.0.1 or ::, not '" + shorten(listen) + "'");
            }
        }
        OptionalInt offset = OptionalInt.empty();
        if (v.containsKey("port_offset") && !v.get("port_offset").equalsIgnoreCase("auto")) {
            offset = OptionalInt.of(integer(v.get("port_offset"), 0, 65535, lineOf.get("port_offset"), "port_offset (or 'auto')"));
        }
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service s : Service.values()) {
            String k = s.configKey();
            if (v.containsKey(k)) ports.put(s, integer(v.get(k), 0, 65535, lineOf.get(k), k));
        }
        String cert = v.getOrDefault("tls_cert", "");
        String key = v.getOrDefault("tls_key", "");
        if (cert.isEmpty() != key.isEmpty()) {
            int n = lineOf.getOrDefault(cert.isEmpty() ? "tls_key" : "tls_cert", 0);
            throw new ConfigException(n, "tls_cert and tls_key must both be set, or both be empty for a self-signed certificate");
        }
        boolean plaintext = d.allowPlaintextAuth();
        if (v.containsKey("allow_plaintext_auth")) {
            plaintext = bool(v.get("allow_plaintext_auth"), lineOf.get("allow_plaintext_auth"), "allow_plaintext_auth");
        }
        long maxSize = d.maxMessageSize();
        if (v.containsKey("max_message_size")) maxSize = size(v.get("max_message_size"), lineOf.get("max_message_size"));
        Duration pregreet = d.smtpPregreetDelay();
        if (v.containsKey("smtp_pregreet_delay")) {
            pregreet = delay(v.get("smtp_pregreet_delay"), lineOf.get("smtp_pregreet_delay"));
        }
        String cost = choice(v, lineOf, "dev.argon2", List.of("default", "test"));
        String throttle = choice(v, lineOf, "dev.auth_throttle", List.of("default", "relaxed"));
        CertificateConfig certificates = CertificateConfig.parse(v, lineOf);
        if (certificates.acme() && !cert.isEmpty()) {
            throw new ConfigException(lineOf.get("acme"), "acme = on manages the certificate files itself (in acme/); "
                    + "leave tls_cert and tls_key empty, or set acme = off to use your own files");
        }
        List<String> admins = new java.util.ArrayList<>();
        for (String a : v.getOrDefault("admins", "").split("[,\\s]+")) {
            if (a.isEmpty()) continue;
            if (MailAddress.parse(a).isEmpty()) {
                throw new ConfigException(lineOf.get("admins"), "admins: '" + shorten(a) + "' is not a mail address");
            }
            admins.add(a.toLowerCase(Locale.ROOT));
        }
        boolean warmup = !v.containsKey("warmup") || bool(v.get("warmup"), lineOf.get("warmup"), "warmup");
        return new ServerConfig(version, hostname, listen, offset, ports, cert, key, plaintext, maxSize, pregreet, cost, throttle,
                OutboundConfig.parse(v, lineOf), store(v, lineOf), certificates, List.copyOf(admins), warmup);
    }

    private static StoreConfig store(Map<String, String> v, Map<String, Integer> lineOf) throws ConfigException {
        String url = StoreConfig.normalise(v.getOrDefault("store", StoreConfig.SQLITE));
        String passwordFile = v.getOrDefault("store_password_file", "");
        if (url.equals(StoreConfig.SQLITE) && !passwordFile.isEmpty()) {
            throw new ConfigException(lineOf.get("store_password_file"),
                    "store_password_file is only for a postgres:// store; remove it or set store = postgres://user@host:port/db");
        }
        if (url.isEmpty()) throw new ConfigException(lineOf.get("store"), "store must be sqlite or postgres://user@host:port/db");
        StoreConfig store;
        try {
            store = new StoreConfig(url, passwordFile);
        } catch (IllegalArgumentException e) {
            String why = e.getMessage().replaceAll("\\p{Cntrl}", "?");
            throw new ConfigException(lineOf.get("store"), "store must be sqlite or postgres://user@host:port/db: "
                    + (why.length() <= 200 ? why : why.substring(0, 197) + "..."));
        }
        try {
            store = store.withSearch(v.getOrDefault("search", StoreConfig.SEARCH_AUTO));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(lineOf.getOrDefault("search", lineOf.getOrDefault("store", 0)), e.getMessage());
        }
        StoreConfig.Blobs d = StoreConfig.Blobs.STORE;
        try {
            return store.withBlobs(new StoreConfig.Blobs(v.getOrDefault("blobs", d.kind()),
                    v.getOrDefault("s3_endpoint", d.endpoint()), v.getOrDefault("s3_region", d.region()),
                    v.getOrDefault("s3_bucket", d.bucket()), v.getOrDefault("s3_prefix", d.prefix()),
                    v.getOrDefault("s3_access_key", d.accessKey()), v.getOrDefault("s3_secret_key_file", d.secretKeyFile()),
                    v.getOrDefault("s3_path_style", d.pathStyle())));
        } catch (IllegalArgumentException e) {
            // The line of the first s3 key the message names, else of "blobs".
            Integer line = StoreConfig.BLOB_KEYS.stream().filter(k -> e.getMessage().startsWith(k))
                    .map(lineOf::get).filter(java.util.Objects::nonNull).findFirst().orElse(lineOf.getOrDefault("blobs", 0));
            throw new ConfigException(line, e.getMessage().replaceAll("\\p{Cntrl}", "?"));
        }
    }

    /** A '#' starts a comment at the start of a line or after whitespace, so paths like a#b survive. */
    private static String stripComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) return line.substring(0, i);
        }
        return line;
    }

    private static int integer(String value, int min, int max, int line, String what) throws ConfigException {
        try {
            int i = Integer.parseInt(value);
            if (i >= min && i <= max) return i;
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new ConfigException(line, what + " must be a number from " + min + " to " + max + ", not '" + shorten(value) + "'");
    }

    private static boolean bool(String value, int line, String what) throws ConfigException {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(line, what + " must be true or false, not '" + shorten(value) + "'");
        };
    }

    private static long size(String value, int line) throws ConfigException {
        var m = SIZE.matcher(value);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            long unit = switch (m.group(2).toUpperCase(Locale.ROOT)) {
                case "K" -> 1024L;
                case "M" -> 1024L * 1024;
                case "G" -> 1024L * 1024 * 1024;
                default -> 1L;
            };
            // 1 KiB .. 2 GiB: SMTP SIZE is a number the store and clients must handle as int-sized blobs.
            if (n <= Long.MAX_VALUE / unit && n * unit >= 1024 && n * unit <= 2L * 1024 * 1024 * 1024) return n * unit;
        }
        throw new ConfigException(line, "max_message_size must be a size from 1K to 2G such as 50M, not '" + shorten(value) + "'");
    }

    /** {@code 300ms}, {@code 2s} or {@code 0}; at most a minute, a greeting later than that loses real senders. */
    private static Duration delay(String value, int line) throws ConfigException {
        var m = DELAY.matcher(value.toLowerCase(Locale.ROOT));
        if (value.equals("0")) return Duration.ZERO;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
            if (d.compareTo(Duration.ofMinutes(1)) <= 0) return d;
        }
        throw new ConfigException(line, "smtp_pregreet_delay must be a duration up to 60s such as 300ms, 1s, or 0 for none, not '"
                + shorten(value) + "'");
    }

    private static String choice(Map<String, String> v, Map<String, Integer> lineOf, String key, List<String> allowed)
            throws ConfigException {
        if (!v.containsKey(key)) return allowed.get(0);
        String value = v.get(key).toLowerCase(Locale.ROOT);
        if (!allowed.contains(value)) {
            throw new ConfigException(lineOf.get(key), key + " must be one of " + String.join(", ", allowed) + ", not '" + shorten(value) + "'");
        }
        return value;
    }

    private static String shorten(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= 60 ? clean : clean.substring(0, 57) + "...";
    }
}
