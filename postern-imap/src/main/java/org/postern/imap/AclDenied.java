// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import org.postern.store.StoreException;

/** The user has some right on a mailbox, but not the one this needs: NO [NOPERM] (RFC 5530 §3). */
final class AclDenied extends StoreException.Refused {
    AclDenied(String message) {
        super(message);
    }
}
