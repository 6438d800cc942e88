// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.postern.server.cli.PortProbe.Finding;
import org.postern.server.cli.PortProbe.Level;

/**
 * What clients will think of a certificate chain: expired or about to (warned {@link #WARN_BEFORE}
 * ahead), whether it covers the host name they connect to (RFC 6125 §6.4: subjectAltName dNSName,
 * a wildcard standing for exactly one left-most label), and whether it leads to a CA the JDK trusts.
 */
final class CertificateReport {
    static final Duration WARN_BEFORE = Duration.ofDays(14);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private CertificateReport() {}

    static List<Finding> check(List<X509Certificate> chain, String name, Instant now) {
        return check(chain, name, List.of(), now, Optional.empty());
    }

    /**
     * @param otherNames further names clients reach this server by over HTTPS (autoconfig.D, mta-sts.D),
     *     whose absence is a warning: mail works, automatic set-up and MTA-STS policy fetches do not
     * @param acme present when the server gets its certificate from ACME: the advice is about the
     *     renewal, not about replacing files
     */
    static List<Finding> check(List<X509Certificate> chain, String name, List<String> otherNames, Instant now,
            Optional<Doctor.Acme> acme) {
        List<Finding> out = new ArrayList<>();
        if (chain.isEmpty()) return out;
        X509Certificate leaf = chain.get(0);
        Instant notAfter = leaf.getNotAfter().toInstant();
        Instant notBefore = leaf.getNotBefore().toInstant();
        String renew = acme.isPresent() ? "Postern renews it by ACME itself, so renewal has been failing: " + acmeAdvice(acme.get())
                : "get a new one (replace the files named by tls_cert/tls_key; Postern reloads them without a restart,"
                + " or empty both settings for a fresh self-signed certificate)";
        if (now.isAfter(notAfter)) {
            out.add(new Finding(Level.FAIL, "the certificate expired on " + DAY.format(notAfter) + ": clients refuse it; " + renew));
        } else if (now.isBefore(notBefore)) {
            out.add(new Finding(Level.FAIL, "the certificate is not valid before " + DAY.format(notBefore)
                    + ": check this machine's clock (`timedatectl`)"));
        } else if (Duration.between(now, notAfter).compareTo(WARN_BEFORE) < 0) {
            out.add(new Finding(Level.WARN, "the certificate expires on " + DAY.format(notAfter) + ", in "
                    + Duration.between(now, notAfter).toDays() + " days: " + renew));
        } else {
            out.add(new Finding(Level.OK, "valid until " + DAY.format(notAfter)));
        }
        List<String> names = names(leaf);
        if (covers(names, name)) {
            out.add(new Finding(Level.OK, "covers " + name));
        } else {
            out.add(new Finding(Level.FAIL, "the certificate is for " + (names.isEmpty() ? "no name" : String.join(", ", names))
                    + " but clients connect to " + name + ": they will refuse it; " + (acme.isPresent()
                            ? addNames(acme.get(), List.of(name))
                            : "get a certificate for " + name + " or set hostname in postern.conf to a name it covers")));
        }
        List<String> covered = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String n : otherNames) {
            if (n.equalsIgnoreCase(name)) continue;
            (covers(names, n) ? covered : missing).add(n);
        }
        if (!covered.isEmpty()) out.add(new Finding(Level.OK, "covers " + String.join(", ", covered)));
        if (!missing.isEmpty()) out.add(new Finding(Level.WARN, missingNames(missing, acme)));
        boolean selfSigned = chain.size() == 1 && leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal());
        if (trusted(chain)) {
            out.add(new Finding(Level.OK, "issued by a trusted CA: " + leaf.getIssuerX500Principal().getName()));
        } else if (selfSigned && acme.isPresent()) {
            out.add(new Finding(Level.WARN, "the certificate is still the self-signed placeholder Postern serves until the ACME CA"
                    + " issues one; " + acmeAdvice(acme.get())));
        } else if (selfSigned) {
            out.add(new Finding(Level.WARN, "the certificate is self-signed: mail clients show a warning and other servers"
                    + " that enforce MTA-STS refuse it; get one from a CA (e.g. Let's Encrypt) and set tls_cert/tls_key,"
                    + " or let Postern get one itself with acme = on"));
        } else {
            out.add(new Finding(Level.FAIL, "the chain does not lead to a trusted CA (issuer "
                    + leaf.getIssuerX500Principal().getName() + "): put the intermediate certificates into the tls_cert file"
                    + " after the server's own (the 'fullchain' file of Let's Encrypt)"));
        }
        return out;
    }

    /** Which names are missing and what breaks without them, in the words of a support article. */
    static String missingNames(List<String> missing, Optional<Doctor.Acme> acme) {
        StringBuilder b = new StringBuilder("the certificate does not cover ").append(String.join(", ", missing)).append(": ");
        List<String> effects = new ArrayList<>();
        for (String n : missing) {
            if (n.startsWith("autoconfig.")) {
                effects.add("Thunderbird and other apps cannot fetch their settings from https://" + n + "/");
            } else if (n.startsWith("mta-sts.")) {
                effects.add("mail servers that check MTA-STS cannot fetch the policy from https://" + n + "/");
            }
        }
        b.append(effects.isEmpty() ? "clients that use these names refuse the connection" : String.join("; ", effects));
        b.append(" (mail itself still works). Fix: ");
        if (acme.isPresent()) {
            b.append(addNames(acme.get(), missing));
        } else {
            b.append("get a certificate that also names them (with certbot: `certbot certonly -d ").append(String.join(" -d ", missing))
                    .append(" ...` listing the host name too) and point tls_cert/tls_key at it, or set acme = on and Postern"
                            + " asks for every name itself; each name needs a DNS record pointing at this server (see `postern dns`)");
        }
        return b.toString();
    }

    /** How to get names into an ACME certificate. */
    private static String addNames(Doctor.Acme acme, List<String> names) {
        String how = acme.configuredNames().isEmpty()
                ? "Postern asks the CA for the host name and autoconfig./mta-sts. of every domain, so they come with the next renewal"
                : "add " + String.join(", ", names) + " to acme_names in postern.conf (or empty acme_names to get the host name and"
                        + " autoconfig./mta-sts. of every domain) and restart";
        return how + "; each name needs a DNS A/AAAA record pointing at this server for the CA to validate it. " + acmeAdvice(acme);
    }

    /** Where ACME renewals usually fail: the CA cannot reach the challenge port; and the last error, if any. */
    static String acmeAdvice(Doctor.Acme acme) {
        String port = acme.challenge().equals("tls-alpn-01") ? "443 (acme_challenge = tls-alpn-01)" : "80 (acme_challenge = http-01)";
        String s = "the CA must reach port " + port + " of each name from the internet: open it in the firewall and forward it"
                + " to this server";
        return acme.lastError().map(f -> s + "; the last attempt, at " + DAY.format(f.at()) + ", failed: " + f.message())
                .orElse(s + "; look for 'ACME:' lines in the log");
    }

    static List<String> names(X509Certificate c) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = c.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    if (type == 2 || type == 7) out.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT)); // dNSName, iPAddress
                }
            }
        } catch (CertificateParsingException e) {
            return out;
        }
        return out;
    }

    /** RFC 6125 §6.4.3: "*" only as the whole left-most label, matching exactly one label. */
    static boolean covers(List<String> names, String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        boolean ip = h.matches("[0-9.]+") || h.contains(":");
        for (String n : names) {
            if (ip) {
                if (sameAddress(n, h)) return true;
                continue;
            }
            if (n.equals(h)) return true;
            if (n.startsWith("*.") && h.indexOf('.') > 0 && h.substring(h.indexOf('.') + 1).equals(n.substring(2))) return true;
        }
        return false;
    }

    private static boolean sameAddress(String a, String b) {
        try {
            if (!a.matches("[0-9a-fA-F:.]+")) return false;
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static boolean trusted(List<X509Certificate> chain) {
        try {
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init((KeyStore) null);
            for (var tm : f.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    String auth = switch (chain.get(0).getPublicKey().getAlgorithm()) {
                        case "RSA" -> "ECDHE_RSA";
                        case "EC" -> "ECDHE_ECDSA";
                        default -> "UNKNOWN";
                    };
                    x.checkServerTrusted(chain.toArray(X509Certificate[]::new), auth);
                    return true;
                }
            }
            return false;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
