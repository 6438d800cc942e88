// SPDX-License-Identifier: Apache-2.0
/**
 * Rules every storage backend applies the same way: mailbox name normalisation (RFC 9051 §5.1) and
 * the stored form of flags. For backends only; protocol modules go through the store API.
 */
package org.postern.store.backend;
