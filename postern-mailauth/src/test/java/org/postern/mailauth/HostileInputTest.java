// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.postern.mailauth.dkim.DkimKeyRecord;
import org.postern.mailauth.dkim.DkimResult;
import org.postern.mailauth.dkim.DkimSignature;
import org.postern.mailauth.dkim.DkimVerifier;
import org.postern.mailauth.dmarc.DmarcRecord;
import org.postern.mailauth.spf.SpfRecordParser;

/**
 * Random and mutated input to every parser: only the declared syntax exceptions come out, never a
 * RuntimeException, and each call stays fast (a seeded generator, so a failure can be replayed).
 */
class HostileInputTest {
    private static final String ALPHABET = "v=spf1DKIMDMARC; :/%{}._-+~?!@abcdeiplrstxhqkz0123456789 \t\r\n\"\\=\u00e9\u0000";
    private static final List<String> SEEDS = List.of(
            "v=spf1 ip4:192.0.2.0/24 include:_spf.example.com a:x.example/24//64 mx exists:%{ir}.%{l1r-}.x redirect=r.example exp=e",
            "v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; s=sel; h=from:to; l=10; t=1; x=2; i=@example.com; "
                    + "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA",
            "v=DKIM1; k=ed25519; h=sha256; s=email; t=y:s; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
            "v=DMARC1; p=reject; sp=none; adkim=s; aspf=r; pct=50; rua=mailto:a@b");

    private static String mutate(Random r, String seed) {
        StringBuilder sb = new StringBuilder(seed);
        int edits = 1 + r.nextInt(8);
        for (int i = 0; i < edits; i++) {
            int pos = sb.isEmpty() ? 0 : r.nextInt(sb.length());
            switch (r.nextInt(3)) {
                case 0 -> sb.insert(pos, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                case 1 -> { if (!sb.isEmpty()) sb.deleteCharAt(pos); }
                default -> { if (!sb.isEmpty()) sb.setCharAt(pos, ALPHABET.charAt(r.nextInt(ALPHABET.length()))); }
            }
        }
        return sb.toString();
    }

    @Test
    void parsersOnlyThrowTheirSyntaxExceptions() {
        Random r = new Random(20261127);
        for (int i = 0; i < 5_000; i++) {
            String input = mutate(r, SEEDS.get(i % SEEDS.size()));
            try {
                SpfRecordParser.parse(input);
            } catch (SpfRecordParser.SpfSyntaxException expected) {
                // fine
            }
            try {
                DkimSignature.parse(input);
            } catch (DkimSignature.DkimSyntaxException expected) {
                // fine
            }
            try {
                DkimKeyRecord.parse(input);
            } catch (DkimSignature.DkimSyntaxException expected) {
                // fine
            }
            try {
                DmarcRecord.parse(input);
            } catch (DmarcRecord.DmarcSyntaxException expected) {
                // fine
            }
            HeaderSection.parse(input.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void mutatedSignaturesNeverPassAndNeverThrow() throws Exception {
        MapDns dns = new MapDns().txt("sel._domainkey.example.com", SEEDS.get(2)).txt("sel._domainkey.example.com", "v=DKIM1; p=");
        Random r = new Random(7);
        for (int i = 0; i < 500; i++) {
            String msg = "DKIM-Signature: " + mutate(r, SEEDS.get(1).replace("a=rsa-sha256", "a=ed25519-sha256"))
                    + "\r\nFrom: a@example.com\r\nTo: b@example.net\r\n";
            HeaderSection h = HeaderSection.parse(msg.getBytes(StandardCharsets.ISO_8859_1));
            List<DkimResult> results = new DkimVerifier(dns, Clock.systemUTC()).verify(h, new ByteArrayInputStream("body\r\n".getBytes()));
            assertThat(results).noneMatch(x -> x.status() == DkimResult.Status.PASS);
        }
    }
}
