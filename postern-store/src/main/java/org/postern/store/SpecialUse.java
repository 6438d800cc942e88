// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.Optional;

/** RFC 6154 special-use attributes; NONE for ordinary mailboxes. */
public enum SpecialUse {
    NONE(""), DRAFTS("\\Drafts"), SENT("\\Sent"), TRASH("\\Trash"), JUNK("\\Junk"), ARCHIVE("\\Archive"),
    ALL("\\All"), FLAGGED("\\Flagged");

    private final String attribute;

    SpecialUse(String attribute) {
        this.attribute = attribute;
    }

    /** The IMAP attribute, e.g. "\Sent", or "" for NONE. */
    public String attribute() {
        return attribute;
    }

    public static Optional<SpecialUse> ofAttribute(String a) {
        for (SpecialUse u : values()) {
            if (u != NONE && u.attribute.equalsIgnoreCase(a)) return Optional.of(u);
        }
        return Optional.empty();
    }
}
