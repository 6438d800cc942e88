// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.postern.jmap.method.MailSubmitter;
import org.postern.store.Account;
import org.postern.store.Intake;
import org.postern.store.IntakeResult;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;

/**
 * A stand-in for the SMTP submission intake with its rules in miniature: the sender must be owned
 * (the account's address or alias@example.test), local recipients must exist, the From: line must
 * name an owned address. It delivers through {@link MailStore#deliver} like the real one.
 */
final class FakeSubmitter implements MailSubmitter {
    record Call(String mailFrom, List<String> recipients, String message, Intake.Options options,
            List<Intake.RecipientOptions> recipientOptions) {}

    private final MailStore store;
    final List<Call> calls = new ArrayList<>();
    int maxRecipients = 100;
    long maxSize = 1 << 20;

    FakeSubmitter(MailStore store) {
        this.store = store;
    }

    @Override
    public boolean owns(Account account, String address) {
        return address.equalsIgnoreCase(account.address()) || address.equalsIgnoreCase("alias@example.test");
    }

    @Override
    public int maxRecipients() {
        return maxRecipients;
    }

    @Override
    public long maxSize() {
        return maxSize;
    }

    @Override
    public synchronized Outcome submit(Account account, String mailFrom, List<String> recipients, byte[] message) {
        return submit(account, mailFrom, recipients, message, Intake.Options.NONE, List.of());
    }

    @Override
    public synchronized Outcome submit(Account account, String mailFrom, List<String> recipients, byte[] message,
            Intake.Options options, List<Intake.RecipientOptions> recipientOptions) {
        String text = new String(message, StandardCharsets.UTF_8);
        calls.add(new Call(mailFrom, recipients, text, options, recipientOptions));
        List<Intake.RecipientOptions> remoteOptions = new ArrayList<>();
        if (!owns(account, mailFrom)) return new Refused(Stage.SENDER, 553, "5.7.1", "Sender address not owned by user", List.of());
        List<String> unknown = new ArrayList<>();
        List<String> local = new ArrayList<>();
        List<String> remote = new ArrayList<>();
        List<Intake.Target> targets = new ArrayList<>();
        for (String r : recipients) {
            if (r.toLowerCase(Locale.ROOT).endsWith("@example.test")) {
                var a = store.directory().account(r);
                if (a.isEmpty()) {
                    unknown.add(r);
                    continue;
                }
                local.add(r);
                Mailbox inbox = store.mailboxes().find(a.get().id(), Mailbox.INBOX).orElseThrow();
                targets.add(new Intake.Target(a.get().id(), inbox.id(), Set.of()));
            } else {
                remote.add(r);
                remoteOptions.add(recipientOptions.isEmpty() ? Intake.RecipientOptions.NONE : recipientOptions.get(recipients.indexOf(r)));
            }
        }
        if (!unknown.isEmpty()) return new Refused(Stage.RECIPIENT, 550, "5.1.1", "User unknown", unknown);
        for (String line : text.split("\r\n")) {
            if (line.isEmpty()) break;
            if (line.regionMatches(true, 0, "From:", 0, 5) && !line.toLowerCase(Locale.ROOT).contains(account.address())
                    && !line.toLowerCase(Locale.ROOT).contains("alias@example.test")) {
                return new Refused(Stage.MESSAGE, 550, "5.7.1", "From header address not owned by user", List.of());
            }
        }
        try (var w = store.blobs().create()) {
            try (OutputStream out = w.stream()) {
                out.write(message);
            }
            String blob = w.commit();
            IntakeResult r = store.deliver(new Intake(blob, message.length, Instant.now(), targets,
                    remote.isEmpty() ? null : new Intake.Outbound(mailFrom, remote, options, remoteOptions)));
            return new Sent(local, r.queueId());
        } catch (IOException e) {
            return new Refused(Stage.MESSAGE, 451, "4.3.0", "Temporary failure", List.of());
        }
    }
}
