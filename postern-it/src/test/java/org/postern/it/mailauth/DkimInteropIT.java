// SPDX-License-Identifier: Apache-2.0
package org.postern.it.mailauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postern.dns.DnsjavaResolver;
import org.postern.mailauth.HeaderSection;
import org.postern.mailauth.dkim.DkimResult;
import org.postern.mailauth.dkim.DkimSignature;
import org.postern.mailauth.dkim.DkimSigner;
import org.postern.mailauth.dkim.DkimSigningKey;
import org.postern.mailauth.dkim.DkimVerifier;
import org.postern.testkit.dns.FakeDns;

/**
 * DKIM against an implementation nobody here wrote: Debian's python3-dkim (dkimpy). Postern signs and
 * dkimpy verifies; dkimpy signs (relaxed and simple canonicalization) and Postern verifies; both
 * algorithms. dkimpy reads the keys from the same FakeDns the Java verifier asks.
 */
class DkimInteropIT {
    private static final String PYTHON = "/usr/bin/python3";
    private static final String SCRIPT = """
            import sys, dkim, dns.resolver
            r = dns.resolver.Resolver(configure=False)
            r.nameservers = ['127.0.0.1']
            r.port = int(sys.argv[2])
            def txt(name, timeout=5):
                n = name.decode() if isinstance(name, bytes) else name
                return b''.join(b''.join(x.strings) for x in r.resolve(n, 'TXT'))
            mode = sys.argv[1]
            msg = open(sys.argv[3], 'rb').read()
            if mode == 'verify':
                d = dkim.DKIM(msg)
                n = sum(1 for line in msg.split(b'\\r\\n') if line.lower().startswith(b'dkim-signature:'))
                def one(i):
                    try:
                        return 'pass' if d.verify(idx=i, dnsfunc=txt) else 'fail'
                    except dkim.ValidationError:
                        return 'fail'
                print(' '.join(one(i) for i in range(n)))
            else:
                key = open(sys.argv[6], 'rb').read()
                canon = sys.argv[7].encode().split(b'/')
                sig = dkim.sign(msg, sys.argv[4].encode(), sys.argv[5].encode(), key, canonicalize=(canon[0], canon[1]),
                                signature_algorithm=sys.argv[8].encode(), linesep=b'\\r\\n', length=len(sys.argv) > 9)
                sys.stdout.buffer.write(sig)
            """;
    private static final String MESSAGE = "From: Alice <alice@interop.test>\r\nTo: bob@example.test\r\nSubject: Interop  test\r\n"
            + "Date: Thu, 26 Nov 2026 12:00:00 +0000\r\nMessage-ID: <interop@interop.test>\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n\r\nHello,   Bob.\t \r\n\r\nTrailing lines follow.\r\n\r\n\r\n";

    private static FakeDns dns;
    private static DkimSigningKey rsa;
    private static DkimSigningKey ed;
    @TempDir
    static Path dir;

    @BeforeAll
    static void keys() throws IOException {
        assumeTrue(Files.isExecutable(Path.of(PYTHON)) && run("-c", "import dkim, dns.resolver").exit == 0,
                "python3-dkim is not installed (apt-get install python3-dkim)");
        dns = FakeDns.start();
        rsa = DkimSigningKey.generate("interop.test", "rsa", DkimSignature.RSA_SHA256);
        ed = DkimSigningKey.generate("interop.test", "ed", DkimSignature.ED25519_SHA256);
        dns.txt(rsa.recordName(), rsa.recordText()).txt(ed.recordName(), ed.recordText());
        Files.writeString(dir.resolve("dkim_interop.py"), SCRIPT);
    }

    @AfterAll
    static void stop() {
        if (dns != null) dns.close();
    }

    private record Result(int exit, String out) {}

    private static Result run(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("python timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
    }

    private static List<DkimResult> verify(String message) throws IOException {
        int split = message.indexOf("\r\n\r\n");
        byte[] all = message.getBytes(StandardCharsets.ISO_8859_1);
        HeaderSection h = HeaderSection.parse(Arrays.copyOf(all, split + 2));
        return new DkimVerifier(new DnsjavaResolver(dns.address(), Duration.ofSeconds(5)), Clock.systemUTC())
                .verify(h, new ByteArrayInputStream(all, split + 4, all.length - split - 4));
    }

    @org.junit.jupiter.api.Test
    void posternSignsDkimpyVerifies() throws Exception {
        int split = MESSAGE.indexOf("\r\n\r\n");
        byte[] all = MESSAGE.getBytes(StandardCharsets.ISO_8859_1);
        String sigs = String.join("", DkimSigner.sign(List.of(rsa, ed), HeaderSection.parse(Arrays.copyOf(all, split + 2)),
                new ByteArrayInputStream(all, split + 4, all.length - split - 4), Instant.now()));
        Path file = dir.resolve("postern-signed.eml");
        Files.writeString(file, sigs + MESSAGE, StandardCharsets.ISO_8859_1);
        Result r = run(dir.resolve("dkim_interop.py").toString(), "verify", String.valueOf(dns.port()), file.toString());
        assertThat(r.out).isEqualTo("pass pass");
        Files.writeString(file, sigs + MESSAGE.replace("Hello", "Hallo"), StandardCharsets.ISO_8859_1);
        assertThat(run(dir.resolve("dkim_interop.py").toString(), "verify", String.valueOf(dns.port()), file.toString()).out).isEqualTo("fail fail");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rsa-sha256 relaxed/relaxed", "rsa-sha256 simple/simple", "rsa-sha256 relaxed/simple",
            "ed25519-sha256 relaxed/relaxed", "ed25519-sha256 simple/relaxed"})
    void dkimpySignsPosternVerifies(String setup) throws Exception {
        String algorithm = setup.split(" ")[0];
        String canon = setup.split(" ")[1];
        DkimSigningKey key = algorithm.equals("rsa-sha256") ? rsa : ed;
        Path keyFile = dir.resolve(key.selector() + ".key");
        if (key.ed25519()) {
            // dkimpy takes the bare 32-octet Ed25519 seed, base64; it ends PKCS#8
            byte[] p8 = key.privateKeyPkcs8();
            Files.writeString(keyFile, Base64.getEncoder().encodeToString(Arrays.copyOfRange(p8, p8.length - 32, p8.length)));
        } else {
            Files.writeString(keyFile, pkcs1Pem(key.privateKeyPkcs8()));
        }
        Path msg = dir.resolve("plain.eml");
        Files.writeString(msg, MESSAGE, StandardCharsets.ISO_8859_1);
        Result r = run(dir.resolve("dkim_interop.py").toString(), "sign", String.valueOf(dns.port()), msg.toString(), key.selector(),
                "interop.test", keyFile.toString(), canon, algorithm);
        assertThat(r.exit).as(r.out).isZero();
        String signed = r.out.replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n" + MESSAGE;
        List<DkimResult> results = verify(signed);
        assertThat(results).extracting(DkimResult::status).as(signed).containsExactly(DkimResult.Status.PASS);
        assertThat(verify(signed.replace("Bob.", "Eve.")).get(0).status()).isEqualTo(DkimResult.Status.FAIL);
    }

    @org.junit.jupiter.api.Test
    void bodyLengthLimitFromDkimpyLeavesAppendedTextUnsigned() throws Exception {
        Path keyFile = dir.resolve("ed-l.key");
        byte[] p8 = ed.privateKeyPkcs8();
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(Arrays.copyOfRange(p8, p8.length - 32, p8.length)));
        Path msg = dir.resolve("plain-l.eml");
        Files.writeString(msg, MESSAGE, StandardCharsets.ISO_8859_1);
        Result r = run(dir.resolve("dkim_interop.py").toString(), "sign", String.valueOf(dns.port()), msg.toString(), ed.selector(),
                "interop.test", keyFile.toString(), "relaxed/relaxed", "ed25519-sha256", "length");
        assertThat(r.exit).as(r.out).isZero();
        String signature = r.out.replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n";
        assertThat(signature).contains("l=");
        DkimResult appended = verify(signature + MESSAGE + "Appended by a mailing list\r\n").get(0);
        // RFC 6376 §3.5 l=: the signature still holds; the extra octets are recorded as unsigned
        assertThat(appended.status()).isEqualTo(DkimResult.Status.PASS);
        // the message's two trailing empty lines, dropped by canonicalization before, now precede text: 4 octets more
        assertThat(appended.unsignedOctets()).isEqualTo(4 + "Appended by a mailing list\r\n".length());
        assertThat(verify(signature + MESSAGE).get(0).unsignedOctets()).isZero();
    }

    /** dkimpy reads PKCS#1 RSAPrivateKey PEM; the JDK's PKCS#8 holds it in its OCTET STRING. */
    private static String pkcs1Pem(byte[] pkcs8) {
        int i = 2 + lengthOctets(pkcs8, 1); // outer SEQUENCE header
        i += 3; // INTEGER 0
        i += 2 + pkcs8[i + 1]; // AlgorithmIdentifier SEQUENCE (short form)
        if (pkcs8[i] != 0x04) throw new IllegalArgumentException("unexpected PKCS#8 layout");
        int start = i + 2 + lengthOctets(pkcs8, i + 1);
        byte[] pkcs1 = Arrays.copyOfRange(pkcs8, start, pkcs8.length);
        return "-----BEGIN RSA PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pkcs1)
                + "\n-----END RSA PRIVATE KEY-----\n";
    }

    private static int lengthOctets(byte[] der, int at) {
        int b = der[at] & 0xff;
        return b < 0x80 ? 0 : b & 0x7f;
    }
}
