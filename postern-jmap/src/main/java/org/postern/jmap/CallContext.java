// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import java.util.Map;
import org.postern.jmap.proto.JmapLimits;
import org.postern.jmap.proto.MethodError;
import org.postern.store.Account;
import org.postern.store.MailStore;

/**
 * What a method call may use: the authenticated account, the store, the limits, and the request's
 * creation id map (RFC 8620 §3.3 createdIds, §5.3 "#" references to objects created earlier), the
 * per-account thread cache, and the
 * caller's credentials (Password/change).
 */
public record CallContext(Account account, MailStore store, JmapLimits limits, Map<String, String> createdIds,
        Uploads uploads, MessageCache messages, ThreadCache threads, Credentials credentials) {
    public CallContext(Account account, MailStore store, JmapLimits limits, Map<String, String> createdIds,
            Uploads uploads, MessageCache messages) {
        this(account, store, limits, createdIds, uploads, messages, new ThreadCache(), Credentials.NONE);
    }

    public String accountId() {
        return Ids.account(account.id());
    }

    /** Checks the accountId argument. @throws MethodError accountNotFound for any other account */
    public void checkAccount(com.fasterxml.jackson.databind.JsonNode args) throws MethodError {
        var a = args.get("accountId");
        if (a == null || !a.isTextual()) throw MethodError.invalidArguments("accountId is required");
        if (!a.asText().equals(accountId())) throw MethodError.accountNotFound();
    }

    /** Resolves "#creationId" to the id created earlier in this request; other ids pass unchanged. */
    public String resolveId(String id) {
        if (id != null && id.startsWith("#")) return createdIds.get(id.substring(1));
        return id;
    }
}
