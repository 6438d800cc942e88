// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The server's TLS setup: TLS 1.2 and 1.3 only (RFC 8996), the JDK's default strong cipher suites,
 * and a certificate that can change under running listeners ({@link ReloadingKeyManager}).
 */
public final class TlsContext {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /** RFC 8737 §6.2: the ALPN protocol ID of TLS-ALPN-01 validation. */
    public static final String ACME_TLS_1 = "acme-tls/1";

    private final SSLContext context;
    private final ReloadingKeyManager keys;

    private TlsContext(ReloadingKeyManager keys) throws GeneralSecurityException {
        this.keys = keys;
        this.context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {keys}, null, new SecureRandom());
    }

    /** Certificate chain and key from PEM files, re-read when either file changes. */
    public static TlsContext fromPem(Path certificateChain, Path privateKey) throws IOException, GeneralSecurityException {
        return new TlsContext(ReloadingKeyManager.watching(certificateChain, privateKey));
    }

    /** A fixed key and chain (tests). */
    public static TlsContext of(PrivateKey key, X509Certificate... chain) throws GeneralSecurityException {
        return new TlsContext(ReloadingKeyManager.fixed(key, chain));
    }

    /** Wraps an accepted plain socket for the server side of a handshake, ignoring ALPN. */
    SSLSocket wrap(Socket plain) throws IOException {
        return wrap(plain, null);
    }

    /**
     * Wraps an accepted plain socket for the server side of a handshake on a port that speaks
     * {@code alpnProtocol} (null: ALPN is ignored). RFC 7301 §3.2: a client offering only protocols
     * this port does not speak gets the no_application_protocol alert; one offering none is served.
     * That stops cross-protocol attacks (ALPACA, HOSTILE A41) where a browser is steered to a mail
     * port with an HTTP request. Server names (SNI) are not matched: the JDK refuses malformed ones
     * with an alert, and any well-formed name gets the one certificate.
     */
    SSLSocket wrap(Socket plain, String alpnProtocol) throws IOException {
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
        ssl.setUseClientMode(false);
        SSLParameters p = ssl.getSSLParameters();
        p.setProtocols(PROTOCOLS);
        p.setUseCipherSuitesOrder(true);
        ssl.setSSLParameters(p);
        if (alpnProtocol != null) {
            // Called only when the client sent ALPN; null makes the JDK send no_application_protocol.
            ssl.setHandshakeApplicationProtocolSelector((s, offered) -> offered.contains(alpnProtocol) ? alpnProtocol : null);
        }
        return ssl;
    }

    /**
     * The ALPN protocol ID (IANA "TLS Application-Layer Protocol Negotiation (ALPN) Protocol IDs") of
     * a mail listener, from its name: {@code imap}, {@code pop3}, or {@code smtp} for SMTP and
     * submission; null for any other listener, which then ignores ALPN.
     */
    public static String alpnProtocol(String listenerName) {
        String n = listenerName.toLowerCase(java.util.Locale.ROOT);
        if (n.startsWith("imap")) return "imap";
        if (n.startsWith("pop3")) return "pop3";
        if (n.startsWith("smtp") || n.startsWith("submission")) return "smtp";
        return null;
    }

    /**
     * The server-side JDK context, for servers that drive their own handshakes (Jetty's SSLEngine).
     * Its key manager is the reloading one, so renewed PEM files reach those servers too.
     */
    public SSLContext sslContext() {
        return context;
    }

    /**
     * Serves {@code certificate} (the RFC 8737 §3 validation certificate with the acmeIdentifier
     * extension) to handshakes that negotiate {@value #ACME_TLS_1} with {@code name} in SNI, until
     * {@link #removeAcmeChallenge}. Other handshakes never see it.
     */
    public void putAcmeChallenge(String name, PrivateKey key, X509Certificate certificate) {
        keys.putAcmeChallenge(name, key, certificate);
    }

    public void removeAcmeChallenge(String name) {
        keys.removeAcmeChallenge(name);
    }

    /** The certificate currently served. */
    public X509Certificate certificate() {
        return keys.currentChain()[0];
    }

    /** A client context trusting exactly this server's certificate (tests, `postern doctor`). */
    public SSLContext clientContextTrustingSelf() throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("postern", certificate());
        javax.net.ssl.TrustManagerFactory tmf =
                javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), new SecureRandom());
        return c;
    }
}
