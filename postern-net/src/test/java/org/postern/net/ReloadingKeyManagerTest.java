// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A renewal that replaces the key before the chain must never make the server serve a mismatched pair. */
class ReloadingKeyManagerTest {
    @TempDir
    Path dir;

    @Test
    void aNewKeyBesideTheOldCertificateIsNotTakenUntilTheCertificateFollows() throws Exception {
        Path cert = dir.resolve("cert.pem"), key = dir.resolve("key.pem");
        SelfSignedCertificate.createIfMissing(cert, key, "old.example.test");
        TlsContext tls = TlsContext.fromPem(cert, key);
        X509Certificate old = tls.certificate();
        Path next = Files.createDirectories(dir.resolve("next"));
        SelfSignedCertificate.createIfMissing(next.resolve("cert.pem"), next.resolve("key.pem"), "new.example.test");

        // Key first, as the ACME client installs it.
        Files.copy(next.resolve("key.pem"), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(key, FileTime.from(Instant.now().plusSeconds(5)));
        Thread.sleep(1100); // past the once-a-second check
        assertThat(tls.certificate()).as("the old, matching pair stays").isEqualTo(old);
        assertThat(ReloadingKeyManager.pair(ReloadingKeyManager.load(next.resolve("cert.pem"), key).key(), old.getPublicKey())).isFalse();

        Files.copy(next.resolve("cert.pem"), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(cert, FileTime.from(Instant.now().plusSeconds(6)));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
        X509Certificate now = tls.certificate();
        while (now.equals(old) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            now = tls.certificate();
        }
        assertThat(now.getSubjectX500Principal().getName()).contains("new.example.test");
    }
}
