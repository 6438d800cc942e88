// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

/**
 * The caller's password, for Password/change: checked through the shared, throttled
 * {@link org.postern.auth.Authenticator} like any login, and replaced so that every other session of
 * the account ends while the caller's own browser session goes on under a fresh cookie.
 */
public interface Credentials {
    enum Check {
        OK,
        WRONG,
        /** Too many failures from this client: not even checked. */
        THROTTLED
    }

    Check check(String password);

    /** Stores the new password (hashed as the CLI does) and ends or renews sessions. */
    void change(String newPassword);

    /** For contexts without a caller to check (tests of other methods). */
    Credentials NONE = new Credentials() {
        @Override
        public Check check(String password) {
            return Check.WRONG;
        }

        @Override
        public void change(String newPassword) {
            throw new IllegalStateException("no credentials in this context");
        }
    };
}
