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
        List<Finding> out = new ArrayList<>();
        if (chain.isEmpty()) return out;
        X509Certificate leaf = chain.get(0);
        Instant notAfter = leaf.getNotAfter().toInstant();
        Instant notBefore = leaf.getNotBefore().toInstant();
        String renew = "get a new one (replace the files named by tls_cert/tls_key; Postern reloads them without a restart,"
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
                    + " but clients connect to " + name + ": they will refuse it; get a certificate for " + name
                    + " or set hostname in postern.conf to a name it covers"));
        }
        if (trusted(chain)) {
            out.add(new Finding(Level.OK, "issued by a trusted CA: " + leaf.getIssuerX500Principal().getName()));
        } else if (chain.size() == 1 && leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
            out.add(new Finding(Level.WARN, "the certificate is self-signed: mail clients show a warning and other servers"
                    + " that enforce MTA-STS refuse it; get one from a CA (e.g. Let's Encrypt) and set tls_cert/tls_key"));
        } else {
            out.add(new Finding(Level.FAIL, "the chain does not lead to a trusted CA (issuer "
                    + leaf.getIssuerX500Principal().getName() + "): put the intermediate certificates into the tls_cert file"
                    + " after the server's own (the 'fullchain' file of Let's Encrypt)"));
        }
        return out;
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
