// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.wire;

/** The MAIL BODY parameter (RFC 6152 §2, RFC 3030 §3); SEVEN_BIT when absent. BINARYMIME needs BDAT. */
public enum BodyType {
    SEVEN_BIT("7BIT"), EIGHT_BIT_MIME("8BITMIME"), BINARY_MIME("BINARYMIME");

    private final String keyword;

    BodyType(String keyword) {
        this.keyword = keyword;
    }

    public String keyword() {
        return keyword;
    }
}
