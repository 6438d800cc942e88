// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.proto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Result references (RFC 8620 §3.7): an argument named "#foo" whose value is
 * {"resultOf", "name", "path"} is replaced by "foo" = the value the JSON Pointer (RFC 6901) path
 * selects in an earlier response of this request. The JMAP extension "*" maps the rest of the path
 * over every item of an array and flattens arrays of arrays one level.
 */
public final class ResultReferences {
    /** A response already produced in this request. */
    public record Response(String name, JsonNode arguments, String callId) {}

    private ResultReferences() {}

    /** Returns the arguments with every "#" reference resolved. @throws MethodError invalidArguments or invalidResultReference */
    public static ObjectNode resolve(ObjectNode args, List<Response> earlier) throws MethodError {
        boolean any = false;
        for (String k : (Iterable<String>) args::fieldNames) {
            if (k.startsWith("#")) {
                any = true;
                break;
            }
        }
        if (!any) return args;
        ObjectNode out = args.objectNode();
        for (var e : args.properties()) {
            String k = e.getKey();
            if (!k.startsWith("#")) {
                out.set(k, e.getValue());
                continue;
            }
            String plain = k.substring(1);
            // §3.7: "foo" and "#foo" together is invalidArguments.
            if (args.has(plain)) throw MethodError.invalidArguments("both " + plain + " and " + k + " given");
            JsonNode ref = e.getValue();
            if (!ref.isObject() || !ref.path("resultOf").isTextual() || !ref.path("name").isTextual()
                    || !ref.path("path").isTextual()) {
                throw MethodError.invalidResultReference("a result reference needs resultOf, name and path");
            }
            Response source = null;
            for (Response r : earlier) {
                if (r.callId().equals(ref.get("resultOf").asText())) {
                    source = r;
                    break;
                }
            }
            if (source == null || !source.name().equals(ref.get("name").asText())) {
                throw MethodError.invalidResultReference("no earlier response " + ref.get("name").asText() + " with call id "
                        + ref.get("resultOf").asText());
            }
            out.set(plain, evaluate(source.arguments(), ref.get("path").asText()));
        }
        return out;
    }

    /** Evaluates a JSON Pointer with the "*" extension. @throws MethodError invalidResultReference */
    public static JsonNode evaluate(JsonNode root, String pointer) throws MethodError {
        if (pointer.isEmpty()) return root;
        if (!pointer.startsWith("/")) throw MethodError.invalidResultReference("a path must start with /");
        String[] raw = pointer.substring(1).split("/", -1);
        List<String> tokens = new ArrayList<>(raw.length);
        for (String t : raw) tokens.add(t.replace("~1", "/").replace("~0", "~"));
        return walk(root, tokens, 0);
    }

    private static JsonNode walk(JsonNode node, List<String> tokens, int i) throws MethodError {
        if (i == tokens.size()) return node;
        String t = tokens.get(i);
        if (node.isArray()) {
            if (t.equals("*")) {
                ArrayNode out = ((ArrayNode) node).arrayNode();
                for (JsonNode item : node) {
                    JsonNode v = walk(item, tokens, i + 1);
                    if (v.isArray()) out.addAll((ArrayNode) v);
                    else out.add(v);
                }
                return out;
            }
            if (!t.matches("0|[1-9][0-9]{0,8}")) throw MethodError.invalidResultReference("bad array index " + t);
            int idx = Integer.parseInt(t);
            if (idx >= node.size()) throw MethodError.invalidResultReference("index " + t + " out of range");
            return walk(node.get(idx), tokens, i + 1);
        }
        if (node.isObject()) {
            JsonNode next = node.get(t);
            if (next == null) throw MethodError.invalidResultReference("no property " + t);
            return walk(next, tokens, i + 1);
        }
        throw MethodError.invalidResultReference("path goes through a non-container at " + t);
    }
}
