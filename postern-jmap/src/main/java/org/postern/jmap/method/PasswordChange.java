// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.postern.auth.Passwords;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.Credentials;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;

/**
 * Password/change of the vendor settings capability: the current password is checked like a login
 * (same throttle, so this is no side door for guessing, HOSTILE.md A19); a wrong one is "forbidden"
 * (RFC 8620 §3.6.2). Every other session of the account ends with the change; the caller's browser
 * session is renewed ({@link Credentials#change}).
 */
final class PasswordChange {
    /** Shorter passwords are refused here (the CLI, used by administrators, accepts any length). */
    static final int MIN_LENGTH = 8;

    private PasswordChange() {}

    static ObjectNode change(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "currentPassword", "newPassword"));
        ctx.checkAccount(args);
        String current = Args.string(args, "currentPassword");
        String next = Args.string(args, "newPassword");
        if (current == null || next == null) throw MethodError.invalidArguments("currentPassword and newPassword are required");
        int length = next.codePointCount(0, next.length());
        if (length < MIN_LENGTH) {
            throw MethodError.invalidArguments("the new password must have at least " + MIN_LENGTH + " characters");
        }
        if (next.length() > Passwords.MAX_LENGTH) {
            throw MethodError.invalidArguments("the new password must have at most " + Passwords.MAX_LENGTH + " characters");
        }
        if (next.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw MethodError.invalidArguments("the new password must not contain control characters");
        }
        switch (ctx.credentials().check(current)) {
            case OK -> {}
            case WRONG -> throw new MethodError("forbidden", "the current password is wrong");
            case THROTTLED -> throw new MethodError("forbidden", "too many failed attempts; try again later");
        }
        ctx.credentials().change(next);
        return Json.object();
    }
}
