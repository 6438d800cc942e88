// SPDX-License-Identifier: Apache-2.0
/**
 * The administrative command line (DESIGN.md §7): domains, accounts, aliases, account settings.
 *
 * <p>Invariants: every command opens the store on the data folder for its own duration and works
 * whether or not a server runs on the same folder (SQLite arbitrates between the processes; the
 * server's change feed sees the change within a second). A failure is one line on stderr and exit
 * code 2 (bad arguments) or 1 (anything else), never a stack trace. Passwords never come from
 * arguments, only from standard input or an echo-free terminal prompt.
 */
package org.postern.server.cli;
