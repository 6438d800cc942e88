// SPDX-License-Identifier: Apache-2.0
/**
 * A fake authoritative DNS server for tests: records set by the test, answered over UDP and TCP on
 * 127.0.0.1 (RFC 1035 §4.2, RFC 7766), so the production resolver runs unchanged against it.
 *
 * <p>Invariants: binds only loopback on an ephemeral port; unknown names get NXDOMAIN, known names
 * without records of the asked type get an empty NOERROR answer (RFC 2308 NODATA); a UDP answer
 * that does not fit is truncated with TC set, so the client retries over TCP.
 */
package org.postern.testkit.dns;
