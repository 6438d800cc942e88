// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import org.postern.http.WebSessions;
import org.postern.store.Account;

/** Who sent an HTTP request, as {@link RequestAuth} found out. */
sealed interface Caller {
    /** HTTP Basic (API clients): no cookie rides along, so no CSRF check is needed. */
    record Basic(Account account) implements Caller {}

    /** A browser session: state changes need the session's CSRF token and a same-origin Origin. */
    record Browser(Account account, WebSessions.Session session) implements Caller {}

    /** No credentials, wrong ones, or an expired session. */
    record Anonymous() implements Caller {}

    /** Too many failures from this address: refused without checking. */
    record Throttled() implements Caller {}
}
