// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The settings of postern.conf, validated. Paths are as written (relative ones are relative to the
 * data folder). {@code portOffset} is empty for "auto": 0 when the process may bind ports below 1024,
 * else 10000 (DESIGN.md §1).
 *
 * @param configVersion the file format version; see {@link #CURRENT_VERSION}
 * @param tlsCert empty: use the self-signed certificate in DATA/tls/
 * @param passwordCost "default" (Argon2id at OWASP's cost) or "test" (cheap, for test suites only)
 * @param authThrottle "default" or "relaxed" (test suites that fail logins on purpose)
 * @param smtpPregreetDelay how long the MX port waits for clients that talk before the greeting
 *     (HOSTILE A14, like Postfix postscreen's greet wait); zero turns the wait off
 * @param outbound the {@code outbound.*} settings: relaying mail to other domains
 * @param store {@code store} and {@code store_password_file}: the embedded store or a shared PostgreSQL
 * @param certificates the {@code acme*} settings
 * @param admins {@code admins}: addresses that may use the admin page, besides accounts with the admin flag
 * @param warmup {@code warmup}: {@code serve} exercises its code paths on a throwaway store after start-up, so the
 *     first big requests of real sessions find them compiled (in-process test servers never warm up)
 */
public record ServerConfig(int configVersion, String hostname, String listenAddress, OptionalInt portOffset,
        Map<Service, Integer> ports, String tlsCert, String tlsKey, boolean allowPlaintextAuth, long maxMessageSize,
        Duration smtpPregreetDelay, String passwordCost, String authThrottle, OutboundConfig outbound,
        StoreConfig store, CertificateConfig certificates, List<String> admins, boolean warmup) {

    /** The newest config format this code understands; a newer file is refused, never guessed at. */
    public static final int CURRENT_VERSION = 1;
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 50L * 1024 * 1024;
    public static final Duration DEFAULT_PREGREET_DELAY = Duration.ofMillis(300);

    public ServerConfig {
        EnumMap<Service, Integer> p = new EnumMap<>(Service.class);
        for (Service s : Service.values()) p.put(s, s.standardPort());
        p.putAll(ports);
        ports = Collections.unmodifiableMap(p);
        if (store == null) store = StoreConfig.sqlite();
        if (certificates == null) certificates = CertificateConfig.defaults();
        admins = admins == null ? List.of() : List.copyOf(admins);
    }

    public ServerConfig(int configVersion, String hostname, String listenAddress, OptionalInt portOffset,
            Map<Service, Integer> ports, String tlsCert, String tlsKey, boolean allowPlaintextAuth, long maxMessageSize,
            Duration smtpPregreetDelay, String passwordCost, String authThrottle, OutboundConfig outbound,
            StoreConfig store, CertificateConfig certificates, List<String> admins) {
        this(configVersion, hostname, listenAddress, portOffset, ports, tlsCert, tlsKey, allowPlaintextAuth, maxMessageSize,
                smtpPregreetDelay, passwordCost, authThrottle, outbound, store, certificates, admins, true);
    }

    public ServerConfig(int configVersion, String hostname, String listenAddress, OptionalInt portOffset,
            Map<Service, Integer> ports, String tlsCert, String tlsKey, boolean allowPlaintextAuth, long maxMessageSize,
            Duration smtpPregreetDelay, String passwordCost, String authThrottle, OutboundConfig outbound,
            StoreConfig store) {
        this(configVersion, hostname, listenAddress, portOffset, ports, tlsCert, tlsKey, allowPlaintextAuth, maxMessageSize,
                smtpPregreetDelay, passwordCost, authThrottle, outbound, store, CertificateConfig.defaults(), List.of());
    }

    public static ServerConfig defaults(String hostname) {
        return new ServerConfig(CURRENT_VERSION, hostname, "0.0.0.0", OptionalInt.empty(), Map.of(), "", "", false,
                DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_PREGREET_DELAY, "default", "default", OutboundConfig.defaults(),
                StoreConfig.sqlite(), CertificateConfig.defaults(), List.of(), true);
    }

    public int port(Service s) {
        return ports.get(s);
    }

    public ServerConfig withListenAddress(String address) {
        return new ServerConfig(configVersion, hostname, address, portOffset, ports, tlsCert, tlsKey,
                allowPlaintextAuth, maxMessageSize, smtpPregreetDelay, passwordCost, authThrottle, outbound, store, certificates, admins, warmup);
    }

    public ServerConfig withPorts(Map<Service, Integer> newPorts) {
        EnumMap<Service, Integer> p = new EnumMap<>(ports);
        p.putAll(newPorts);
        return new ServerConfig(configVersion, hostname, listenAddress, portOffset, p, tlsCert, tlsKey,
                allowPlaintextAuth, maxMessageSize, smtpPregreetDelay, passwordCost, authThrottle, outbound, store, certificates, admins, warmup);
    }

    public ServerConfig withPortOffset(OptionalInt offset) {
        return new ServerConfig(configVersion, hostname, listenAddress, offset, ports, tlsCert, tlsKey,
                allowPlaintextAuth, maxMessageSize, smtpPregreetDelay, passwordCost, authThrottle, outbound, store, certificates, admins, warmup);
    }

    public ServerConfig withDev(String passwordCost, String authThrottle) {
        return new ServerConfig(configVersion, hostname, listenAddress, portOffset, ports, tlsCert, tlsKey,
                allowPlaintextAuth, maxMessageSize, smtpPregreetDelay, passwordCost, authThrottle, outbound, store, certificates, admins, warmup);
    }

    public ServerConfig withOutbound(OutboundConfig o) {
        return new ServerConfig(configVersion, hostname, listenAddress, portOffset, ports, tlsCert, tlsKey,
                allowPlaintextAuth, maxMessageSize, smtpPregreetDelay, passwordCost, authThrottle, o, store, certificates, admins, warmup);
    }

    public ServerConfig withSmtpPregreetDelay(Duration d) {
        return new ServerConfig(configVersion, hostname, listenAddress, portOffset, ports, tlsCert, tlsKey,
                allowPlaintextAuth, maxMessageSize, d, passwordCost, authThrottle, outbound, store, certificates, admins, warmup);
    }

    public ServerConfig withStore(StoreConfig s) {
        return new ServerConfig(configVersion, hostname, listenAddress, portOffset, ports, tlsCert, tlsKey,
                allowPlaintextAuth, maxMessageSize, smtpPregreetDelay, passwordCost, authThrottle, outbound, s, certificates, admins, warmup);
    }

    public ServerConfig withCertificates(CertificateConfig c) {
        return new ServerConfig(configVersion, hostname, listenAddress, portOffset, ports, tlsCert, tlsKey,
                allowPlaintextAuth, maxMessageSize, smtpPregreetDelay, passwordCost, authThrottle, outbound, store, c, admins, warmup);
    }

    public ServerConfig withAdmins(List<String> a) {
        return new ServerConfig(configVersion, hostname, listenAddress, portOffset, ports, tlsCert, tlsKey,
                allowPlaintextAuth, maxMessageSize, smtpPregreetDelay, passwordCost, authThrottle, outbound, store, certificates, a, warmup);
    }

    public ServerConfig withWarmup(boolean on) {
        return new ServerConfig(configVersion, hostname, listenAddress, portOffset, ports, tlsCert, tlsKey,
                allowPlaintextAuth, maxMessageSize, smtpPregreetDelay, passwordCost, authThrottle, outbound, store, certificates, admins, on);
    }
}
