// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.postern.jmap.proto.Json;

/** SetError objects (RFC 8620 §5.3). */
public final class SetErrors {
    private SetErrors() {}

    public static ObjectNode of(String type, String description) {
        ObjectNode o = Json.object();
        o.put("type", type);
        if (description != null) o.put("description", description);
        return o;
    }

    public static ObjectNode invalidProperties(String description, List<String> properties) {
        ObjectNode o = of("invalidProperties", description);
        var a = o.putArray("properties");
        properties.forEach(a::add);
        return o;
    }
}
