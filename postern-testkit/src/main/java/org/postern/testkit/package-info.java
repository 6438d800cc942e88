// SPDX-License-Identifier: Apache-2.0
/**
 * Test fixtures for every module's integration tests: {@link org.postern.testkit.TestServer} (a whole
 * Postern in-process on ephemeral loopback ports), {@link org.postern.testkit.ForkedServer} (the
 * same as a separate OS process, for kill -9 and signal tests) and {@link
 * org.postern.testkit.RawClient} (line-based transcripts for SMTP, IMAP and POP3, with STARTTLS).
 *
 * <p>Invariants: everything binds 127.0.0.1 only; every wait has a deadline and fails with what was
 * seen so far; temporary folders are deleted on close.
 */
package org.postern.testkit;
