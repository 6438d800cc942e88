// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.JmapApi;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;

/**
 * Thread/get and Thread/changes (RFC 8621 §3). Until the store records conversation ids, every email
 * is its own thread ("t" + the email's key), which §3 permits ("a server MAY ... put each email in
 * its own thread").
 */
public final class ThreadMethods {
    private ThreadMethods() {}

    public static void register(JmapApi api) {
        api.register(JmapApi.MAIL, "Thread/get", ThreadMethods::get);
        api.register(JmapApi.MAIL, "Thread/changes", (a, c) -> EmailMethods.changes(a, c, 't'));
    }

    static ObjectNode get(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "ids", "properties"));
        ctx.checkAccount(args);
        List<String> ids = Args.ids(args, "ids", ctx.limits().maxObjectsInGet());
        if (ids == null) throw MethodError.requestTooLarge("ask for threads by id");
        Args.properties(args, "properties", Set.of("id", "emailIds"), Set.of("id", "emailIds"));
        ObjectNode out = Json.object();
        out.put("accountId", ctx.accountId());
        Messages.View view = Messages.view(ctx);
        out.put("state", view.state());
        ArrayNode list = out.putArray("list");
        ArrayNode notFound = out.putArray("notFound");
        for (String id : ids) {
            Optional<Messages.Entry> e = view.find(id, 't');
            if (e.isEmpty()) {
                notFound.add(id);
                continue;
            }
            ObjectNode t = list.addObject();
            t.put("id", id);
            t.putArray("emailIds").add(e.get().id());
        }
        return out;
    }
}
