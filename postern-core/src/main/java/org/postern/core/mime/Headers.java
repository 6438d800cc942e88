// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import java.util.ArrayList;
import java.util.List;

/** The fields of one header block in their original order; names compare case-insensitively. */
public final class Headers {
    static final Headers EMPTY = new Headers(List.of());

    private final List<Header> fields;

    Headers(List<Header> fields) {
        this.fields = List.copyOf(fields);
    }

    public List<Header> all() {
        return fields;
    }

    /** The unfolded value of the first field with this name, or null. */
    public String first(String name) {
        for (Header h : fields) {
            if (h.name().equalsIgnoreCase(name)) return h.unfolded();
        }
        return null;
    }

    /** Unfolded values of every field with this name, in order. */
    public List<String> all(String name) {
        List<String> out = new ArrayList<>();
        for (Header h : fields) {
            if (h.name().equalsIgnoreCase(name)) out.add(h.unfolded());
        }
        return out;
    }

    /** The fields with this name, offsets included (for IMAP HEADER.FIELDS). */
    public List<Header> fields(String name) {
        List<Header> out = new ArrayList<>();
        for (Header h : fields) {
            if (h.name().equalsIgnoreCase(name)) out.add(h);
        }
        return out;
    }

    public int size() {
        return fields.size();
    }

    @Override
    public String toString() {
        return "Headers" + fields;
    }
}
