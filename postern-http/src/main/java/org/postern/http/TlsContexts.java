// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import java.lang.reflect.Field;
import javax.net.ssl.SSLContext;
import org.postern.net.TlsContext;

/**
 * The JDK SSLContext behind the server's {@link TlsContext}: its key manager re-reads the PEM files
 * when they change, so Jetty's handshakes pick up a renewed certificate exactly like the mail
 * listeners do. TlsContext does not expose the context yet (postern-net is another module's), so this
 * reads the field; replace with an accessor once TlsContext has one.
 */
final class TlsContexts {
    private TlsContexts() {}

    static SSLContext serverContext(TlsContext tls) {
        try {
            Field f = TlsContext.class.getDeclaredField("context");
            f.setAccessible(true);
            return (SSLContext) f.get(tls);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot reach the TLS context of postern-net", e);
        }
    }
}
