// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.postern.core.MailAddress;

/**
 * Picks the host name a fresh install uses for its greetings, certificate and default domain. A name
 * without a dot ("myhost") cannot be a mail domain anyone else can reach, so it becomes "localhost",
 * which at least works on this machine (DESIGN.md §7).
 */
public final class HostNames {
    private HostNames() {}

    public static String detect() {
        String name = null;
        try {
            name = InetAddress.getLocalHost().getCanonicalHostName();
        } catch (IOException | SecurityException e) {
            // try the command below
        }
        if (!usable(name)) name = hostnameCommand();
        return usable(name) ? name.toLowerCase(Locale.ROOT) : "localhost";
    }

    /** A dotted DNS name that is not an IP address literal. */
    public static boolean usable(String name) {
        if (name == null || name.isBlank()) return false;
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (!n.contains(".") || n.endsWith(".localdomain") || n.equals("localhost.localdomain")) return false;
        if (n.matches("[0-9.]+") || n.contains(":")) return false;
        return MailAddress.validDomain(n);
    }

    private static String hostnameCommand() {
        try {
            Process p = new ProcessBuilder("hostname", "-f").redirectErrorStream(true).start();
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String out = new String(p.getInputStream().readNBytes(300), StandardCharsets.US_ASCII).strip();
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
