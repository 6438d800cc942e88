// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.postern.net.TlsContext;

/**
 * Lets the HTTPS connector's ALPN offer "acme-tls/1" (RFC 8737 §6.2), so a TLS-ALPN-01 validation
 * handshake completes; the key manager then presents the validation certificate (or none, failing
 * the handshake, when no challenge is open). RFC 8737 §3: no application data follows the
 * handshake, so the connection is closed as soon as it opens.
 */
final class AcmeTlsConnectionFactory extends AbstractConnectionFactory {

    AcmeTlsConnectionFactory() {
        super(TlsContext.ACME_TLS_1);
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        return configure(new AbstractConnection(endPoint, connector.getExecutor()) {
            @Override
            public void onOpen() {
                super.onOpen();
                getEndPoint().close();
            }

            @Override
            public void onFillable() {
                getEndPoint().close();
            }
        }, connector, endPoint);
    }
}
