// SPDX-License-Identifier: Apache-2.0
package org.postern.it.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * A client {@link SSLContext} that offers exactly one TLS version, so RawClient's own STARTTLS upgrade
 * runs the handshake the test asks for (HOSTILE C1: every injection case under TLS 1.2 and 1.3).
 */
final class PinnedTls {
    private PinnedTls() {}

    static SSLContext pinned(SSLContext base, String protocol) {
        return new SSLContext(new Spi(base, protocol), base.getProvider(), base.getProtocol()) {};
    }

    private static final class Spi extends SSLContextSpi {
        private final SSLContext base;
        private final String protocol;

        Spi(SSLContext base, String protocol) {
            this.base = base;
            this.protocol = protocol;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
            throw new KeyManagementException("already initialised");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return new Factory(base.getSocketFactory(), protocol);
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw new UnsupportedOperationException("client only");
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            SSLEngine e = base.createSSLEngine();
            e.setEnabledProtocols(new String[] {protocol});
            return e;
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            SSLEngine e = base.createSSLEngine(host, port);
            e.setEnabledProtocols(new String[] {protocol});
            return e;
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return base.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return base.getClientSessionContext();
        }
    }

    private static final class Factory extends SSLSocketFactory {
        private final SSLSocketFactory base;
        private final String protocol;

        Factory(SSLSocketFactory base, String protocol) {
            this.base = base;
            this.protocol = protocol;
        }

        private Socket pin(Socket s) {
            SSLSocket ssl = (SSLSocket) s;
            var p = ssl.getSSLParameters();
            p.setProtocols(new String[] {protocol});
            ssl.setSSLParameters(p);
            return ssl;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return base.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return base.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return pin(base.createSocket(s, host, port, autoClose));
        }

        @Override
        public Socket createSocket(Socket s, InputStream consumed, boolean autoClose) throws IOException {
            return pin(base.createSocket(s, consumed, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return pin(base.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return pin(base.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return pin(base.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return pin(base.createSocket(address, port, localAddress, localPort));
        }
    }
}
