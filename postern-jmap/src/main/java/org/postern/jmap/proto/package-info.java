// SPDX-License-Identifier: Apache-2.0
/**
 * The JMAP wire layer of RFC 8620, without HTTP or store: bounded JSON parsing (§8.4 and HOSTILE.md
 * A62), the Request object (§3.3), result references with the '*' extension of JSON Pointer (§3.7),
 * and the request-level (§3.6.1, RFC 7807 problem details) and method-level (§3.6.2) errors.
 *
 * <p>Invariants: parsing never recurses deeper than {@link JmapLimits#maxJsonDepth}, never keeps a
 * string or number longer than the limits, and rejects duplicate object keys; every failure becomes a
 * {@link RequestError} or {@link MethodError}, never an exception escaping to HTTP.
 */
package org.postern.jmap.proto;
