// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import java.io.IOException;

/** A listener could not bind its port; the message names the port and why, for a one-line error. */
public final class PortInUseException extends IOException {
    private final int port;

    public PortInUseException(int port, String message, Throwable cause) {
        super(message, cause);
        this.port = port;
    }

    public int port() {
        return port;
    }
}
