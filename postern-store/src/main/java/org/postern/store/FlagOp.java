// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

/** How STORE-like operations combine the given flags with a message's (RFC 9051 §6.4.6). */
public enum FlagOp {
    REPLACE, ADD, REMOVE
}
