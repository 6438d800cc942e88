// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.Map;

/** A user. {@code address} is the login name and the primary address. */
public record Account(long id, String address, boolean admin, PasswordRecord password, Map<String, String> settings) {
    public Account {
        settings = Map.copyOf(settings);
    }

    public String setting(String key, String fallback) {
        return settings.getOrDefault(key, fallback);
    }
}
