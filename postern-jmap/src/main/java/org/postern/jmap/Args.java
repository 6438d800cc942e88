// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.postern.jmap.proto.MethodError;

/** Typed access to method arguments; a wrong type is invalidArguments (RFC 8620 §3.6.2). */
public final class Args {
    private Args() {}

    /** A list of ids, or null when the argument is absent or null. */
    public static List<String> ids(ObjectNode args, String name, int max) throws MethodError {
        JsonNode n = args.get(name);
        if (n == null || n.isNull()) return null;
        if (!n.isArray()) throw MethodError.invalidArguments(name + " must be an array of ids");
        if (n.size() > max) throw MethodError.requestTooLarge("at most " + max + " ids in " + name);
        List<String> out = new ArrayList<>(n.size());
        for (JsonNode i : n) {
            if (!i.isTextual()) throw MethodError.invalidArguments(name + " must be an array of ids");
            out.add(i.asText());
        }
        return out;
    }

    /** Requested properties, or {@code defaults} when absent/null; unknown ones are invalidArguments. */
    public static Set<String> properties(ObjectNode args, String name, Set<String> known, Set<String> defaults)
            throws MethodError {
        JsonNode n = args.get(name);
        if (n == null || n.isNull()) return defaults;
        if (!n.isArray()) throw MethodError.invalidArguments(name + " must be an array of strings");
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode p : n) {
            if (!p.isTextual()) throw MethodError.invalidArguments(name + " must be an array of strings");
            String s = p.asText();
            if (!known.contains(s) && !(s.startsWith("header:") && known.contains("header:*"))) {
                throw MethodError.invalidArguments("unknown property " + s);
            }
            out.add(s);
        }
        return out;
    }

    public static String string(ObjectNode args, String name) throws MethodError {
        JsonNode n = args.get(name);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw MethodError.invalidArguments(name + " must be a string");
        return n.asText();
    }

    public static boolean bool(ObjectNode args, String name, boolean fallback) throws MethodError {
        JsonNode n = args.get(name);
        if (n == null || n.isNull()) return fallback;
        if (!n.isBoolean()) throw MethodError.invalidArguments(name + " must be a boolean");
        return n.asBoolean();
    }

    /** An Int/UnsignedInt argument (RFC 8620 §1.3: within ±2^53-1). */
    public static long integer(ObjectNode args, String name, long fallback, long min) throws MethodError {
        JsonNode n = args.get(name);
        if (n == null || n.isNull()) return fallback;
        if (!n.isIntegralNumber() || !n.canConvertToLong()) throw MethodError.invalidArguments(name + " must be an integer");
        long v = n.asLong();
        if (v < min || Math.abs(v) > (1L << 53) - 1) throw MethodError.invalidArguments(name + " is out of range");
        return v;
    }

    public static ObjectNode object(ObjectNode args, String name) throws MethodError {
        JsonNode n = args.get(name);
        if (n == null || n.isNull()) return null;
        if (!n.isObject()) throw MethodError.invalidArguments(name + " must be an object");
        return (ObjectNode) n;
    }

    /** Rejects arguments the method does not define (RFC 8620 §3.6.2 invalidArguments). */
    public static void only(ObjectNode args, Set<String> allowed) throws MethodError {
        for (String k : (Iterable<String>) args::fieldNames) {
            if (!allowed.contains(k)) throw MethodError.invalidArguments("unknown argument " + k);
        }
    }
}
