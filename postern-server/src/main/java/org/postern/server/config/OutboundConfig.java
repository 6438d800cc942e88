// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code outbound.*} settings of postern.conf: how mail for other domains leaves the queue.
 * Values only; {@code org.postern.server.OutboundRelay} turns them into a running queue runner.
 *
 * @param relay false keeps outbound mail queued without sending it (a receive-only node, or tests)
 * @param dnsServer "" for the first nameserver of /etc/resolv.conf, else {@code IP} or {@code IP:port}
 * @param port the remote MX port (RFC 5321 §4.5.4.1 says 25; tests point it elsewhere)
 * @param heloName "" for the server's hostname
 * @param tls "may" (opportunistic STARTTLS, RFC 3207 §4.1) or "none"
 * @param maxQueueAge how long delivery is retried before the mail is returned (RFC 5321 §4.5.4.1: 4-5 days)
 * @param delayWarning when the sender is told mail is still waiting; zero for never
 * @param smarthost the relay that takes all outbound mail, or {@link SmarthostConfig#none()}
 */
public record OutboundConfig(boolean relay, String dnsServer, int port, String heloName, String tls,
        Duration maxQueueAge, Duration delayWarning, Duration minBackoff, Duration maxBackoff, Duration pollInterval,
        int maxConcurrent, int maxPerDestination, SmarthostConfig smarthost) {

    static final String PREFIX = "outbound.";
    /** The keys after {@link #PREFIX}, in the order {@link #render} writes them. */
    static final List<String> KEYS = List.of("relay", "dns_server", "port", "helo_name", "tls", "max_queue_age",
            "delay_warning", "min_backoff", "max_backoff", "poll_interval", "max_concurrent", "max_per_destination",
            "smarthost", "smarthost_tls", "smarthost_tls_verify", "smarthost_user", "smarthost_password_file");
    /** relay.example.net, relay.example.net:2525, 192.0.2.7:465, [2001:db8::7]:587. */
    private static final Pattern RELAY = Pattern.compile("(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9.-]+)(:(\\d{1,5}))?");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)");
    /** 192.0.2.1, 192.0.2.1:5353, 2001:db8::1, [2001:db8::1]:5353: IP literals only, so no look-up is needed to find DNS. */
    private static final Pattern SERVER = Pattern.compile(
            "[0-9]{1,3}(\\.[0-9]{1,3}){3}(:\\d{1,5})?|\\[[0-9a-fA-F:.]+](:\\d{1,5})?|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    public static OutboundConfig defaults() {
        return new OutboundConfig(true, "", 25, "", "may", Duration.ofDays(5), Duration.ofHours(4), Duration.ofMinutes(5),
                Duration.ofHours(1), Duration.ofSeconds(5), 50, 10, SmarthostConfig.none());
    }

    public OutboundConfig withRelay(boolean on) {
        return new OutboundConfig(on, dnsServer, port, heloName, tls, maxQueueAge, delayWarning, minBackoff, maxBackoff,
                pollInterval, maxConcurrent, maxPerDestination, smarthost);
    }

    public OutboundConfig withSmarthost(SmarthostConfig s) {
        return new OutboundConfig(relay, dnsServer, port, heloName, tls, maxQueueAge, delayWarning, minBackoff, maxBackoff,
                pollInterval, maxConcurrent, maxPerDestination, s);
    }

    /** Relays through {@code dns} (IP:port) to {@code port}, retrying fast: for tests with a fake DNS and MX. */
    public OutboundConfig forTests(String dns, int mxPort) {
        return new OutboundConfig(true, dns, mxPort, heloName, tls, maxQueueAge, delayWarning, Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofMillis(100), maxConcurrent, maxPerDestination, smarthost);
    }

    /** Reads the {@code outbound.*} entries of {@code values}; {@code lineOf} names lines in errors. */
    static OutboundConfig parse(Map<String, String> values, Map<String, Integer> lineOf) throws ConfigException {
        OutboundConfig d = defaults();
        var r = new Object() {
            String get(String k) {
                return values.get(PREFIX + k);
            }

            int line(String k) {
                return lineOf.getOrDefault(PREFIX + k, 0);
            }

            Duration duration(String k, Duration dflt) throws ConfigException {
                String s = get(k);
                if (s == null) return dflt;
                s = s.toLowerCase(Locale.ROOT);
                if (s.equals("0")) return Duration.ZERO;
                Matcher m = DURATION.matcher(s);
                if (!m.matches()) throw new ConfigException(line(k), PREFIX + k + " must be a duration such as 30s, 5m, 4h or 5d, not '" + s + "'");
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }

            int integer(String k, int dflt, int min, int max) throws ConfigException {
                String s = get(k);
                if (s == null) return dflt;
                try {
                    int i = Integer.parseInt(s);
                    if (i >= min && i <= max) return i;
                } catch (NumberFormatException e) {
                    // fall through to the message
                }
                throw new ConfigException(line(k), PREFIX + k + " must be a number from " + min + " to " + max + ", not '" + s + "'");
            }
        };
        boolean relay = d.relay();
        if (r.get("relay") != null) {
            relay = switch (r.get("relay").toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> true;
                case "false", "no", "off" -> false;
                default -> throw new ConfigException(r.line("relay"), "outbound.relay must be true or false");
            };
        }
        String dns = r.get("dns_server") == null ? "" : r.get("dns_server");
        if (!dns.isEmpty() && !SERVER.matcher(dns).matches()) {
            throw new ConfigException(r.line("dns_server"), "outbound.dns_server must be an IP address with an optional :port, or empty");
        }
        String helo = r.get("helo_name") == null ? "" : r.get("helo_name").toLowerCase(Locale.ROOT);
        if (!helo.isEmpty() && !org.postern.core.MailAddress.validDomain(helo)) {
            throw new ConfigException(r.line("helo_name"), "outbound.helo_name must be a host name, or empty");
        }
        String tls = r.get("tls") == null ? d.tls() : r.get("tls").toLowerCase(Locale.ROOT);
        if (!tls.equals("may") && !tls.equals("none")) throw new ConfigException(r.line("tls"), "outbound.tls must be may or none");
        Duration min = r.duration("min_backoff", d.minBackoff());
        Duration max = r.duration("max_backoff", d.maxBackoff());
        if (max.compareTo(min) < 0) throw new ConfigException(r.line("max_backoff"), "outbound.max_backoff must not be shorter than outbound.min_backoff");
        return new OutboundConfig(relay, dns, r.integer("port", d.port(), 1, 65535), helo, tls,
                r.duration("max_queue_age", d.maxQueueAge()), r.duration("delay_warning", d.delayWarning()), min, max,
                r.duration("poll_interval", d.pollInterval()), r.integer("max_concurrent", d.maxConcurrent(), 1, 10_000),
                r.integer("max_per_destination", d.maxPerDestination(), 1, 1_000), smarthost(values, lineOf));
    }

    private static SmarthostConfig smarthost(Map<String, String> values, Map<String, Integer> lineOf) throws ConfigException {
        SmarthostConfig d = SmarthostConfig.none();
        String address = values.getOrDefault(PREFIX + "smarthost", "");
        String tls = values.getOrDefault(PREFIX + "smarthost_tls", d.tls()).toLowerCase(Locale.ROOT);
        if (tls.isEmpty()) tls = d.tls();
        String verify = values.getOrDefault(PREFIX + "smarthost_tls_verify", "yes").toLowerCase(Locale.ROOT);
        String user = values.getOrDefault(PREFIX + "smarthost_user", "");
        String file = values.getOrDefault(PREFIX + "smarthost_password_file", "");
        if (!tls.equals("starttls") && !tls.equals("implicit")) {
            throw new ConfigException(lineOf.getOrDefault(PREFIX + "smarthost_tls", 0),
                    "outbound.smarthost_tls must be starttls (port 587) or implicit (port 465); plaintext is not offered");
        }
        boolean verifyTls = switch (verify) {
            case "true", "yes", "on", "" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(lineOf.getOrDefault(PREFIX + "smarthost_tls_verify", 0),
                    "outbound.smarthost_tls_verify must be yes or no");
        };
        if (address.isEmpty()) {
            if (!user.isEmpty() || !file.isEmpty()) {
                throw new ConfigException(lineOf.getOrDefault(PREFIX + (user.isEmpty() ? "smarthost_password_file" : "smarthost_user"), 0),
                        "outbound.smarthost_user and outbound.smarthost_password_file need outbound.smarthost");
            }
            return new SmarthostConfig("", d.port(), tls, "", "", verifyTls);
        }
        int line = lineOf.getOrDefault(PREFIX + "smarthost", 0);
        Matcher m = RELAY.matcher(address);
        String host = m.matches() ? m.group(1) : "";
        if (host.startsWith("[")) host = host.substring(1, host.length() - 1);
        else if (!host.isEmpty() && !org.postern.core.MailAddress.validDomain(host.toLowerCase(Locale.ROOT))
                && !host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) host = "";
        if (host.isEmpty()) {
            throw new ConfigException(line, "outbound.smarthost must be host or host:port (such as smtp.example.net:587), not '"
                    + address.replaceAll("\\p{Cntrl}", "?") + "'");
        }
        int port = tls.equals("implicit") ? SmarthostConfig.SUBMISSIONS_PORT : SmarthostConfig.SUBMISSION_PORT;
        if (m.group(3) != null) {
            port = Integer.parseInt(m.group(3));
            if (port < 1 || port > 65535) throw new ConfigException(line, "outbound.smarthost port must be from 1 to 65535");
        }
        if (user.isEmpty() != file.isEmpty()) {
            throw new ConfigException(lineOf.getOrDefault(PREFIX + (user.isEmpty() ? "smarthost_password_file" : "smarthost_user"), 0),
                    "outbound.smarthost_user and outbound.smarthost_password_file must both be set, or both be empty");
        }
        return new SmarthostConfig(host.toLowerCase(Locale.ROOT), port, tls, user, file, verifyTls);
    }

    void render(StringBuilder b) {
        b.append("""

                # Outbound delivery: mail for other domains waits in the queue until the receiving
                # server accepts it. relay = false keeps it queued without sending (a receive-only node).
                # dns_server: empty for this machine's resolver (/etc/resolv.conf), or IP[:port].
                # helo_name: empty for the hostname above. tls: may (STARTTLS when offered) or none.
                # Retries back off from min_backoff to max_backoff; after max_queue_age the mail is
                # returned to its sender, who is warned after delay_warning (0 for never).
                """);
        kv(b, "relay", Boolean.toString(relay));
        kv(b, "dns_server", dnsServer);
        kv(b, "port", Integer.toString(port));
        kv(b, "helo_name", heloName);
        kv(b, "tls", tls);
        kv(b, "max_queue_age", duration(maxQueueAge));
        kv(b, "delay_warning", duration(delayWarning));
        kv(b, "min_backoff", duration(minBackoff));
        kv(b, "max_backoff", duration(maxBackoff));
        kv(b, "poll_interval", duration(pollInterval));
        kv(b, "max_concurrent", Integer.toString(maxConcurrent));
        kv(b, "max_per_destination", Integer.toString(maxPerDestination));
        b.append("""

                # Smarthost: send ALL outbound mail through this relay instead of each domain's MX hosts,
                # for networks that block outbound port 25. host or host:port (default port 587 with
                # starttls, 465 with implicit). TLS is always required and the relay's certificate is
                # verified; smarthost_tls_verify = no accepts any certificate (self-signed test relays).
                # smarthost_password_file: a file holding only the password (relative to this folder),
                # so this file holds no secret; user and password are sent only inside TLS.
                """);
        kv(b, "smarthost", smarthost.address());
        kv(b, "smarthost_tls", smarthost.tls());
        kv(b, "smarthost_tls_verify", smarthost.verifyTls() ? "yes" : "no");
        kv(b, "smarthost_user", smarthost.user());
        kv(b, "smarthost_password_file", smarthost.passwordFile());
    }

    private static void kv(StringBuilder b, String key, String value) {
        b.append(PREFIX).append(key).append(" = ").append(value).append('\n');
    }

    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) return "0";
        if (ms % 86_400_000 == 0) return ms / 86_400_000 + "d";
        if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0) return ms / 1000 + "s";
        return ms + "ms";
    }
}
