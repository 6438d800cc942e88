// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3.wire;

/**
 * One POP3 command. Message numbers are 1-based positions in the session's maildrop snapshot
 * (RFC 1939 §5); the parser only checks that they are positive and fit in an int.
 */
public sealed interface Pop3Command {
    /** RFC 1939 §7. */
    record User(String name) implements Pop3Command {}

    /** RFC 1939 §7: the whole rest of the line, spaces included. */
    record Pass(String password) implements Pop3Command {}

    /** RFC 5034 §4; {@code initialResponse} is the base64 text as sent ("=" for empty), or null. */
    record Auth(String mechanism, String initialResponse) implements Pop3Command {}

    /** "AUTH" without arguments: the mechanism list some older clients ask for. */
    record AuthList() implements Pop3Command {}

    /** RFC 2595 §4. */
    record Stls() implements Pop3Command {}

    /** RFC 2449 §5. */
    record Capa() implements Pop3Command {}

    /** RFC 6856 §2. */
    record Utf8() implements Pop3Command {}

    record Stat() implements Pop3Command {}

    /** {@code msg} is 0 for the whole scan listing. */
    record List(int msg) implements Pop3Command {}

    record Retr(int msg) implements Pop3Command {}

    /** RFC 1939 §7: header plus {@code lines} body lines. */
    record Top(int msg, long lines) implements Pop3Command {}

    record Dele(int msg) implements Pop3Command {}

    /** {@code msg} is 0 for the whole unique-id listing. */
    record Uidl(int msg) implements Pop3Command {}

    record Noop() implements Pop3Command {}

    record Rset() implements Pop3Command {}

    record Quit() implements Pop3Command {}

    /** A line that is not a valid command; {@code reply} is safe to send (no client text in it). */
    record Invalid(String reply) implements Pop3Command {}
}
