// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.JmapApi;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;

/** Identity/get (RFC 8621 §6.1): one identity per account, its own address. */
public final class IdentityMethods {
    private IdentityMethods() {}

    public static void register(JmapApi api) {
        api.register(JmapApi.SUBMISSION, "Identity/get", IdentityMethods::get);
    }

    static ObjectNode get(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("accountId", "ids", "properties"));
        ctx.checkAccount(args);
        List<String> ids = Args.ids(args, "ids", ctx.limits().maxObjectsInGet());
        String id = "i" + ctx.account().id();
        ObjectNode out = Json.object();
        out.put("accountId", ctx.accountId());
        out.put("state", "0");
        ArrayNode list = out.putArray("list");
        ArrayNode notFound = out.putArray("notFound");
        if (ids == null || ids.contains(id)) {
            ObjectNode i = list.addObject();
            i.put("id", id);
            i.put("name", "");
            i.put("email", ctx.account().address());
            i.putNull("replyTo");
            i.putNull("bcc");
            i.put("textSignature", "");
            i.put("htmlSignature", "");
            i.put("mayDelete", false);
        }
        if (ids != null) ids.stream().filter(x -> !x.equals(id)).forEach(notFound::add);
        return out;
    }
}
