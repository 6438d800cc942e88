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

    /**
     * A singleton type (RFC 8621 §8 VacationResponse, the Settings object) can only be updated: every
     * create and destroy fails with the "singleton" SetError (RFC 8620 §5.3).
     *
     * @param what the object as named in the descriptions, e.g. "VacationResponse"
     */
    static void refuseSingletonCreateAndDestroy(ObjectNode create, List<String> destroy, SetResult r, String what) {
        if (create != null) {
            for (var e : create.properties()) r.notCreated(e.getKey(), of("singleton", "there is exactly one " + what));
        }
        if (destroy != null) for (String id : destroy) r.notDestroyed(id, of("singleton", "the " + what + " cannot be destroyed"));
    }

    public static ObjectNode invalidProperties(String description, List<String> properties) {
        ObjectNode o = of("invalidProperties", description);
        var a = o.putArray("properties");
        properties.forEach(a::add);
        return o;
    }
}
