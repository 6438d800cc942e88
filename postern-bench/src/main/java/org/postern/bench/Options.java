// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --key value} and {@code --flag} arguments of one subcommand. Unknown options are refused,
 * so a typo never silently runs a different benchmark.
 */
final class Options {
    private final Map<String, String> values = new LinkedHashMap<>();

    private Options() {}

    /** @param flags option names without a value; every other known option takes one */
    static Options parse(List<String> args, Set<String> withValue, Set<String> flags) {
        Options o = new Options();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + a + "'");
            String name = a.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                if (inline != null) throw new IllegalArgumentException("--" + name + " takes no value");
                o.values.put(name, "true");
            } else if (withValue.contains(name)) {
                String v = inline;
                if (v == null) {
                    if (i + 1 >= args.size()) throw new IllegalArgumentException("--" + name + " needs a value");
                    v = args.get(++i);
                }
                o.values.put(name, v);
            } else {
                throw new IllegalArgumentException("unknown option --" + name);
            }
        }
        return o;
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String string(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    String required(String name) {
        String v = values.get(name);
        if (v == null) throw new IllegalArgumentException("--" + name + " is required");
        return v;
    }

    int integer(String name, int dflt, int min, int max) {
        String v = values.get(name);
        if (v == null) return dflt;
        try {
            int i = Integer.parseInt(v);
            if (i >= min && i <= max) return i;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("--" + name + " must be a number from " + min + " to " + max + ", not '" + v + "'");
    }

    double decimal(String name, double dflt, double min, double max) {
        String v = values.get(name);
        if (v == null) return dflt;
        try {
            double d = Double.parseDouble(v);
            if (d >= min && d <= max) return d;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("--" + name + " must be a number from " + min + " to " + max + ", not '" + v + "'");
    }
}
