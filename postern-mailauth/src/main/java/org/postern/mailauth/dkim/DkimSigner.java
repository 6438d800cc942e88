// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.dkim;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.postern.mailauth.HeaderSection;

/**
 * RFC 6376 §5 signing with relaxed/relaxed canonicalization. From is over-signed (listed once more
 * than it occurs, §8.15) so no From field can be added after signing; so are the other fields whose
 * addition would change what a reader sees.
 */
public final class DkimSigner {
    /** Fields signed when present (RFC 6376 §5.4.1's list, minus those that relays rewrite). */
    static final List<String> SIGNED = List.of("from", "reply-to", "subject", "date", "to", "cc", "message-id", "in-reply-to",
            "references", "mime-version", "content-type", "content-transfer-encoding", "content-disposition", "list-id",
            "list-unsubscribe", "list-unsubscribe-post", "list-post", "resent-from", "resent-to", "resent-date",
            "resent-message-id", "sender", "autocrypt", "openpgp");
    /** Over-signed: one more instance than present (absent ones once), so none can be added later. */
    static final Set<String> OVERSIGNED = Set.of("from", "subject", "to", "cc", "date", "reply-to", "content-type", "mime-version");

    private DkimSigner() {}

    /**
     * One DKIM-Signature field per key, each "DKIM-Signature: ...\r\n", in the order given; the body
     * is read once.
     */
    public static List<String> sign(List<DkimSigningKey> keys, HeaderSection headers, InputStream body, Instant now)
            throws IOException, GeneralSecurityException {
        if (keys.isEmpty()) return List.of();
        DkimCanonicalization.Body hasher = new DkimCanonicalization.Body(true, DkimVerifier.sha256(), -1);
        byte[] buf = new byte[16384];
        int n;
        while ((n = body.read(buf)) > 0) hasher.update(buf, 0, n);
        String bh = Base64.getEncoder().encodeToString(hasher.finish());
        List<String> names = new ArrayList<>();
        for (String name : SIGNED) {
            int count = headers.all(name).size();
            int times = OVERSIGNED.contains(name) ? count + 1 : count;
            for (int i = 0; i < times; i++) names.add(name);
        }
        List<String> out = new ArrayList<>();
        for (DkimSigningKey key : keys) {
            StringBuilder f = new StringBuilder("DKIM-Signature: v=1; a=").append(key.algorithm())
                    .append("; c=relaxed/relaxed; d=").append(key.domain()).append("; s=").append(key.selector())
                    .append(";\r\n\tt=").append(now.getEpochSecond()).append("; h=");
            int line = 8;
            for (int i = 0; i < names.size(); i++) {
                String part = names.get(i) + (i + 1 < names.size() ? ":" : ";");
                if (line + part.length() > 72) {
                    f.append("\r\n\t");
                    line = 1;
                }
                f.append(part);
                line += part.length();
            }
            f.append("\r\n\tbh=").append(bh).append(";\r\n\tb=");
            String unsigned = f.toString();
            DkimSignature parsed = new DkimSignature(key.algorithm(), new byte[1], new byte[32], true, true, key.domain(),
                    key.selector(), names, "@" + key.domain(), -1, now.getEpochSecond(), -1);
            String data = DkimVerifier.signedHeaderData(parsed, new HeaderSection.Field("DKIM-Signature", unsigned + "\r\n"), headers);
            byte[] octets = DkimCanonicalization.ascii(data);
            Signature s;
            if (key.ed25519()) {
                s = Signature.getInstance("Ed25519");
                s.initSign(key.privateKey());
                s.update(DkimVerifier.sha256().digest(octets)); // RFC 8463 §3
            } else {
                s = Signature.getInstance("SHA256withRSA");
                s.initSign(key.privateKey());
                s.update(octets);
            }
            String b = Base64.getEncoder().encodeToString(s.sign());
            StringBuilder field = new StringBuilder(unsigned);
            for (int i = 0; i < b.length(); i += 70) {
                if (i > 0) field.append("\r\n\t ");
                field.append(b, i, Math.min(b.length(), i + 70));
            }
            out.add(field.append("\r\n").toString());
        }
        return out;
    }
}
