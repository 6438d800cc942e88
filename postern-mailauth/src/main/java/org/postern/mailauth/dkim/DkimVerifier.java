// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.dkim;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.postern.dns.DnsAnswer;
import org.postern.dns.DnsResolver;
import org.postern.mailauth.HeaderSection;

/**
 * RFC 6376 §6 verification of every DKIM-Signature field of a message, RSA-SHA256 and Ed25519-SHA256
 * (RFC 8463). The body is read once, whatever the number of signatures: each distinct
 * (canonicalization, l=) pair gets one digest. Thread-safe.
 */
public final class DkimVerifier {
    /** Signatures evaluated per message; later ones are ignored (bounded DNS and CPU work). */
    public static final int MAX_SIGNATURES = 5;

    private final DnsResolver dns;
    private final Clock clock;

    public DkimVerifier(DnsResolver dns, Clock clock) {
        this.dns = dns;
        this.clock = clock;
    }

    /** Verifies the signatures in {@code headers} against {@code body} (read only when there is a signature). */
    public List<DkimResult> verify(HeaderSection headers, InputStream body) throws IOException {
        List<HeaderSection.Field> fields = headers.all("DKIM-Signature");
        if (fields.size() > MAX_SIGNATURES) fields = fields.subList(0, MAX_SIGNATURES);
        // results in header order; null where a signature parsed and awaits the body hash
        DkimResult[] results = new DkimResult[fields.size()];
        DkimSignature[] parsed = new DkimSignature[fields.size()];
        for (int i = 0; i < fields.size(); i++) {
            HeaderSection.Field f = fields.get(i);
            try {
                parsed[i] = DkimSignature.parse(f.value());
            } catch (DkimSignature.DkimSyntaxException e) {
                results[i] = new DkimResult(DkimResult.Status.PERMERROR, domainHint(f.value()), "", "", "", "", e.getMessage(), false, 0);
            }
        }
        if (Arrays.stream(parsed).allMatch(Objects::isNull)) return List.of(results);
        Map<String, DkimCanonicalization.Body> hashers = new HashMap<>();
        for (DkimSignature s : parsed) {
            if (s == null) continue;
            hashers.computeIfAbsent(bodyKey(s), k -> new DkimCanonicalization.Body(s.relaxedBody(), sha256(), s.bodyLength()));
        }
        byte[] buf = new byte[16384];
        int n;
        while ((n = body.read(buf)) > 0) {
            for (DkimCanonicalization.Body b : hashers.values()) b.update(buf, 0, n);
        }
        Map<String, byte[]> bodyHashes = new HashMap<>();
        for (Map.Entry<String, DkimCanonicalization.Body> e : hashers.entrySet()) bodyHashes.put(e.getKey(), e.getValue().finish());
        for (int i = 0; i < parsed.length; i++) {
            DkimSignature s = parsed[i];
            if (s == null) continue;
            DkimCanonicalization.Body hasher = hashers.get(bodyKey(s));
            DkimResult r = verifyOne(s, fields.get(i), headers, bodyHashes.get(bodyKey(s)));
            if (s.bodyLength() >= 0) {
                if (hasher.canonicalLength() < s.bodyLength()) {
                    // §3.5: l= longer than the body cannot verify
                    r = DkimResult.of(DkimResult.Status.FAIL, s, "l= exceeds the body length");
                } else {
                    r = r.withUnsigned(hasher.canonicalLength() - s.bodyLength());
                }
            }
            results[i] = r;
        }
        return List.of(results);
    }

    private DkimResult verifyOne(DkimSignature s, HeaderSection.Field field, HeaderSection headers, byte[] bodyHash) {
        long now = clock.instant().getEpochSecond();
        if (s.expiration() >= 0 && s.expiration() < now) return DkimResult.of(DkimResult.Status.FAIL, s, "signature expired");
        if (!MessageDigest.isEqual(bodyHash, s.bodyHash())) return DkimResult.of(DkimResult.Status.FAIL, s, "body hash did not verify");
        String keyName = s.selector() + "._domainkey." + s.domain();
        DnsAnswer<String> answer = dns.txt(keyName);
        if (answer.status() == DnsAnswer.Status.TEMPORARY_FAILURE) {
            return DkimResult.of(DkimResult.Status.TEMPERROR, s, "key look-up failed");
        }
        if (!answer.isFound()) return DkimResult.of(DkimResult.Status.PERMERROR, s, "no key for signature"); // §6.1.2
        DkimKeyRecord key = null;
        String problem = "no usable key";
        for (String txt : answer.records()) {
            try {
                key = DkimKeyRecord.parse(txt);
                break;
            } catch (DkimSignature.DkimSyntaxException e) {
                problem = e.getMessage();
            }
        }
        if (key == null) return DkimResult.of(DkimResult.Status.PERMERROR, s, problem);
        if (key.revoked()) return DkimResult.of(DkimResult.Status.PERMERROR, s, "key revoked").withTesting(key.testing());
        if (!key.keyType().equals(s.keyType())) return DkimResult.of(DkimResult.Status.PERMERROR, s, "key type does not match a=");
        if (!key.hashes().isEmpty() && !key.hashes().contains("sha256")) {
            return DkimResult.of(DkimResult.Status.PERMERROR, s, "key does not allow sha256");
        }
        if (key.strict()) {
            String iDomain = s.identity().substring(s.identity().lastIndexOf('@') + 1);
            if (!iDomain.equalsIgnoreCase(s.domain())) return DkimResult.of(DkimResult.Status.PERMERROR, s, "t=s key and i= subdomain");
        }
        byte[] data = DkimCanonicalization.ascii(signedHeaderData(s, field, headers));
        boolean ok;
        try {
            ok = check(s, key, data);
        } catch (GeneralSecurityException e) {
            ok = false;
        }
        return (ok ? DkimResult.of(DkimResult.Status.PASS, s, "") : DkimResult.of(DkimResult.Status.FAIL, s, "signature did not verify"))
                .withTesting(key.testing());
    }

    private static boolean check(DkimSignature s, DkimKeyRecord key, byte[] data) throws GeneralSecurityException {
        if (s.algorithm().equals(DkimSignature.ED25519_SHA256)) {
            // RFC 8463 §3: PureEdDSA over the SHA-256 hash of the header data
            Signature v = Signature.getInstance("Ed25519");
            v.initVerify(key.key());
            v.update(sha256().digest(data));
            return v.verify(s.signature());
        }
        Signature v = Signature.getInstance("SHA256withRSA");
        v.initVerify(key.key());
        v.update(data);
        return v.verify(s.signature());
    }

    /**
     * §3.7: the fields named by h= (each name taking the last unused instance, bottom up; missing ones
     * contribute nothing), then the signature field with an empty b= and no final CRLF.
     */
    static String signedHeaderData(DkimSignature s, HeaderSection.Field field, HeaderSection headers) {
        StringBuilder sb = new StringBuilder();
        Map<String, Integer> used = new HashMap<>();
        List<HeaderSection.Field> all = headers.fields();
        for (String name : s.signedHeaders()) {
            int skip = used.getOrDefault(name, 0);
            int seen = 0;
            for (int i = all.size() - 1; i >= 0; i--) {
                if (!all.get(i).is(name)) continue;
                if (seen++ == skip) {
                    sb.append(DkimCanonicalization.header(all.get(i), s.relaxedHeader()));
                    break;
                }
            }
            used.put(name, skip + 1);
        }
        String self = DkimCanonicalization.header(new HeaderSection.Field(field.name(), withoutB(field.raw())), s.relaxedHeader());
        sb.append(self, 0, self.length() - 2);
        return sb.toString();
    }

    /** The field with the value of its b= tag removed, everything else octet for octet (§3.5 "b="). */
    static String withoutB(String raw) {
        int colon = raw.indexOf(':');
        StringBuilder out = new StringBuilder(raw.length()).append(raw, 0, colon + 1);
        String value = raw.substring(colon + 1);
        int start = 0;
        while (start <= value.length()) {
            int semi = value.indexOf(';', start);
            int end = semi < 0 ? value.length() : semi;
            String spec = value.substring(start, end);
            int eq = spec.indexOf('=');
            if (eq >= 0 && spec.substring(0, eq).replace("\r\n", "").strip().equals("b")) {
                out.append(spec, 0, eq + 1);
                // keep a final CRLF: it ends the field, not the tag
                if (semi < 0 && spec.endsWith("\r\n")) out.append("\r\n");
            } else {
                out.append(spec);
            }
            if (semi < 0) break;
            out.append(';');
            start = semi + 1;
        }
        return out.toString();
    }

    private static String bodyKey(DkimSignature s) {
        return (s.relaxedBody() ? "r" : "s") + s.bodyLength();
    }

    private static String domainHint(String value) {
        for (String part : value.split(";")) {
            String p = part.strip();
            if (p.startsWith("d=")) {
                String d = TagList.compact(p.substring(2));
                return d.length() > 253 ? d.substring(0, 253) : d;
            }
        }
        return "";
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
