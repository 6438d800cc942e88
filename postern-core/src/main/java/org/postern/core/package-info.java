// SPDX-License-Identifier: Apache-2.0
/**
 * The mail model without I/O: addresses, flags, limits. Nothing here touches a socket or a disk.
 *
 * <p>RFC 5321 §4.1.2 (path syntax), §4.5.3.1 (size limits); RFC 5322 §3.4 (addresses).
 */
package org.postern.core;
