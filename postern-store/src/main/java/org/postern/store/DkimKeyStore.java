// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The DKIM signing keys of our domains (RFC 6376 §3.6), kept in the store so every node of a shared
 * backend signs with the same keys. Domains and selectors are stored lower-case.
 */
public interface DkimKeyStore {
    /**
     * @param algorithm "rsa-sha256" or "ed25519-sha256"
     * @param privateKey PKCS#8 DER; {@code publicKey} X.509 SubjectPublicKeyInfo DER
     */
    record DkimKey(String domain, String selector, String algorithm, byte[] privateKey, byte[] publicKey, Instant created) {
        public DkimKey {
            domain = domain.toLowerCase(Locale.ROOT);
            selector = selector.toLowerCase(Locale.ROOT);
            privateKey = privateKey.clone();
            publicKey = publicKey.clone();
        }
    }

    /** @throws StoreException.Conflict when the domain already has a key with this selector */
    void add(DkimKey key);

    /** The domain's keys, oldest first. */
    List<DkimKey> keys(String domain);

    /** Removes one key; nothing happens when there is none. */
    void delete(String domain, String selector);
}
