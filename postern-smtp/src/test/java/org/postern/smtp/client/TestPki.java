// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.postern.net.SelfSignedCertificate;
import org.postern.net.TlsContext;

/**
 * A certificate for one host name (and "localhost") that tests trust as their own CA: the SMTP
 * server's TLS, an HTTPS server's context, and the client trust that accepts it as PKIX-valid.
 */
final class TestPki {
    final TlsContext serverTls;
    final SSLContext serverContext;
    final SSLContext clientTrust;

    TestPki(Path dir, String hostName) throws Exception {
        Path cert = dir.resolve(hostName + ".pem");
        Path key = dir.resolve(hostName + ".key");
        SelfSignedCertificate.createIfMissing(cert, key, hostName);
        serverTls = TlsContext.fromPem(cert, key);
        clientTrust = serverTls.clientContextTrustingSelf();
        String pem = Files.readString(key).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey pk = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", pk, new char[0], new X509Certificate[] {serverTls.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, new SecureRandom());
    }

    /** A trust that accepts the certificates of all of {@code pkis} (a test CA of several roots). */
    static SSLContext trusting(TestPki... pkis) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int i = 0; i < pkis.length; i++) ks.setCertificateEntry("c" + i, pkis[i].serverTls.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), new SecureRandom());
        return c;
    }

    /** A trust that accepts nothing of ours (the JDK's default CAs). */
    static SSLContext jdkDefault() throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), new SecureRandom());
        return c;
    }
}
