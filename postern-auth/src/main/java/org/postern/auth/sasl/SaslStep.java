// SPDX-License-Identifier: Apache-2.0
package org.postern.auth.sasl;

import org.postern.store.Account;

/** What a mechanism answers to a client response. */
public sealed interface SaslStep {
    /** Send this challenge (raw bytes; the protocol base64-encodes it) and wait for a response. */
    record Challenge(byte[] data) implements SaslStep {}

    record Success(Account account) implements SaslStep {}

    /** {@code malformed} distinguishes bad syntax (protocol error) from bad credentials. */
    record Failure(boolean malformed, boolean throttled) implements SaslStep {}
}
