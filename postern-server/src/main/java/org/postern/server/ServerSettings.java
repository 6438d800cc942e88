// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.postern.auth.AuthThrottle;
import org.postern.auth.PasswordHasher;
import org.postern.net.NetLimits;
import org.postern.server.config.CertificateConfig;
import org.postern.server.config.DataFolder;
import org.postern.server.config.OutboundConfig;
import org.postern.server.config.PortPlan;
import org.postern.server.config.ServerConfig;
import org.postern.server.config.Service;
import org.postern.server.config.StoreConfig;

/**
 * Everything {@link PosternServer#start} needs, resolved: actual port numbers (offset applied; 0 for
 * any free port), absolute certificate paths. Tests build one directly; {@code serve} builds one from
 * postern.conf with {@link #from}.
 *
 * @param selfSignedTls the certificate files are Postern's own and are generated when missing
 * @param outbound relaying to other domains; off for in-process test servers unless a test turns it on
 * @param smtpPregreetDelay the MX port's wait for clients that talk before the greeting (zero: none)
 * @param store the embedded store in {@code dataDir} or a shared PostgreSQL (password file relative to {@code dataDir})
 * @param certificates the {@code acme*} settings; with ACME on, {@code tlsCert}/{@code tlsKey} are its files in
 *     DATA/acme/, holding a self-signed placeholder until the CA's certificate arrives
 * @param admins addresses allowed on the admin page besides accounts with the admin flag
 */
public record ServerSettings(Path dataDir, String hostname, InetAddress listenAddress, Map<Service, Integer> ports,
        Path tlsCert, Path tlsKey, boolean selfSignedTls, boolean allowPlaintextAuth, long maxMessageSize,
        PasswordHasher.Cost passwordCost, AuthThrottle.Policy authThrottle, NetLimits netLimits, OutboundConfig outbound,
        Duration smtpPregreetDelay, StoreConfig store, CertificateConfig certificates, List<String> admins) {

    public ServerSettings(Path dataDir, String hostname, InetAddress listenAddress, Map<Service, Integer> ports,
            Path tlsCert, Path tlsKey, boolean selfSignedTls, boolean allowPlaintextAuth, long maxMessageSize,
            PasswordHasher.Cost passwordCost, AuthThrottle.Policy authThrottle, NetLimits netLimits, OutboundConfig outbound,
            Duration smtpPregreetDelay, StoreConfig store) {
        this(dataDir, hostname, listenAddress, ports, tlsCert, tlsKey, selfSignedTls, allowPlaintextAuth, maxMessageSize,
                passwordCost, authThrottle, netLimits, outbound, smtpPregreetDelay, store, CertificateConfig.defaults(), List.of());
    }

    public ServerSettings {
        if (store == null) store = StoreConfig.sqlite();
        if (certificates == null) certificates = CertificateConfig.defaults();
        admins = admins == null ? List.of() : List.copyOf(admins);
        EnumMap<Service, Integer> p = new EnumMap<>(Service.class);
        p.putAll(ports);
        for (Service s : Service.values()) {
            if (!p.containsKey(s)) throw new IllegalArgumentException("no port for " + s.key());
        }
        ports = Collections.unmodifiableMap(p);
    }

    public static ServerSettings from(ServerConfig c, Path dataDir, int portOffset) throws UnknownHostException {
        DataFolder folder = new DataFolder(dataDir);
        boolean acme = c.certificates().acme();
        boolean selfSigned = c.tlsCert().isEmpty() && !acme;
        return new ServerSettings(folder.root(), c.hostname(),
                // An IP literal (the parser allows nothing else), so no DNS look-up happens here.
                InetAddress.getByName(c.listenAddress()),
                PortPlan.apply(c.ports(), portOffset),
                acme ? acmeCertificate(folder.root()) : selfSigned ? folder.selfSignedCertificate() : folder.resolve(c.tlsCert()),
                acme ? acmeKey(folder.root()) : selfSigned ? folder.selfSignedKey() : folder.resolve(c.tlsKey()),
                selfSigned, c.allowPlaintextAuth(), c.maxMessageSize(), passwordCost(c.passwordCost()),
                c.authThrottle().equals("relaxed") ? AuthThrottle.Policy.RELAXED : AuthThrottle.Policy.DEFAULT,
                NetLimits.DEFAULT, c.outbound(), c.smtpPregreetDelay(), c.store(), c.certificates(), c.admins());
    }

    /** Where ACME keeps the certificate chain the listeners serve. */
    public static Path acmeCertificate(Path dataDir) {
        return dataDir.resolve("acme").resolve("cert.pem");
    }

    public static Path acmeKey(Path dataDir) {
        return dataDir.resolve("acme").resolve("key.pem");
    }

    /** Settings for an in-process test server: loopback, every port chosen by the OS, cheap hashing. */
    public static ServerSettings forTests(Path dataDir) {
        DataFolder folder = new DataFolder(dataDir);
        EnumMap<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service s : Service.values()) ports.put(s, 0);
        return new ServerSettings(folder.root(), "localhost", InetAddress.getLoopbackAddress(), ports,
                folder.selfSignedCertificate(), folder.selfSignedKey(), true, false, ServerConfig.DEFAULT_MAX_MESSAGE_SIZE,
                PasswordHasher.Cost.TEST, AuthThrottle.Policy.RELAXED,
                new NetLimits(10_000, 1_000, Duration.ofSeconds(30), Duration.ofMinutes(5)),
                OutboundConfig.defaults().withRelay(false), ServerConfig.DEFAULT_PREGREET_DELAY, StoreConfig.sqlite());
    }

    public static PasswordHasher.Cost passwordCost(String configValue) {
        return configValue.equals("test") ? PasswordHasher.Cost.TEST : PasswordHasher.Cost.DEFAULT;
    }

    public int port(Service s) {
        return ports.get(s);
    }

    public ServerSettings withPorts(Map<Service, Integer> newPorts) {
        EnumMap<Service, Integer> p = new EnumMap<>(ports);
        p.putAll(newPorts);
        return new ServerSettings(dataDir, hostname, listenAddress, p, tlsCert, tlsKey, selfSignedTls, allowPlaintextAuth,
                maxMessageSize, passwordCost, authThrottle, netLimits, outbound, smtpPregreetDelay, store, certificates, admins);
    }

    public ServerSettings withAllowPlaintextAuth(boolean allow) {
        return new ServerSettings(dataDir, hostname, listenAddress, ports, tlsCert, tlsKey, selfSignedTls, allow,
                maxMessageSize, passwordCost, authThrottle, netLimits, outbound, smtpPregreetDelay, store, certificates, admins);
    }

    public ServerSettings withMaxMessageSize(long bytes) {
        return new ServerSettings(dataDir, hostname, listenAddress, ports, tlsCert, tlsKey, selfSignedTls,
                allowPlaintextAuth, bytes, passwordCost, authThrottle, netLimits, outbound, smtpPregreetDelay, store, certificates, admins);
    }

    public ServerSettings withHostname(String name) {
        return new ServerSettings(dataDir, name, listenAddress, ports, tlsCert, tlsKey, selfSignedTls,
                allowPlaintextAuth, maxMessageSize, passwordCost, authThrottle, netLimits, outbound, smtpPregreetDelay, store, certificates, admins);
    }

    public ServerSettings withAuthThrottle(AuthThrottle.Policy policy) {
        return new ServerSettings(dataDir, hostname, listenAddress, ports, tlsCert, tlsKey, selfSignedTls,
                allowPlaintextAuth, maxMessageSize, passwordCost, policy, netLimits, outbound, smtpPregreetDelay, store, certificates, admins);
    }

    public ServerSettings withOutbound(OutboundConfig o) {
        return new ServerSettings(dataDir, hostname, listenAddress, ports, tlsCert, tlsKey, selfSignedTls,
                allowPlaintextAuth, maxMessageSize, passwordCost, authThrottle, netLimits, o, smtpPregreetDelay, store, certificates, admins);
    }

    public ServerSettings withSmtpPregreetDelay(Duration d) {
        return new ServerSettings(dataDir, hostname, listenAddress, ports, tlsCert, tlsKey, selfSignedTls,
                allowPlaintextAuth, maxMessageSize, passwordCost, authThrottle, netLimits, outbound, d, store, certificates, admins);
    }

    /** On another store, e.g. a shared PostgreSQL for several nodes. */
    public ServerSettings withStore(StoreConfig s) {
        return new ServerSettings(dataDir, hostname, listenAddress, ports, tlsCert, tlsKey, selfSignedTls,
                allowPlaintextAuth, maxMessageSize, passwordCost, authThrottle, netLimits, outbound, smtpPregreetDelay, s, certificates, admins);
    }

    public ServerSettings withCertificates(CertificateConfig c) {
        return new ServerSettings(dataDir, hostname, listenAddress, ports, tlsCert, tlsKey, selfSignedTls, allowPlaintextAuth,
                maxMessageSize, passwordCost, authThrottle, netLimits, outbound, smtpPregreetDelay, store, c, admins);
    }

    /** ACME on, with its files in DATA/acme/ instead of the self-signed ones. */
    public ServerSettings withAcme(CertificateConfig c) {
        return new ServerSettings(dataDir, hostname, listenAddress, ports, acmeCertificate(dataDir), acmeKey(dataDir), false,
                allowPlaintextAuth, maxMessageSize, passwordCost, authThrottle, netLimits, outbound, smtpPregreetDelay, store, c, admins);
    }

    public ServerSettings withAdmins(List<String> a) {
        return new ServerSettings(dataDir, hostname, listenAddress, ports, tlsCert, tlsKey, selfSignedTls, allowPlaintextAuth,
                maxMessageSize, passwordCost, authThrottle, netLimits, outbound, smtpPregreetDelay, store, certificates, a);
    }
}
