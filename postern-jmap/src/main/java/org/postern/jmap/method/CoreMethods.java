// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.JmapApi;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;

/** Core/echo (RFC 8620 §4.1) and Blob/copy (§6.3). */
public final class CoreMethods {
    private CoreMethods() {}

    public static void register(JmapApi api) {
        api.register(JmapApi.CORE, "Core/echo", (args, ctx) -> args.deepCopy());
        api.register(JmapApi.CORE, "Blob/copy", CoreMethods::blobCopy);
    }

    static ObjectNode blobCopy(ObjectNode args, CallContext ctx) throws MethodError {
        Args.only(args, Set.of("fromAccountId", "accountId", "blobIds"));
        JsonNode from = args.get("fromAccountId");
        if (from == null || !from.isTextual()) throw MethodError.invalidArguments("fromAccountId is required");
        ctx.checkAccount(args);
        // One account per login: any other source account does not exist for this user (A61).
        if (!from.asText().equals(ctx.accountId())) {
            throw new MethodError("fromAccountNotFound", "no such account");
        }
        var ids = Args.ids(args, "blobIds", ctx.limits().maxObjectsInSet());
        if (ids == null) throw MethodError.invalidArguments("blobIds is required");
        ObjectNode out = Json.object();
        out.put("fromAccountId", from.asText());
        out.put("accountId", ctx.accountId());
        ObjectNode copied = Json.object();
        ObjectNode notCopied = Json.object();
        for (String id : ids) {
            if (Blobs.readable(ctx, id)) copied.put(id, id);
            else notCopied.set(id, SetErrors.of("notFound", "no such blob"));
        }
        out.set("copied", copied.isEmpty() ? null : copied);
        out.set("notCopied", notCopied.isEmpty() ? null : notCopied);
        return out;
    }
}
