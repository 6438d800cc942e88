// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.parse;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer target for the command parser: any input must give a {@link Request} or a
 * {@link ParseException}; every other Throwable (including StackOverflowError and OutOfMemoryError)
 * is a finding. In a normal build it replays the inputs under
 * src/test/resources/.../CommandParserFuzzTestInputs/parse; bench/fuzz/imap.sh fuzzes it for longer
 * (JAZZER_FUZZ=1).
 */
class CommandParserFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void parse(byte[] input) {
        for (boolean utf8 : new boolean[] {false, true}) {
            try {
                Request r = CommandParser.parse(input, utf8);
                touch(r.command());
            } catch (ParseException expected) {
                // the session answers BAD
            }
            try {
                CommandParser.appendPrefix(input, utf8);
            } catch (ParseException expected) {
                // the session answers BAD
            }
            try {
                CommandParser.appendNext(input, "INBOX");
            } catch (ParseException expected) {
                // the session answers BAD
            }
        }
        CommandParser.tagOf(input);
    }

    /** What the handlers do first with a parsed command must not fail either. */
    private static void touch(Command c) {
        switch (c) {
            case Command.Fetch f -> {
                f.set().resolve(1000);
                for (FetchItem i : f.items()) {
                    if (i instanceof FetchItem.BodySection b) b.section().wire();
                }
            }
            case Command.Store s -> s.set().resolve(SequenceSet.MAX);
            case Command.Catenate a -> {
                for (Command.CatenateMessage m : a.messages()) {
                    for (Command.CatPart p : m.parts()) {
                        if (p instanceof Command.CatPart.Url u) {
                            try {
                                CatenateParser.url(u.url());
                            } catch (ParseException expected) {
                                // NO [BADURL]
                            }
                        }
                    }
                }
            }
            case Command.Copy s -> s.set().resolve(7);
            case Command.Expunge e when e.uids() != null -> e.uids().resolve(0);
            default -> c.name();
        }
    }
}
