// SPDX-License-Identifier: Apache-2.0
package org.postern.auth.sasl;

/** One authentication exchange. Not reusable: make one per AUTH/AUTHENTICATE command. */
public interface SaslMechanism {
    String name();

    /** The first step; {@code initialResponse} is null when the client sent none (RFC 4422 §5). */
    SaslStep start(byte[] initialResponse);

    SaslStep next(byte[] response);
}
