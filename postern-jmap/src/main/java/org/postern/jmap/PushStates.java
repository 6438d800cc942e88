// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The WebSocket pushState (RFC 8887 §4.3.5): every pushed type's state in one opaque string, so a
 * client that comes back with it is told what moved while it was away. Decoding is bounded and
 * forgiving: anything that is not one of ours is no pushState at all.
 */
final class PushStates {
    static final int MAX_LENGTH = 256 * 1024;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PushStates() {}

    static String encode(Map<String, String> states) {
        ObjectNode o = MAPPER.createObjectNode();
        new TreeMap<>(states).forEach(o::put);
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MAPPER.writeValueAsBytes(o));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The states a pushState stands for, or null when it is absent or not ours. */
    static Map<String, String> decode(String pushState) {
        if (pushState == null || pushState.isEmpty() || pushState.length() > MAX_LENGTH) return null;
        try {
            JsonNode n = MAPPER.readTree(new String(Base64.getUrlDecoder().decode(pushState), StandardCharsets.UTF_8));
            if (!(n instanceof ObjectNode o) || o.size() > 32) return null;
            Map<String, String> out = new HashMap<>();
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                if (!e.getValue().isTextual()) return null;
                out.put(e.getKey(), e.getValue().asText());
            }
            return out;
        } catch (IllegalArgumentException | java.io.IOException e) {
            return null;
        }
    }
}
