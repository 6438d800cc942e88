// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.function.Consumer;

/**
 * Change notifications. Listeners run on a notifier thread and must return quickly (enqueue, wake a
 * session); they must never write to a socket. Changes made by another process on the same data (the
 * CLI while the server runs) reach listeners within a second.
 *
 * <p>Events are hints: a listener may be told of a change it already knows about, never fewer. A
 * backend that loses its notification channel for a while (the shared backend's LISTEN connection)
 * makes up for the gap once it is back with account-wide events for every subscribed account, and
 * subscribers to all accounts then also get an event for account 0, which means "any account may
 * have changed": re-check everything followed.
 *
 * <p>Every kind of per-account object is announced ({@link ChangeEvent.Kind}), so a listener looks at
 * the kind first and returns at once for kinds it does not follow ({@link ChangeEvent.Kind#aboutMail}
 * for mail listeners); kinds may be added, so none may assume it knows them all. Events of identities,
 * submissions, the vacation response, settings and annotations reach other processes and nodes as
 * mail events do; after a gap the account-wide resync event stands for them too.
 */
public interface ChangeFeed {
    /** Subscribes to changes of one account; 0 means all accounts. Close to unsubscribe. */
    AutoCloseable subscribe(long accountId, Consumer<ChangeEvent> listener);

    /** What {@link #version} returns when the feed cannot vouch for a version: ask the store. */
    long UNKNOWN = -1;

    /**
     * A number that grows whenever a change of the account is published (of any kind; it may also grow
     * for other accounts' changes), or {@link #UNKNOWN}. A feed that returns versions promises that a
     * write of this process has made it grow before the write returned to its caller, so an unchanged
     * version means the store holds nothing new for the account that this process wrote; other
     * processes' (and nodes') writes count from when the feed hears of them, as for listeners. IMAP
     * uses it to skip asking the store after every command when nothing happened.
     */
    default long version(long accountId) {
        return UNKNOWN;
    }

    /** {@link #version} of one account just before and just after one write's events were published. */
    record Span(long before, long after) {}

    /**
     * What the calling thread's latest write did to {@link #version}{@code (accountId)}: the version just
     * before that write's events were published and just after, nothing else having been published in
     * between; null when the feed cannot tell, or the write published nothing for the account. A reader
     * that last saw version {@code v}, and whose own writes since then chain from {@code v} to the current
     * version (each span starting where the one before ended), knows that no one else changed the
     * account meanwhile: IMAP then reports its own APPEND from what the APPEND returned, not from a read.
     */
    default Span lastWrite(long accountId) {
        return null;
    }
}
