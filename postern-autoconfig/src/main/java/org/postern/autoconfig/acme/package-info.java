// SPDX-License-Identifier: Apache-2.0
/**
 * Certificates from an ACME CA (RFC 8555, through acme4j) for the host name and the autoconfig and
 * mta-sts names, with the http-01 challenge (RFC 8555 §8.3) or TLS-ALPN-01 (RFC 8737), renewed
 * before they expire; a failed attempt is retried after 5 minutes, doubling up to the check interval.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Challenge responses are files in one folder ({@link org.postern.autoconfig.acme.AcmeChallengeHandler}
 *       serves them), so a renewal run by the CLI and the running server's HTTP listener need no other
 *       channel. Tokens are checked against the base64url alphabet before they name a file.</li>
 *   <li>A new certificate replaces the PEM files only once complete: key and chain are written to
 *       temporary files and moved into place, key first; the listeners' reloading key manager picks
 *       them up without a restart and keeps the old pair if the new one does not load.</li>
 *   <li>A failed attempt leaves the current certificate in place and is retried at the next check.</li>
 *   <li>TLS-ALPN-01 validation certificates live only in the running server's TLS context, and only
 *       from the challenge's start to its end (removed in a finally block).</li>
 * </ul>
 */
package org.postern.autoconfig.acme;
