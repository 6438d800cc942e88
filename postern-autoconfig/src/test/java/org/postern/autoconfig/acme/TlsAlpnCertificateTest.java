// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.junit.jupiter.api.Test;

class TlsAlpnCertificateTest {

    @Test
    void carriesTheNameAndTheCriticalAcmeIdentifier() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        byte[] digest = MessageDigest.getInstance("SHA-256").digest("token.thumbprint".getBytes());
        X509Certificate c = TlsAlpnCertificate.create(kp, "autoconfig.example.test", digest);
        c.verify(kp.getPublic());
        assertThat(c.getSubjectAlternativeNames()).containsExactly(List.of(2, "autoconfig.example.test"));
        assertThat(c.getCriticalExtensionOIDs()).contains("1.3.6.1.5.5.7.1.31");
        // getExtensionValue wraps the extnValue in one more OCTET STRING; inside is the digest's OCTET STRING.
        byte[] ext = ASN1OctetString.getInstance(c.getExtensionValue("1.3.6.1.5.5.7.1.31")).getOctets();
        assertThat(ASN1OctetString.getInstance(ext).getOctets()).isEqualTo(digest);
        assertThatThrownBy(() -> TlsAlpnCertificate.create(kp, "a.example.test", new byte[31])).isInstanceOf(IOException.class);
    }
}
