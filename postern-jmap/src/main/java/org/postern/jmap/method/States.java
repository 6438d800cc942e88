// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.jmap.CallContext;
import org.postern.store.Mailbox;
import org.postern.store.StoreException;

/**
 * The current state string of each data type an account can be pushed about (RFC 8620 §7.1
 * StateChange): the same strings the types' /get methods report, so a client that sees one change
 * calls /changes with the state it holds. A type the store does not keep is left out.
 */
public final class States {
    /** Every type a StateChange may name; "EmailDelivery" is RFC 8621 §1.5's push-only type. */
    public static final Set<String> TYPES = Set.of("Mailbox", "Email", "Thread", "EmailDelivery", "Identity",
            "EmailSubmission", "VacationResponse", "Settings");

    private States() {}

    public static Map<String, String> of(CallContext ctx, Set<String> types) {
        Map<String, String> m = new LinkedHashMap<>();
        if (types.contains("Email") || types.contains("Thread") || types.contains("EmailDelivery") || types.contains("Mailbox")) {
            List<Mailbox> list = ctx.store().mailboxes().list(ctx.account().id());
            if (types.contains("Email") || types.contains("Thread")) {
                String email = Messages.emailState(ctx);
                if (types.contains("Email")) m.put("Email", email);
                if (types.contains("Thread")) m.put("Thread", email);
            }
            if (types.contains("Mailbox")) m.put("Mailbox", MailboxMethods.state(ctx));
            // §1.5: moves when a message arrives, not on flag changes; every new message takes a UID.
            if (types.contains("EmailDelivery")) {
                long n = 0;
                for (Mailbox mb : list) n += mb.uidNext();
                m.put("EmailDelivery", "d" + n);
            }
        }
        put(m, types, "Identity", () -> IdentityMethods.state(ctx));
        put(m, types, "EmailSubmission", () -> EmailSubmissionMethods.state(ctx));
        put(m, types, "VacationResponse", () -> VacationResponseMethods.state(ctx));
        put(m, types, "Settings", () -> SettingsMethods.state(ctx));
        return m;
    }

    private static void put(Map<String, String> m, Set<String> types, String type, java.util.function.Supplier<String> state) {
        if (!types.contains(type)) return;
        try {
            m.put(type, state.get());
        } catch (StoreException.Refused e) {
            // this store keeps no such objects: nothing to push
        }
    }
}
