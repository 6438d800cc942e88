// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.postern.core.MailAddress;

/**
 * The {@code acme*} settings of postern.conf: certificates from an ACME CA (RFC 8555) instead of
 * files the admin provides.
 *
 * @param acme whether the server gets and renews its certificate itself
 * @param directory the CA's directory URL (RFC 8555 §7.1.1)
 * @param email contact for the CA's expiry notices; "" for none
 * @param challenge "http-01" (RFC 8555 §8.3, port 80) or "tls-alpn-01" (RFC 8737, port 443)
 * @param names the names the certificate covers; empty: the host name, and autoconfig.D and
 *     mta-sts.D for every local domain D
 * @param trustFile PEM file of a CA to trust for the directory's own HTTPS (a test CA such as
 *     pebble's); "" for the JDK's trusted CAs
 */
public record CertificateConfig(boolean acme, String directory, String email, String challenge, List<String> names,
        String trustFile) {
    /** Every key, in the order {@link #render} writes them. */
    static final List<String> KEYS = List.of("acme", "acme_directory", "acme_email", "acme_challenge", "acme_names",
            "acme_trust_file");
    public static final String LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";
    public static final String HTTP_01 = "http-01";
    public static final String TLS_ALPN_01 = "tls-alpn-01";
    static final int MAX_NAMES = 100;

    public CertificateConfig {
        names = List.copyOf(names);
    }

    public static CertificateConfig defaults() {
        return new CertificateConfig(false, LETS_ENCRYPT, "", HTTP_01, List.of(), "");
    }

    static CertificateConfig parse(Map<String, String> v, Map<String, Integer> lineOf) throws ConfigException {
        CertificateConfig d = defaults();
        boolean on = d.acme();
        if (v.containsKey("acme")) {
            on = switch (v.get("acme").toLowerCase(Locale.ROOT)) {
                case "on", "true", "yes" -> true;
                case "off", "false", "no" -> false;
                default -> throw new ConfigException(lineOf.get("acme"), "acme must be on or off, not '" + shorten(v.get("acme")) + "'");
            };
        }
        String directory = v.getOrDefault("acme_directory", d.directory());
        if (directory.isEmpty()) directory = d.directory();
        try {
            URI u = new URI(directory);
            if (!"https".equals(u.getScheme()) || u.getHost() == null) throw new java.net.URISyntaxException(directory, "not https");
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException(lineOf.getOrDefault("acme_directory", 0),
                    "acme_directory must be the https URL of an ACME directory, such as " + LETS_ENCRYPT + ", not '" + shorten(directory) + "'");
        }
        String email = v.getOrDefault("acme_email", "");
        if (!email.isEmpty() && MailAddress.parse(email).isEmpty()) {
            throw new ConfigException(lineOf.get("acme_email"), "acme_email must be a mail address, not '" + shorten(email) + "'");
        }
        String challenge = v.getOrDefault("acme_challenge", HTTP_01).toLowerCase(Locale.ROOT);
        if (!challenge.equals(HTTP_01) && !challenge.equals(TLS_ALPN_01)) {
            throw new ConfigException(lineOf.get("acme_challenge"), "acme_challenge must be http-01 (the CA connects to port 80) or "
                    + "tls-alpn-01 (port 443), not '" + shorten(challenge) + "'");
        }
        List<String> names = new ArrayList<>();
        for (String n : v.getOrDefault("acme_names", "").split("[,\\s]+")) {
            if (n.isEmpty()) continue;
            String name = n.toLowerCase(Locale.ROOT);
            // RFC 8555 §7.1.4: wildcards need dns-01, which Postern does not do.
            if (!MailAddress.validDomain(name) || !name.contains(".")) {
                throw new ConfigException(lineOf.get("acme_names"), "acme_names: '" + shorten(n) + "' is not a host name");
            }
            if (!names.contains(name)) names.add(name);
        }
        if (names.size() > MAX_NAMES) throw new ConfigException(lineOf.get("acme_names"), "acme_names: at most " + MAX_NAMES + " names");
        return new CertificateConfig(on, directory, email, challenge, names, v.getOrDefault("acme_trust_file", ""));
    }

    void render(StringBuilder b) {
        b.append("""

                # Certificates from an ACME CA such as Let's Encrypt (acme = on): obtained at start and
                # renewed 30 days before they expire, without a restart. Leave tls_cert and tls_key empty;
                # the files live in acme/. The CA must reach this server under every name: on port 80
                # for http-01, on port 443 for tls-alpn-01 (use it when port 80 is closed).
                """);
        kv(b, "acme", acme ? "on" : "off");
        b.append("# The CA's directory URL. Let's Encrypt's staging CA for trying things out:\n");
        b.append("# https://acme-staging-v02.api.letsencrypt.org/directory\n");
        kv(b, "acme_directory", directory);
        b.append("# Where the CA sends expiry warnings if renewing keeps failing (empty: nowhere).\n");
        kv(b, "acme_email", email);
        kv(b, "acme_challenge", challenge);
        b.append("# Comma-separated names for the certificate. Empty: the host name plus autoconfig.DOMAIN and\n");
        b.append("# mta-sts.DOMAIN for every domain of this server.\n");
        kv(b, "acme_names", String.join(", ", names));
        b.append("# A PEM file with the CA certificate of a test ACME server (pebble); empty for real CAs.\n");
        kv(b, "acme_trust_file", trustFile);
    }

    private static void kv(StringBuilder b, String key, String value) {
        b.append(key).append(" = ").append(value).append('\n');
    }

    private static String shorten(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= 60 ? clean : clean.substring(0, 57) + "...";
    }
}
