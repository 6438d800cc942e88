// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.proto;

import java.util.Map;

/**
 * A method-level error (RFC 8620 §3.6.2): the method call gets ["error", {"type": ...}, callId] and
 * the rest of the request goes on. {@code extra} holds additional properties (e.g. "properties").
 */
public final class MethodError extends Exception {
    private final String type;
    private final Map<String, Object> extra;

    public MethodError(String type, String description, Map<String, Object> extra) {
        super(description, null, false, false);
        this.type = type;
        this.extra = Map.copyOf(extra);
    }

    public MethodError(String type, String description) {
        this(type, description, Map.of());
    }

    public static MethodError invalidArguments(String description) {
        return new MethodError("invalidArguments", description);
    }

    public static MethodError unknownMethod(String name) {
        return new MethodError("unknownMethod", "unknown method " + name);
    }

    public static MethodError accountNotFound() {
        return new MethodError("accountNotFound", "no such account");
    }

    public static MethodError invalidResultReference(String description) {
        return new MethodError("invalidResultReference", description);
    }

    public static MethodError requestTooLarge(String description) {
        return new MethodError("requestTooLarge", description);
    }

    public static MethodError cannotCalculateChanges() {
        return new MethodError("cannotCalculateChanges", "the state is too old or unknown; refetch");
    }

    public static MethodError unsupportedFilter(String description) {
        return new MethodError("unsupportedFilter", description);
    }

    public static MethodError unsupportedSort(String description) {
        return new MethodError("unsupportedSort", description);
    }

    public static MethodError anchorNotFound() {
        return new MethodError("anchorNotFound", "the anchor is not in the results");
    }

    public static MethodError stateMismatch() {
        return new MethodError("stateMismatch", "ifInState does not match the current state");
    }

    public String type() {
        return type;
    }

    public Map<String, Object> extra() {
        return extra;
    }
}
