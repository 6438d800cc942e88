// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.wire;

/** The MAIL BODY parameter (RFC 6152 §2); SEVEN_BIT when absent. BINARYMIME waits for CHUNKING. */
public enum BodyType {
    SEVEN_BIT("7BIT"), EIGHT_BIT_MIME("8BITMIME");

    private final String keyword;

    BodyType(String keyword) {
        this.keyword = keyword;
    }

    public String keyword() {
        return keyword;
    }
}
