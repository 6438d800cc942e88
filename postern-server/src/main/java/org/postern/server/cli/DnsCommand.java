// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.postern.mailauth.dkim.DkimSignature;
import org.postern.mailauth.dkim.DkimSigningKey;
import org.postern.store.DkimKeyStore;
import org.postern.store.MailStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code postern dns DOMAIN}: the records to publish for a domain (MX, SPF RFC 7208, DKIM RFC 6376
 * with RSA and Ed25519 keys RFC 8463, DMARC RFC 7489), in zone-file syntax so they can be pasted
 * into a zone or read off into a provider's form. Creates the DKIM keys when the domain has none.
 */
@Command(name = "dns", description = "Print the DNS records to publish for DOMAIN (MX, SPF, DKIM, DMARC).",
        mixinStandardHelpOptions = true)
public final class DnsCommand implements java.util.concurrent.Callable<Integer> {
    static final long TTL = 3600;
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyyMM").withZone(ZoneOffset.UTC);

    private final CliContext ctx;
    @Parameters(paramLabel = "DOMAIN")
    String domain;

    public DnsCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        String d = DomainCommand.domainArgument(domain);
        try (MailStore store = ctx.openStore()) {
            if (!store.directory().domains().contains(d)) throw CliFailure.failed("no domain " + d + " (add it with 'postern domain add " + d + "')");
            if (ensureKeys(store, d, Instant.now())) ctx.err().println("created DKIM keys for " + d);
            print(ctx.out(), store, d, ctx.config().hostname());
        }
        return 0;
    }

    /** Gives the domain an RSA 2048 and an Ed25519 key when it has no key yet; true when it created them. */
    static boolean ensureKeys(MailStore store, String domain, Instant now) {
        if (!store.dkimKeys().keys(domain).isEmpty()) return false;
        String month = MONTH.format(now);
        for (String algorithm : List.of(DkimSignature.RSA_SHA256, DkimSignature.ED25519_SHA256)) {
            String selector = (algorithm.equals(DkimSignature.RSA_SHA256) ? "postern-rsa-" : "postern-ed-") + month;
            DkimSigningKey k = DkimSigningKey.generate(domain, selector, algorithm);
            store.dkimKeys().add(new DkimKeyStore.DkimKey(domain, selector, algorithm, k.privateKeyPkcs8(), k.publicKeySpki(), now));
        }
        return true;
    }

    static void print(PrintStream out, MailStore store, String domain, String hostname) {
        String mx = hostname.endsWith(".") ? hostname : hostname + ".";
        out.println("; DNS records for " + domain + ": publish them in the zone of " + domain);
        if (!hostname.contains(".") || hostname.equalsIgnoreCase("localhost")) {
            out.println("; warning: this server's hostname is '" + hostname + "'; set hostname in postern.conf to the public name"
                    + " the MX record should point at");
        }
        out.println("; MX: mail for " + domain + " goes to this server");
        out.println(line(domain, "MX", "10 " + mx));
        out.println("; SPF (RFC 7208): only the MX hosts send mail from " + domain + " (add include:... for a relay you send through)");
        out.println(line(domain, "TXT", quoted(List.of("v=spf1 mx -all"))));
        for (DkimKeyStore.DkimKey k : store.dkimKeys().keys(domain)) {
            DkimSigningKey key = new DkimSigningKey(k.domain(), k.selector(), k.algorithm(), k.privateKey(), k.publicKey());
            out.println("; DKIM (RFC 6376" + (key.ed25519() ? ", RFC 8463" : "") + "): " + k.algorithm() + " key "
                    + k.selector() + ", created " + k.created());
            out.println(line(key.recordName(), "TXT", quoted(key.recordStrings())));
        }
        out.println("; DMARC (RFC 7489): receivers quarantine mail from " + domain + " that fails both SPF and DKIM");
        out.println(line("_dmarc." + domain, "TXT", quoted(List.of("v=DMARC1; p=quarantine; adkim=r; aspf=r; rua=mailto:postmaster@" + domain))));
    }

    private static String line(String name, String type, String data) {
        return name + ".\t" + TTL + "\tIN\t" + type + "\t" + data;
    }

    /** RFC 1035 §5.1 character-strings; a record longer than 255 octets is several of them. */
    private static String quoted(List<String> parts) {
        List<String> q = new ArrayList<>();
        for (String p : parts) q.add('"' + p.replace("\\", "\\\\").replace("\"", "\\\"") + '"');
        return String.join(" ", q);
    }
}
