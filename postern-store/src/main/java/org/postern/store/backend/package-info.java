// SPDX-License-Identifier: Apache-2.0
/**
 * Rules every storage backend applies the same way: mailbox name normalisation (RFC 9051 §5.1),
 * the stored form of flags, and the reading of thread links (RFC 5322 §3.6.4, for RFC 8474 THREADID
 * and RFC 8621 threadId), and the derivation of sort keys (RFC 5256 §2-3, RFC 5957 §3). For
 * backends, except {@link org.postern.store.backend.ThreadLinks} and
 * {@link org.postern.store.backend.SortKeyDerivation}, which the protocols also use for bodies stored
 * before links and keys were stored on arrival: one reading of the links, one derivation of the keys.
 *
 * <p>Invariant: a message delivered or appended has its thread id and its sort keys (version
 * {@link org.postern.store.backend.SortKeyDerivation#VERSION}) in the transaction that stores it,
 * both from one reading of its header section, done before that transaction.
 */
package org.postern.store.backend;
