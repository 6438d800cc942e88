// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.mailauth.dkim.DkimKeyRecord;
import org.postern.server.config.DataFolder;
import org.postern.server.config.ServerConfig;
import org.postern.store.DkimKeyStore;
import org.postern.store.MailStore;
import org.postern.store.sqlite.SqliteMailStore;
import org.postern.autoconfig.MtaStsPolicy;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Master;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;

/** `postern domain add` creates DKIM keys and prints zone-file records; `postern dns` prints them again. */
class DnsCommandTest {
    @TempDir
    Path data;

    @BeforeEach
    void config() throws IOException {
        new DataFolder(data).writeConfig(ServerConfig.defaults("mail.example.org").withDev("test", "default"));
    }

    private String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("POSTERN_DATA", data.toString()), () -> null,
                SqliteMailStore::open);
        int code = Cli.run(ctx, List.of(), args);
        return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    /** Reads the printed lines as a zone file: they must be valid as pasted. */
    private static List<Record> zone(String text) throws IOException {
        String records = text.lines().filter(l -> !l.startsWith("added domain")).reduce("", (a, b) -> a + b + "\n");
        List<Record> out = new ArrayList<>();
        try (Master m = new Master(new ByteArrayInputStream(records.getBytes(StandardCharsets.US_ASCII)))) {
            Record r;
            while ((r = m.nextRecord()) != null) out.add(r);
        }
        return out;
    }

    private static String txt(Record r) {
        return String.join("", ((TXTRecord) r).getStrings());
    }

    private static Record named(List<Record> records, String name, int type) {
        return records.stream().filter(r -> r.getName().toString().equals(name) && r.getType() == type).findFirst()
                .orElseThrow(() -> new AssertionError("no " + org.xbill.DNS.Type.string(type) + " record for " + name));
    }

    @Test
    void domainAddPrintsEveryRecordAndDnsRepeatsThem() throws Exception {
        String[] added = run("domain", "add", "Example.ORG", "--address", "192.0.2.10", "--address", "2001:db8::10");
        assertThat(added[0]).as(added[2]).isEqualTo("0");
        List<Record> records = zone(added[1]);
        assertThat(records).extracting(r -> r.getName() + " " + org.xbill.DNS.Type.string(r.getType())).containsExactly(
                "example.org. MX", "mail.example.org. A", "mail.example.org. AAAA", "example.org. TXT",
                records.get(4).getName() + " TXT", records.get(5).getName() + " TXT", "_dmarc.example.org. TXT",
                "_mta-sts.example.org. TXT", "mta-sts.example.org. CNAME", "_smtp._tls.example.org. TXT",
                "autoconfig.example.org. CNAME", "autodiscover.example.org. CNAME",
                "_imaps._tcp.example.org. SRV", "_pop3s._tcp.example.org. SRV", "_submissions._tcp.example.org. SRV",
                "_imap._tcp.example.org. SRV", "_pop3._tcp.example.org. SRV", "_submission._tcp.example.org. SRV");
        assertThat(((MXRecord) records.get(0)).getTarget().toString()).isEqualTo("mail.example.org.");
        assertThat(((org.xbill.DNS.ARecord) records.get(1)).getAddress().getHostAddress()).isEqualTo("192.0.2.10");
        assertThat(((org.xbill.DNS.AAAARecord) records.get(2)).getAddress().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:10");
        assertThat(txt(records.get(3))).isEqualTo("v=spf1 mx -all");
        // keys of one moment come in selector order
        assertThat(records.get(4).getName().toString()).matches("postern-ed-\\d{6}\\._domainkey\\.example\\.org\\.");
        assertThat(records.get(5).getName().toString()).matches("postern-rsa-\\d{6}\\._domainkey\\.example\\.org\\.");
        assertThat(txt(records.get(6))).startsWith("v=DMARC1; p=quarantine;");
        // RFC 8461 §3.1; the id is the one of the policy the server serves (self-signed: testing)
        MtaStsPolicy policy = MtaStsPolicy.forHost("mail.example.org", true);
        assertThat(txt(named(records, "_mta-sts.example.org.", org.xbill.DNS.Type.TXT))).isEqualTo("v=STSv1; id=" + policy.id())
                .matches("v=STSv1; id=[A-Za-z0-9]{1,32}");
        assertThat(txt(named(records, "_smtp._tls.example.org.", org.xbill.DNS.Type.TXT)))
                .isEqualTo("v=TLSRPTv1; rua=mailto:postmaster@example.org");
        for (String n : List.of("mta-sts", "autoconfig", "autodiscover")) {
            assertThat(((CNAMERecord) named(records, n + ".example.org.", org.xbill.DNS.Type.CNAME)).getTarget().toString())
                    .isEqualTo("mail.example.org.");
        }
        // RFC 6186 with RFC 8314 §5.1: standard ports, implicit TLS at the lower (preferred) priority
        assertThat(records.stream().filter(r -> r instanceof SRVRecord).map(r -> (SRVRecord) r)
                .map(r -> r.getName().toString().split("\\.")[0] + " " + r.getPriority() + " " + r.getPort() + " " + r.getTarget()))
                .containsExactly("_imaps 0 993 mail.example.org.", "_pop3s 10 995 mail.example.org.",
                        "_submissions 0 465 mail.example.org.", "_imap 20 143 mail.example.org.",
                        "_pop3 30 110 mail.example.org.", "_submission 10 587 mail.example.org.");

        try (MailStore store = SqliteMailStore.open(data)) {
            List<DkimKeyStore.DkimKey> keys = store.dkimKeys().keys("example.org");
            assertThat(keys).extracting(DkimKeyStore.DkimKey::algorithm).containsExactly("ed25519-sha256", "rsa-sha256");
            // the published records hold exactly the stored public keys
            assertThat(DkimKeyRecord.parse(txt(records.get(4))).key().getEncoded()).isEqualTo(keys.get(0).publicKey());
            assertThat(DkimKeyRecord.parse(txt(records.get(5))).key().getEncoded()).isEqualTo(keys.get(1).publicKey());
        }
        String[] again = run("dns", "example.org", "--address", "192.0.2.10", "--address", "2001:db8::10");
        assertThat(again[0]).isEqualTo("0");
        assertThat(zone(again[1])).isEqualTo(records);
    }

    @Test
    void srvRecordsCarryAnExplicitPortOffsetAndWarnAboutPort25() throws Exception {
        DataFolder folder = new DataFolder(data);
        folder.writeConfig(ServerConfig.defaults("mail.example.org").withDev("test", "default")
                .withPortOffset(java.util.OptionalInt.of(10000)));
        // An operator's own certificate files (the record type has no wither for them).
        java.nio.file.Files.writeString(folder.config(), java.nio.file.Files.readString(folder.config())
                .replaceFirst("(?m)^tls_cert *=.*$", "tls_cert = cert.pem").replaceFirst("(?m)^tls_key *=.*$", "tls_key = key.pem"));
        String[] r = run("domain", "add", "example.org", "--address", "192.0.2.10");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        List<Record> records = zone(r[1]);
        assertThat(((SRVRecord) named(records, "_imaps._tcp.example.org.", org.xbill.DNS.Type.SRV)).getPort()).isEqualTo(10993);
        assertThat(((SRVRecord) named(records, "_submission._tcp.example.org.", org.xbill.DNS.Type.SRV)).getPort()).isEqualTo(10587);
        assertThat(r[1]).contains("other servers deliver only to port 25");
        // a certificate of its own: senders may enforce
        assertThat(txt(named(records, "_mta-sts.example.org.", org.xbill.DNS.Type.TXT)))
                .isEqualTo(MtaStsPolicy.forHost("mail.example.org", false).txtRecord());
    }

    @Test
    void withoutAPublicAddressTheARecordIsAPlaceholderComment() throws Exception {
        run("domain", "add", "example.org");
        String[] r = run("dns", "example.org");
        if (DnsCommand.publicAddresses().isEmpty()) {
            assertThat(r[1]).contains("; mail.example.org.\t3600\tIN\tA\t<public IPv4 address>");
        }
        for (Record rec : zone(r[1])) {
            if (rec instanceof org.xbill.DNS.ARecord a) assertThat(DnsCommand.isPublic(a.getAddress())).isTrue();
            if (rec instanceof org.xbill.DNS.AAAARecord a) assertThat(DnsCommand.isPublic(a.getAddress())).isTrue();
        }
    }

    @Test
    void onlyGlobalAddressesCountAsPublic() throws Exception {
        for (String a : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.1.1", "100.64.0.1", "::1",
                "fe80::1", "fd00::1", "2001:db8::1")) {
            assertThat(DnsCommand.isPublic(java.net.InetAddress.getByName(a))).as(a).isFalse();
        }
        assertThat(DnsCommand.isPublic(java.net.InetAddress.getByName("203.0.114.5"))).isTrue();
        assertThat(DnsCommand.isPublic(java.net.InetAddress.getByName("2a01:4f8::1"))).isTrue();
    }

    @Test
    void dnsCreatesMissingKeysAndRefusesUnknownDomains() throws Exception {
        try (MailStore store = SqliteMailStore.open(data)) {
            store.directory().addDomain("old.example");
        }
        String[] r = run("dns", "old.example");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[2]).contains("created DKIM keys for old.example");
        assertThat(zone(r[1])).hasSizeGreaterThanOrEqualTo(16);
        String[] missing = run("dns", "nope.example");
        assertThat(missing[0]).isEqualTo("1");
        assertThat(missing[2]).contains("no domain nope.example");
    }

    @Test
    void deletingTheDomainDropsItsKeys() throws Exception {
        run("domain", "add", "example.org");
        run("domain", "delete", "example.org");
        try (MailStore store = SqliteMailStore.open(data)) {
            assertThat(store.dkimKeys().keys("example.org")).isEmpty();
        }
    }
}
