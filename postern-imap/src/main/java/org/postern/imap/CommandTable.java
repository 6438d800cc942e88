// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import static java.util.Map.entry;

/**
 * Which session states allow each command, and whether untagged EXPUNGE may follow it, as data
 * (RFC 3501 §3 states, §6 "valid in" lines). RFC 3501 §7.4.1: EXPUNGE must not be sent while
 * responding to FETCH, STORE or SEARCH, because the client may still refer to messages by sequence
 * number; their UID forms may (RFC 3501 §6.4.8). Later extensions add rows here.
 */
final class CommandTable {
    enum State { NOT_AUTHENTICATED, AUTHENTICATED, SELECTED, LOGOUT }

    /**
     * @param states where the command is valid
     * @param expunges untagged EXPUNGE may be reported after it
     */
    record Rule(Set<State> states, boolean expunges) {}

    private static final Set<State> ANY = EnumSet.of(State.NOT_AUTHENTICATED, State.AUTHENTICATED, State.SELECTED);
    private static final Set<State> PRE = EnumSet.of(State.NOT_AUTHENTICATED);
    private static final Set<State> AUTH = EnumSet.of(State.AUTHENTICATED, State.SELECTED);
    private static final Set<State> SEL = EnumSet.of(State.SELECTED);

    private static final Map<String, Rule> RULES = Map.ofEntries(
            entry("CAPABILITY", new Rule(ANY, true)),
            entry("NOOP", new Rule(ANY, true)),
            entry("LOGOUT", new Rule(ANY, false)),
            entry("ID", new Rule(ANY, true)),
            entry("STARTTLS", new Rule(PRE, false)),
            entry("AUTHENTICATE", new Rule(PRE, false)),
            entry("LOGIN", new Rule(PRE, false)),
            entry("SELECT", new Rule(AUTH, false)),
            entry("EXAMINE", new Rule(AUTH, false)),
            entry("CREATE", new Rule(AUTH, true)),
            entry("DELETE", new Rule(AUTH, true)),
            entry("RENAME", new Rule(AUTH, true)),
            entry("SUBSCRIBE", new Rule(AUTH, true)),
            entry("UNSUBSCRIBE", new Rule(AUTH, true)),
            entry("LIST", new Rule(AUTH, true)),
            entry("LSUB", new Rule(AUTH, true)),
            entry("STATUS", new Rule(AUTH, true)),
            entry("APPEND", new Rule(AUTH, true)),
            entry("NAMESPACE", new Rule(AUTH, true)),
            entry("ENABLE", new Rule(AUTH, true)),
            entry("IDLE", new Rule(AUTH, true)),
            entry("COMPRESS", new Rule(AUTH, false)),
            entry("GETQUOTA", new Rule(AUTH, true)),
            entry("GETQUOTAROOT", new Rule(AUTH, true)),
            entry("SETQUOTA", new Rule(AUTH, true)),
            entry("GETMETADATA", new Rule(AUTH, true)),
            entry("SETMETADATA", new Rule(AUTH, true)),
            entry("SETACL", new Rule(AUTH, true)),
            entry("DELETEACL", new Rule(AUTH, true)),
            entry("GETACL", new Rule(AUTH, true)),
            entry("LISTRIGHTS", new Rule(AUTH, true)),
            entry("MYRIGHTS", new Rule(AUTH, true)),
            entry("NOTIFY", new Rule(AUTH, true)),
            entry("CHECK", new Rule(SEL, true)),
            entry("CLOSE", new Rule(SEL, false)),
            entry("UNSELECT", new Rule(SEL, false)),
            entry("EXPUNGE", new Rule(SEL, true)),
            entry("UID EXPUNGE", new Rule(SEL, true)),
            entry("SEARCH", new Rule(SEL, false)),
            entry("SORT", new Rule(SEL, false)),
            entry("UID SORT", new Rule(SEL, true)),
            entry("THREAD", new Rule(SEL, false)),
            entry("UID THREAD", new Rule(SEL, true)),
            entry("FETCH", new Rule(SEL, false)),
            entry("STORE", new Rule(SEL, false)),
            entry("COPY", new Rule(SEL, true)),
            entry("MOVE", new Rule(SEL, true)),
            entry("UID SEARCH", new Rule(SEL, true)),
            entry("UID FETCH", new Rule(SEL, true)),
            entry("UID STORE", new Rule(SEL, true)),
            entry("UID COPY", new Rule(SEL, true)),
            entry("UID MOVE", new Rule(SEL, true)),
            entry("REPLACE", new Rule(SEL, true)),
            entry("UID REPLACE", new Rule(SEL, true)));

    private CommandTable() {}

    static Rule rule(String commandName) {
        Rule r = RULES.get(commandName);
        if (r == null) throw new IllegalStateException("command missing from the table: " + commandName);
        return r;
    }
}
