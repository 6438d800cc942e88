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
import org.xbill.DNS.MXRecord;
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

    @Test
    void domainAddPrintsEveryRecordAndDnsRepeatsThem() throws Exception {
        String[] added = run("domain", "add", "Example.ORG");
        assertThat(added[0]).as(added[2]).isEqualTo("0");
        List<Record> records = zone(added[1]);
        assertThat(records).hasSize(5);
        assertThat(records.get(0)).isInstanceOf(MXRecord.class);
        assertThat(((MXRecord) records.get(0)).getTarget().toString()).isEqualTo("mail.example.org.");
        assertThat(txt(records.get(1))).isEqualTo("v=spf1 mx -all");
        // keys of one moment come in selector order
        assertThat(records.get(2).getName().toString()).matches("postern-ed-\\d{6}\\._domainkey\\.example\\.org\\.");
        assertThat(records.get(3).getName().toString()).matches("postern-rsa-\\d{6}\\._domainkey\\.example\\.org\\.");
        assertThat(records.get(4).getName().toString()).isEqualTo("_dmarc.example.org.");
        assertThat(txt(records.get(4))).startsWith("v=DMARC1; p=quarantine;");

        try (MailStore store = SqliteMailStore.open(data)) {
            List<DkimKeyStore.DkimKey> keys = store.dkimKeys().keys("example.org");
            assertThat(keys).extracting(DkimKeyStore.DkimKey::algorithm).containsExactly("ed25519-sha256", "rsa-sha256");
            // the published records hold exactly the stored public keys
            assertThat(DkimKeyRecord.parse(txt(records.get(2))).key().getEncoded()).isEqualTo(keys.get(0).publicKey());
            assertThat(DkimKeyRecord.parse(txt(records.get(3))).key().getEncoded()).isEqualTo(keys.get(1).publicKey());
        }
        String[] again = run("dns", "example.org");
        assertThat(again[0]).isEqualTo("0");
        assertThat(zone(again[1])).isEqualTo(records);
    }

    @Test
    void dnsCreatesMissingKeysAndRefusesUnknownDomains() throws Exception {
        try (MailStore store = SqliteMailStore.open(data)) {
            store.directory().addDomain("old.example");
        }
        String[] r = run("dns", "old.example");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[2]).contains("created DKIM keys for old.example");
        assertThat(zone(r[1])).hasSize(5);
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
