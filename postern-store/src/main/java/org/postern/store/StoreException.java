// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

/** A store failure. Subclasses say what went wrong so protocols can map it to their reply codes. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The named thing does not exist (IMAP NO [NONEXISTENT], SMTP 550). */
    public static class NotFound extends StoreException {
        public NotFound(String message) {
            super(message);
        }
    }

    /** The thing to create already exists (IMAP NO [ALREADYEXISTS]). */
    public static class Conflict extends StoreException {
        public Conflict(String message) {
            super(message);
        }
    }

    /** The request breaks a rule of the store (deleting INBOX, a domain with accounts...). */
    public static class Refused extends StoreException {
        public Refused(String message) {
            super(message);
        }
    }

    /**
     * A temporary failure: disk full, database busy or unreachable. Protocols answer with a temporary
     * error (SMTP 4xx, IMAP NO [UNAVAILABLE]) and never claim success.
     */
    public static class Unavailable extends StoreException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Stored data is newer than this code understands: refuse to open it rather than damage it. */
    public static class TooNew extends StoreException {
        public TooNew(String message) {
            super(message);
        }
    }
}
