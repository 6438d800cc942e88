// SPDX-License-Identifier: Apache-2.0
package org.postern.auth;

import org.postern.store.Account;

/** The outcome of a credential check. Protocols answer Failure and Throttled with the same words. */
public sealed interface AuthResult {
    record Success(Account account) implements AuthResult {}

    record Failure() implements AuthResult {}

    /** Too many failures from this address or for this account: refused without checking. */
    record Throttled() implements AuthResult {}
}
