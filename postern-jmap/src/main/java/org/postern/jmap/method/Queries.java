// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;

/** The window of a /query result: position, anchor, anchorOffset, limit, calculateTotal (RFC 8620 §5.5). */
final class Queries {
    /** The most ids one query returns, whatever the client asks (reported as "limit", §5.5). */
    static final int MAX_LIMIT = 1000;

    private Queries() {}

    static ObjectNode window(ObjectNode args, CallContext ctx, List<String> ids, String queryState, boolean canCalculateChanges)
            throws MethodError {
        long position = Args.integer(args, "position", 0, Long.MIN_VALUE + 1);
        String anchor = Args.string(args, "anchor");
        long anchorOffset = Args.integer(args, "anchorOffset", 0, Long.MIN_VALUE + 1);
        long limit = Args.integer(args, "limit", MAX_LIMIT, Long.MIN_VALUE + 1);
        if (limit < 0) throw MethodError.invalidArguments("limit must not be negative");
        boolean total = Args.bool(args, "calculateTotal", false);
        int n = ids.size();
        long start;
        if (anchor != null) {
            int idx = ids.indexOf(anchor);
            if (idx < 0) throw MethodError.anchorNotFound();
            start = Math.max(0, idx + anchorOffset);
        } else {
            start = position < 0 ? Math.max(0, n + position) : position;
        }
        boolean capped = limit > MAX_LIMIT;
        long effective = Math.min(limit, MAX_LIMIT);
        ObjectNode out = Json.object();
        out.put("accountId", ctx.accountId());
        out.put("queryState", queryState);
        out.put("canCalculateChanges", canCalculateChanges);
        out.put("position", start > n ? n : start);
        ArrayNode a = out.putArray("ids");
        for (long i = start; i < n && i < start + effective; i++) a.add(ids.get((int) i));
        if (total) out.put("total", n);
        if (capped) out.put("limit", MAX_LIMIT);
        return out;
    }
}
