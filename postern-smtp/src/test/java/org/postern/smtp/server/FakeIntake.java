// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.postern.core.MailAddress;

/** Accepts alice@ and bob@ours.example, relays for the authenticated, keeps messages in memory. */
final class FakeIntake implements MailIntake {
    record Stored(SessionInfo session, Envelope envelope, byte[] data) {
        String text() {
            return new String(data, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static final Set<String> USERS = Set.of("alice@ours.example", "bob@ours.example");

    final List<Stored> messages = new CopyOnWriteArrayList<>();
    volatile IntakeException failWith;
    volatile boolean acceptEveryone;
    final List<Long> declaredSizes = new CopyOnWriteArrayList<>();

    @Override
    public RecipientDecision recipient(SessionInfo session, MailAddress rcpt, long declaredSize) {
        declaredSizes.add(declaredSize);
        return recipient(session, rcpt);
    }

    @Override
    public SenderDecision sender(SessionInfo session, MailAddress mailFrom) {
        return SenderDecision.accept();
    }

    @Override
    public RecipientDecision recipient(SessionInfo session, MailAddress rcpt) {
        if (acceptEveryone) return RecipientDecision.accept();
        if (rcpt.domain().equals("ours.example")) {
            return USERS.contains(rcpt.key()) ? RecipientDecision.accept()
                    : RecipientDecision.reject(550, "5.1.1", "User unknown");
        }
        return session.authenticated() ? RecipientDecision.accept()
                : RecipientDecision.reject(554, "5.7.1", "Relay access denied");
    }

    @Override
    public Receipt accept(SessionInfo session, Envelope envelope, MessageSource data)
            throws IntakeException, IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        data.writeTo(b);
        if (failWith != null) throw failWith;
        messages.add(new Stored(session, envelope, b.toByteArray()));
        return new Receipt("M" + messages.size());
    }
}
