// SPDX-License-Identifier: Apache-2.0
/**
 * The admin page's server side: JSON for the static page under the webmail's /admin/.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Every endpoint requires a browser session (the webmail's login) of an admin: an account with
 *       the admin flag or listed in {@code admins} of postern.conf. Anyone else gets 403 and learns
 *       nothing about the server.</li>
 *   <li>The checks are those of {@code postern doctor} ({@link org.postern.server.cli.Doctor}), never
 *       a second implementation; one run at a time, and a result is reused for a few seconds so
 *       reloading the page does not probe every port again.</li>
 * </ul>
 */
package org.postern.server.admin;
