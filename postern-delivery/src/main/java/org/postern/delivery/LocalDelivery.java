// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery;

import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.postern.core.MailAddress;
import org.postern.mailauth.MailAuthCheck;
import org.postern.smtp.server.Envelope;
import org.postern.smtp.server.IntakeException;
import org.postern.smtp.server.MailIntake;
import org.postern.smtp.server.MessageSource;
import org.postern.smtp.server.Receipt;
import org.postern.smtp.server.RecipientDecision;
import org.postern.smtp.server.SenderDecision;
import org.postern.smtp.server.SessionInfo;
import org.postern.smtp.wire.SmtpReply;
import org.postern.store.Account;
import org.postern.store.BlobStore;
import org.postern.store.Intake;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import org.postern.store.Quota;
import org.postern.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MailIntake} of Postern: decides recipients and senders during the session, then streams
 * the message into a blob behind its trace fields and delivers it with one durable
 * {@link MailStore#deliver} call: local recipients to their INBOX, remote ones to the outbound queue.
 *
 * <p>The blob starts with Return-Path: when there are local recipients (RFC 5321 §4.4: added at final
 * delivery; every local copy has the same envelope sender). The outbound SMTP client must therefore
 * drop a leading Return-Path: line before relaying (§4.4: a relay must not send one).
 */
public final class LocalDelivery implements MailIntake {
    private static final Logger log = LoggerFactory.getLogger(LocalDelivery.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MailStore store;
    private final String hostname;
    private final Clock clock;
    private final AliasResolver aliases;
    private final MailAuthStep auth;
    private final VacationStep vacation;

    public LocalDelivery(MailStore store, String hostname) {
        this(store, hostname, Clock.systemDefaultZone());
    }

    public LocalDelivery(MailStore store, String hostname, Clock clock) {
        this(store, hostname, clock, null);
    }

    /**
     * @param mailAuth SPF/DKIM/DMARC for mail arriving on port 25, or null to accept it unchecked
     *     (no DNS to ask); submitted mail is DKIM-signed either way when its From domain has keys
     */
    public LocalDelivery(MailStore store, String hostname, Clock clock, MailAuthCheck mailAuth) {
        this.store = store;
        this.hostname = hostname.toLowerCase(Locale.ROOT);
        this.clock = clock;
        this.aliases = new AliasResolver(store.directory());
        this.auth = new MailAuthStep(store, mailAuth, clock);
        this.vacation = new VacationStep(store, this.hostname, clock, aliases, VacationStep.DEFAULT_PERIOD);
    }

    /** RFC 5321 §3.6, §4.5.1; HOSTILE A15: no relay for the unauthenticated, no backscatter. */
    @Override
    public RecipientDecision recipient(SessionInfo session, MailAddress rcpt) {
        return recipient(session, rcpt, 0);
    }

    /**
     * As {@link #recipient(SessionInfo, MailAddress)}, knowing the size the client declared with MAIL
     * FROM's SIZE= (RFC 1870 §6; 0 when none): an account over its quota, or that the declared size
     * would take over it, is refused with 452 4.2.2 (RFC 3463 §3.3 X.2.2 mailbox full; temporary, so
     * the sender retries once the user made room, RFC 5321 §4.5.3.1.10 has the same code for the same
     * reason) before any data is sent.
     */
    @Override
    public RecipientDecision recipient(SessionInfo session, MailAddress rcpt, long declaredSize) {
        try {
            if (isLocal(rcpt.domain())) {
                Optional<Account> account = aliases.account(rcpt);
                if (account.isPresent()) {
                    if (!fits(account.get(), declaredSize)) return RecipientDecision.reject(452, "4.2.2", "Mailbox full");
                    return RecipientDecision.accept();
                }
                if (!aliases.targets(rcpt).isEmpty()) {
                    return RecipientDecision.accept();
                }
                if (isPostmaster(rcpt) && !aliases.admins().isEmpty()) return RecipientDecision.accept();
                return RecipientDecision.reject(550, "5.1.1", "User unknown");
            }
            if (session.authenticated()) return RecipientDecision.accept();
            return RecipientDecision.reject(554, "5.7.1", "Relay access denied");
        } catch (StoreException e) {
            log.warn("recipient check for {} failed: {}", rcpt, e.toString());
            return RecipientDecision.reject(451, "4.3.0", "Temporary failure, please try again later");
        }
    }

    /** HOSTILE A16: an authenticated user sends only as an address they own. */
    @Override
    public SenderDecision sender(SessionInfo session, MailAddress mailFrom) {
        if (!session.authenticated()) return SenderDecision.accept(); // SPF/DKIM/DMARC: MailAuthStep, at end of data
        try {
            if (mailFrom != null && owns(session.account(), mailFrom)) return SenderDecision.accept();
        } catch (StoreException e) {
            log.warn("sender check for {} failed: {}", mailFrom, e.toString());
            return SenderDecision.reject(451, "4.3.0", "Temporary failure, please try again later");
        }
        return SenderDecision.reject(553, "5.7.1", "Sender address not owned by user");
    }

    @Override
    public Receipt accept(SessionInfo session, Envelope envelope, MessageSource data)
            throws IntakeException, IOException {
        AliasResolver.Expansion expansion;
        List<Intake.Target> targets = new ArrayList<>();
        try {
            expansion = expand(envelope.recipients());
            for (Account a : expansion.local()) {
                Mailbox inbox = store.mailboxes().find(a.id(), Mailbox.INBOX)
                        .orElseThrow(() -> new StoreException("account " + a.address() + " has no INBOX"));
                targets.add(new Intake.Target(a.id(), inbox.id(), Set.of()));
            }
        } catch (StoreException e) {
            throw IntakeException.temporary(e);
        }
        String id = newId();
        Instant now = clock.instant();
        // SPF/DKIM/DMARC or DKIM signing need the whole message before it goes into its blob.
        MailAuthStep.Prepared prepared = auth.applies(session) ? auth.prepare(session, envelope, data) : null;
        BlobStore.BlobWriter writer;
        try {
            if (prepared != null && prepared.quarantine()) targets = junk(targets); // RFC 7489 §6.3 p=quarantine
            // For an intake: the body is written by the delivery's transaction, before the writer closes.
            writer = store.blobs().createForIntake();
        } catch (IOException | StoreException e) {
            if (prepared != null) prepared.close();
            throw IntakeException.temporary(e);
        }
        try (writer; prepared) {
            OutputStream out = writer.stream();
            try {
                if (!targets.isEmpty()) out.write(TraceHeaders.returnPath(envelope.mailFrom()));
                if (prepared != null) out.write(prepared.authenticationResults());
                out.write(TraceHeaders.received(session, envelope, hostname, id, now, clock.getZone()));
                if (prepared != null) out.write(prepared.signatures());
            } catch (IOException e) {
                throw IntakeException.temporary(e);
            }
            if (prepared != null) {
                try {
                    prepared.writeContent(out);
                } catch (IOException e) {
                    throw IntakeException.temporary(e);
                }
            } else {
                data.writeTo(out);
            }
            if (session.authenticated() && session.mode().isSubmission()) checkFromHeader(session.account(), data);
            if (expansion.isEmpty()) {
                // Aliases that lead nowhere (a cycle, or only invalid targets): refusing keeps the mail
                // with its sender; "250" here would drop it (RFC 3463 §3.5: X.4.6 routing loop).
                log.warn("message {} from {}: no recipient left after alias expansion", id, envelope.mailFrom());
                throw new IntakeException(SmtpReply.of(554, "5.4.6", "Alias expansion found no mailbox for these recipients"));
            }
            String blobId;
            try {
                blobId = writer.commit();
            } catch (IOException e) {
                throw IntakeException.temporary(e);
            }
            // [queue/DSN, issue 3] The queue entry keeps the envelope's DSN (RFC 3461), REQUIRETLS (RFC 8689)
            // and BINARYMIME (RFC 3030) options; see org.postern.delivery.queue.OutboundOptions.
            Intake.Outbound outbound = expansion.remote().isEmpty() ? null
                    : org.postern.delivery.queue.OutboundOptions.outbound(envelope, expansion.remote());
            store.deliver(new Intake(blobId, writer.size(), now, targets, outbound));
            // [queue/DSN, issue 3] RFC 3461 §4.1: NOTIFY=SUCCESS of a recipient delivered here gets a
            // "delivered" report; best effort, after the commit (see queue.DeliveryReports).
            new org.postern.delivery.queue.DeliveryReports(store, hostname, clock).delivered(envelope,
                    envelope.recipients().stream().filter(r -> isLocal(r.domain()) && !expansion.remote().contains(r)).toList(),
                    blobId, writer.size(), now);
            // RFC 3834 vacation replies: best effort after the commit; none for mail sent to Junk.
            if (prepared == null || !prepared.quarantine()) vacation.delivered(expansion.local(), envelope.mailFrom(), data.headerBlock());
            log.info("message {} from <{}> delivered to {} local, {} remote", id,
                    envelope.mailFrom() == null ? "" : envelope.mailFrom(), targets.size(), expansion.remote().size());
            return new Receipt(id);
        } catch (StoreException e) {
            throw IntakeException.temporary(e);
        }
    }

    /** Accounts without limits (the default) cost no usage query here. */
    private boolean fits(Account account, long declaredSize) {
        Map<String, String> settings = account.settings();
        if (!settings.containsKey(Quota.STORAGE_SETTING) && !settings.containsKey(Quota.MESSAGES_SETTING)) return true;
        // At least one octet: an account exactly at its storage limit has no room for any message.
        return Quota.admits(store, account.id(), Math.max(1, declaredSize));
    }

    private List<Intake.Target> junk(List<Intake.Target> targets) {
        List<Intake.Target> out = new ArrayList<>();
        for (Intake.Target t : targets) out.add(new Intake.Target(t.accountId(), auth.junk(t.accountId()), t.flags()));
        return out;
    }

    /** Recipients through aliases; postmaster of a local domain without a mailbox reaches the admins. */
    private AliasResolver.Expansion expand(List<MailAddress> recipients) {
        AliasResolver.Expansion x = aliases.expand(recipients);
        boolean toPostmaster = recipients.stream().anyMatch(r -> isPostmaster(r) && isLocal(r.domain())
                && aliases.account(r).isEmpty() && aliases.targets(r).isEmpty());
        List<Account> admins = toPostmaster ? aliases.admins() : List.of();
        if (admins.isEmpty()) return x;
        Account postmaster = admins.get(0); // RFC 5321 §4.5.1: postmaster must reach someone
        List<Account> local = new ArrayList<>(x.local());
        if (local.stream().noneMatch(a -> a.id() == postmaster.id())) local.add(postmaster);
        return new AliasResolver.Expansion(List.copyOf(local), x.remote());
    }

    /** RFC 6409 §8.1 lets the MSA check the From: field; HOSTILE A16 says it must be owned too. */
    private void checkFromHeader(Account account, MessageSource data) throws IntakeException {
        List<String> fields = FromHeaderParser.fromFields(data.headerBlock());
        if (fields.isEmpty()) {
            throw new IntakeException(SmtpReply.of(550, "5.6.0", "Message has no From header"));
        }
        for (String value : fields) {
            List<MailAddress> addresses = FromHeaderParser.addresses(value);
            if (addresses.isEmpty()) {
                throw new IntakeException(SmtpReply.of(550, "5.6.0", "Unreadable From header"));
            }
            for (MailAddress a : addresses) {
                if (a == null || !owns(account, a)) {
                    throw new IntakeException(SmtpReply.of(550, "5.7.1", "From header address not owned by user"));
                }
            }
        }
    }

    private boolean owns(Account account, MailAddress a) {
        return isLocal(a.domain()) && aliases.reaches(a, account);
    }

    private boolean isLocal(String domain) {
        return aliases.isLocalDomain(domain) || domain.equals(hostname);
    }

    private static boolean isPostmaster(MailAddress a) {
        return a.localPart().equalsIgnoreCase("postmaster");
    }

    private static String newId() {
        char[] alphabet = "0123456789BCDFGHJKLMNPQRSTVWXYZ".toCharArray();
        char[] out = new char[14];
        for (int i = 0; i < out.length; i++) out[i] = alphabet[RANDOM.nextInt(alphabet.length)];
        return new String(out);
    }
}
