// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.spf;

import java.util.Locale;

/** RFC 7208 §2.6: the results of check_host(). */
public enum SpfResult {
    NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR;

    /** The result's name as RFC 8601 §2.7.2 and Received-SPF write it. */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** RFC 7208 §4.6.2 qualifiers. */
    static SpfResult ofQualifier(char q) {
        return switch (q) {
            case '+' -> PASS;
            case '-' -> FAIL;
            case '~' -> SOFTFAIL;
            case '?' -> NEUTRAL;
            default -> throw new IllegalArgumentException("qualifier " + q);
        };
    }
}
