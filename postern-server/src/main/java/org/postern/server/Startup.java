// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalInt;
import org.postern.auth.Passwords;
import org.postern.core.MailAddress;
import org.postern.net.SelfSignedCertificate;
import org.postern.server.cli.CliFailure;
import org.postern.server.config.ConfigException;
import org.postern.server.config.DataFolder;
import org.postern.server.config.HostNames;
import org.postern.server.config.PortPlan;
import org.postern.server.config.ServerConfig;
import org.postern.server.config.Service;
import org.postern.store.Directory;

/**
 * What {@code postern serve} does before it serves (DESIGN.md §6): on a fresh folder it creates the
 * folder, a self-signed certificate, the default domain and an admin account whose password it
 * prints once; on every start it reads postern.conf, picks the port offset, binds every port and
 * prints the port table.
 *
 * <p>postern.conf is written last on a first start, after every port is bound and the admin exists:
 * a first start that fails (port in use) leaves the folder still "fresh", so the next attempt is a
 * first start again and prints the admin password then.
 */
public final class Startup {
    public static final String ADMIN_LOCAL_PART = "admin";

    private Startup() {}

    public static PosternServer start(DataFolder folder, OptionalInt portOffset, PrintStream out)
            throws ConfigException, IOException, GeneralSecurityException {
        return start(folder, portOffset, out, null);
    }

    /** @param initial the configuration a fresh folder gets (tests: loopback, port 0); null for the defaults */
    static PosternServer start(DataFolder folder, OptionalInt portOffset, PrintStream out, ServerConfig initial)
            throws ConfigException, IOException, GeneralSecurityException {
        boolean fresh = !folder.hasConfig();
        ServerConfig config = !fresh ? folder.readConfig()
                : initial != null ? initial : ServerConfig.defaults(HostNames.detect());
        Files.createDirectories(folder.root());
        InetAddress listen = InetAddress.getByName(config.listenAddress());
        int offset = PortPlan.offset(portOffset, config.portOffset(), config.ports(), p -> PortPlan.mayBind(listen, p));
        ServerSettings settings;
        try {
            settings = ServerSettings.from(config, folder.root(), offset);
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage(e.getMessage());
        }
        boolean newCertificate = settings.selfSignedTls()
                && !(Files.exists(settings.tlsCert()) && Files.exists(settings.tlsKey()));
        if (!settings.selfSignedTls() && !settings.certificates().acme()) {
            for (var f : new java.nio.file.Path[] {settings.tlsCert(), settings.tlsKey()}) {
                if (!Files.isReadable(f)) throw CliFailure.failed("cannot read " + f + " (tls_cert / tls_key in postern.conf)");
            }
        }
        PosternServer server;
        try {
            server = PosternServer.start(settings);
        } catch (org.postern.net.PortInUseException e) {
            throw CliFailure.failed(e.getMessage());
        }
        try {
            if (settings.selfSignedTls()) {
                String fp = SelfSignedCertificate.fingerprint(server.tls().certificate());
                if (newCertificate) {
                    out.println("WARNING: created a self-signed TLS certificate for " + settings.hostname() + " in "
                            + settings.tlsCert().getParent() + ".");
                    out.println("  Mail clients will warn about it until you set tls_cert and tls_key in postern.conf.");
                    out.println("  Its SHA-256 fingerprint, to compare with what clients show:");
                    out.println("  " + fp);
                } else {
                    out.println("TLS: self-signed certificate, SHA-256 " + fp);
                }
            }
            if (settings.certificates().acme()) {
                out.println("TLS: certificates from " + settings.certificates().directory() + " (" + settings.certificates().challenge()
                        + "), kept in " + settings.tlsCert().getParent() + "; a self-signed placeholder serves until the first arrives.");
            }
            if (fresh) {
                firstStart(server, config, out);
                folder.writeConfig(config);
                out.println("Wrote " + folder.config() + " (every setting with its default; edit and restart to change).");
            }
            out.print(PortTable.render(config.listenAddress(), boundPorts(server)));
            out.flush();
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The default domain from the host name and an admin account on it, unless they already exist. */
    static void firstStart(PosternServer server, ServerConfig config, PrintStream out) {
        Directory dir = server.store().directory();
        String domain = MailAddress.validDomain(config.hostname()) ? config.hostname() : "localhost";
        if (!dir.isLocalDomain(domain)) {
            dir.addDomain(domain);
            out.println("Created the domain " + domain + " (add more with 'postern domain add DOMAIN').");
        }
        boolean hasAdmin = dir.accounts().stream().anyMatch(a -> a.admin());
        if (hasAdmin) return;
        String address = ADMIN_LOCAL_PART + "@" + domain;
        String password = Passwords.generate();
        dir.createAccount(address, new Passwords(server.settings().passwordCost()).record(password), true);
        out.println("Created the admin account " + address + " with the password:");
        out.println();
        out.println("    " + password);
        out.println();
        out.println("  It is shown only this once. Change it with 'postern account passwd " + address + "'.");
    }

    static Map<Service, Integer> boundPorts(PosternServer server) {
        Map<Service, Integer> m = new EnumMap<>(Service.class);
        for (Service s : Service.values()) m.put(s, server.port(s.key()));
        return m;
    }
}
