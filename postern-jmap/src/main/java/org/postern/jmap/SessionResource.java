// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.postern.jmap.method.EmailSorts;
import org.postern.jmap.proto.JmapLimits;
import org.postern.jmap.proto.Json;
import org.postern.store.Account;

/** The JMAP Session object (RFC 8620 §2) for one authenticated account. */
final class SessionResource {
    private SessionResource() {}

    static ObjectNode of(Account account, JmapLimits limits, String base) {
        String id = Ids.account(account.id());
        ObjectNode s = Json.object();
        ObjectNode caps = s.putObject("capabilities");
        ObjectNode core = caps.putObject(JmapApi.CORE);
        core.put("maxSizeUpload", limits.maxSizeUpload());
        core.put("maxConcurrentUpload", limits.maxConcurrentUpload());
        core.put("maxSizeRequest", limits.maxSizeRequest());
        core.put("maxConcurrentRequests", limits.maxConcurrentRequests());
        core.put("maxCallsInRequest", limits.maxCallsInRequest());
        core.put("maxObjectsInGet", limits.maxObjectsInGet());
        core.put("maxObjectsInSet", limits.maxObjectsInSet());
        core.putArray("collationAlgorithms").add("i;unicode-casemap");
        caps.putObject(JmapApi.MAIL);
        caps.putObject(JmapApi.SUBMISSION);
        caps.putObject(JmapApi.VACATION); // RFC 8621 §1.3.3: no properties
        caps.putObject(JmapApi.SETTINGS);
        // RFC 8887 §4.1
        ObjectNode ws = caps.putObject(JmapApi.WEBSOCKET);
        ws.put("url", base.replaceFirst("^https:", "wss:") + "/jmap/ws");
        ws.put("supportsPush", true);

        ObjectNode acc = s.putObject("accounts").putObject(id);
        acc.put("name", account.address());
        acc.put("isPersonal", true);
        acc.put("isReadOnly", false);
        ObjectNode accCaps = acc.putObject("accountCapabilities");
        accCaps.putObject(JmapApi.CORE);
        // RFC 8621 §1.3.1
        ObjectNode mail = accCaps.putObject(JmapApi.MAIL);
        mail.putNull("maxMailboxesPerEmail");
        mail.putNull("maxMailboxDepth");
        mail.put("maxSizeMailboxName", 255);
        mail.put("maxSizeAttachmentsPerEmail", limits.maxSizeUpload());
        ArrayNode sorts = mail.putArray("emailQuerySortOptions");
        for (String o : EmailSorts.SUPPORTED) sorts.add(o);
        mail.put("mayCreateTopLevelMailbox", true);
        // RFC 8621 §1.3.2: maxDelayedSend and FUTURERELEASE as the submitter allows; DSN parameters always.
        ObjectNode sub = accCaps.putObject(JmapApi.SUBMISSION);
        org.postern.jmap.method.EmailSubmissionMethods.describe(sub, java.time.Instant.now());
        accCaps.putObject(JmapApi.VACATION);
        accCaps.putObject(JmapApi.SETTINGS);

        ObjectNode primary = s.putObject("primaryAccounts");
        primary.put(JmapApi.CORE, id);
        primary.put(JmapApi.MAIL, id);
        primary.put(JmapApi.SUBMISSION, id);
        primary.put(JmapApi.VACATION, id);
        primary.put(JmapApi.SETTINGS, id);
        s.put("username", account.address());
        s.put("apiUrl", base + "/jmap/api/");
        s.put("downloadUrl", base + "/jmap/download/{accountId}/{blobId}/{name}?accept={type}");
        s.put("uploadUrl", base + "/jmap/upload/{accountId}/");
        s.put("eventSourceUrl", base + "/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}");
        s.put("state", state(account));
        return s;
    }

    /** Changes when anything in the session object would (the account's name or id). */
    static String state(Account account) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((account.id() + "\0" + account.address())
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
