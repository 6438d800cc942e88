// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

/** A tagged command. */
public record Request(String tag, Command command) {}
