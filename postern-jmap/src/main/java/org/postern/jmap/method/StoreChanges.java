// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.postern.jmap.Args;
import org.postern.jmap.CallContext;
import org.postern.jmap.proto.Json;
import org.postern.jmap.proto.MethodError;
import org.postern.store.ObjectChanges;

/**
 * The standard /changes (RFC 8620 §5.2) over a store's change numbers, for the object kinds that keep
 * one (Identity, EmailSubmission): the state string is the number in decimal.
 */
final class StoreChanges {
    /** How many ids one /changes answers when the client gives no maxChanges. */
    static final int DEFAULT_MAX = 500;

    @FunctionalInterface
    interface Source {
        Optional<ObjectChanges> since(long accountId, long state, int maxObjects);
    }

    private StoreChanges() {}

    static ObjectNode changes(ObjectNode args, CallContext ctx, Source source, String idPrefix) throws MethodError {
        Args.only(args, Set.of("accountId", "sinceState", "maxChanges"));
        ctx.checkAccount(args);
        String since = Args.string(args, "sinceState");
        if (since == null) throw MethodError.invalidArguments("sinceState is required");
        long max = Args.integer(args, "maxChanges", DEFAULT_MAX, 0);
        // §5.2: maxChanges, when given, is a positive integer.
        if (args.hasNonNull("maxChanges") && max == 0) throw MethodError.invalidArguments("maxChanges must be positive");
        long state = parse(since);
        if (state < 0) throw MethodError.cannotCalculateChanges();
        ObjectChanges c = source.since(ctx.account().id(), state, (int) Math.min(max, DEFAULT_MAX))
                .orElseThrow(MethodError::cannotCalculateChanges);
        ObjectNode out = Json.object();
        out.put("accountId", ctx.accountId());
        out.put("oldState", since);
        out.put("newState", Long.toString(c.newState()));
        out.put("hasMoreChanges", c.hasMore());
        ids(out.putArray("created"), c.created(), idPrefix);
        ids(out.putArray("updated"), c.updated(), idPrefix);
        ids(out.putArray("destroyed"), c.destroyed(), idPrefix);
        return out;
    }

    /** A state string of ours as its number, or -1. */
    static long parse(String state) {
        if (state == null || !state.matches("[0-9]{1,18}")) return -1;
        return Long.parseLong(state);
    }

    /** The store id in an id of ours ({@code prefix} then digits), or -1. */
    static long idOf(String id, String prefix) {
        if (id == null || !id.startsWith(prefix)) return -1;
        String rest = id.substring(prefix.length());
        if (!rest.matches("[1-9][0-9]{0,17}")) return -1;
        return Long.parseLong(rest);
    }

    private static void ids(ArrayNode to, List<Long> ids, String prefix) {
        for (long id : ids) to.add(prefix + id);
    }
}
