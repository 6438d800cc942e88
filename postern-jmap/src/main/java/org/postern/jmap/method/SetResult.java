// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.postern.jmap.proto.Json;

/** Collects the outcome of a /set call (RFC 8620 §5.3); empty maps are written as null. */
final class SetResult {
    private final ObjectNode created = Json.object();
    private final ObjectNode updated = Json.object();
    private final com.fasterxml.jackson.databind.node.ArrayNode destroyed = Json.array();
    private final ObjectNode notCreated = Json.object();
    private final ObjectNode notUpdated = Json.object();
    private final ObjectNode notDestroyed = Json.object();

    void created(String creationId, ObjectNode object) {
        created.set(creationId, object);
    }

    void updated(String id) {
        updated.set(id, NullNode.instance);
    }

    void destroyed(String id) {
        destroyed.add(id);
    }

    void notCreated(String creationId, ObjectNode error) {
        notCreated.set(creationId, error);
    }

    void notUpdated(String id, ObjectNode error) {
        notUpdated.set(id, error);
    }

    void notDestroyed(String id, ObjectNode error) {
        notDestroyed.set(id, error);
    }

    ObjectNode toJson(String accountId, String oldState, String newState) {
        ObjectNode o = Json.object();
        o.put("accountId", accountId);
        o.put("oldState", oldState);
        o.put("newState", newState);
        o.set("created", created.isEmpty() ? null : created);
        o.set("updated", updated.isEmpty() ? null : updated);
        o.set("destroyed", destroyed.isEmpty() ? null : destroyed);
        o.set("notCreated", notCreated.isEmpty() ? null : notCreated);
        o.set("notUpdated", notUpdated.isEmpty() ? null : notUpdated);
        o.set("notDestroyed", notDestroyed.isEmpty() ? null : notDestroyed);
        return o;
    }
}
