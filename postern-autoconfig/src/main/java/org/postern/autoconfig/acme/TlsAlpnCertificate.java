// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig.acme;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The TLS-ALPN-01 validation certificate of RFC 8737 §3: self-signed, one dNSName (the name being
 * validated), and the critical acmeIdentifier extension holding the SHA-256 digest of the key
 * authorization as an OCTET STRING. It is served only to "acme-tls/1" handshakes.
 */
final class TlsAlpnCertificate {
    /** RFC 8737 §6.1: id-pe-acmeIdentifier. */
    static final ASN1ObjectIdentifier ACME_IDENTIFIER = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.31");

    private TlsAlpnCertificate() {}

    /** @param acmeValidation the 32-byte SHA-256 digest of the key authorization */
    static X509Certificate create(KeyPair key, String name, byte[] acmeValidation) throws IOException {
        if (acmeValidation.length != 32) throw new IOException("the acmeIdentifier value must be a SHA-256 digest");
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=acme-tls-alpn-01");
        try {
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(7))), subject, key.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, name)));
            b.addExtension(ACME_IDENTIFIER, true, new DEROctetString(acmeValidation));
            String alg = key.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(key.getPrivate())));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IOException("cannot build the TLS-ALPN-01 certificate: " + e.getMessage(), e);
        }
    }
}
