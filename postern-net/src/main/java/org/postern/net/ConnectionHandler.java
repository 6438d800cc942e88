// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import java.io.IOException;

/** Serves one accepted connection on its own virtual thread, from greeting to close. */
public interface ConnectionHandler {
    void handle(Connection connection) throws IOException;

    /**
     * Called instead of {@link #handle} when a limit refuses the connection; the handler may write a
     * one-line refusal (SMTP 421, IMAP * BYE, POP3 -ERR). The connection is closed afterwards.
     */
    default void refuse(Connection connection, String reason) throws IOException {}
}
