// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.postern.core.MailAddress;
import org.postern.core.mime.Address;
import org.postern.core.mime.AddressParser;
import org.postern.core.mime.Headers;
import org.postern.core.mime.MessageParser;
import org.postern.store.Account;
import org.postern.store.BlobStore;
import org.postern.store.Intake;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import org.postern.store.VacationStore.Vacation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vacation auto-replies (RFC 3834, set through JMAP VacationResponse, RFC 8621 §8), sent at local
 * delivery: to the envelope sender, from the null reverse-path, at most once per sender per period.
 * Runs after the message is durably delivered and never fails the delivery: any trouble is logged.
 */
final class VacationStep {
    private static final Logger log = LoggerFactory.getLogger(VacationStep.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);
    /** RFC 3834 §2: "not more than once in a period of several days"; 7 unless configured. */
    static final Duration DEFAULT_PERIOD = Duration.ofDays(7);
    private static final int MAX_SUBJECT = 900;

    /** Why no reply is sent; NONE means reply. */
    enum Skip {
        NONE, DISABLED, NULL_SENDER, ROBOT_SENDER, AUTO_SUBMITTED, MAILING_LIST, BULK_PRECEDENCE, NOT_ADDRESSED, SELF, ALREADY_ANSWERED
    }

    private final MailStore store;
    private final String hostname;
    private final Clock clock;
    private final AliasResolver aliases;
    private final Duration period;

    VacationStep(MailStore store, String hostname, Clock clock, AliasResolver aliases, Duration period) {
        this.store = store;
        this.hostname = hostname;
        this.clock = clock;
        this.aliases = aliases;
        this.period = period;
    }

    /** After delivery to {@code accounts}: the reply of each one on vacation. Never throws. */
    void delivered(List<Account> accounts, MailAddress mailFrom, byte[] headerBlock) {
        if (accounts.isEmpty()) return;
        for (Account a : accounts) {
            try {
                Skip why = reply(a, mailFrom, headerBlock);
                if (why != Skip.NONE && why != Skip.DISABLED) log.debug("no vacation reply from {} to <{}>: {}", a.address(), mailFrom, why);
            } catch (RuntimeException | IOException e) {
                log.warn("vacation reply from {} to <{}> failed: {}", a.address(), mailFrom, e.toString());
            }
        }
    }

    /** Sends the reply of {@code account} when the rules allow; says why not otherwise. */
    Skip reply(Account account, MailAddress mailFrom, byte[] headerBlock) throws IOException {
        Instant now = clock.instant();
        Vacation v;
        try {
            v = store.vacation().get(account.id());
        } catch (org.postern.store.StoreException.Refused e) {
            return Skip.DISABLED; // a backend without vacation settings
        }
        if (!v.activeAt(now)) return Skip.DISABLED;
        Headers headers = MessageParser.parse(headerBlock).headers();
        Skip why = check(account, mailFrom, headers);
        if (why != Skip.NONE) return why;
        // Claimed last: a message the rules refuse does not use up the sender's one reply.
        if (!store.vacation().claimReply(account.id(), mailFrom.key(), now, period)) return Skip.ALREADY_ANSWERED;
        send(account, mailFrom, headers, v, now);
        log.info("vacation reply from {} to <{}>", account.address(), mailFrom);
        return Skip.NONE;
    }

    /** RFC 3834 §2 and §3.1.8: who must not get an automatic response. */
    Skip check(Account account, MailAddress mailFrom, Headers headers) {
        // §2: never to the null reverse-path (bounces and other automatic mail).
        if (mailFrom == null) return Skip.NULL_SENDER;
        String local = mailFrom.localPart().toLowerCase(Locale.ROOT);
        // §2: responders should not reply to senders that are list or delivery agents.
        if (local.equals("mailer-daemon") || local.equals("listserv") || local.equals("majordomo") || local.startsWith("owner-")
                || local.endsWith("-request")) {
            return Skip.ROBOT_SENDER;
        }
        if (aliases.reaches(mailFrom, account)) return Skip.SELF;
        // §2, §5: Auto-Submitted with any value but "no" (parameters allowed after ';').
        for (String value : headers.all("Auto-Submitted")) {
            String kw = value.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!kw.equals("no")) return Skip.AUTO_SUBMITTED;
        }
        // §2: List-Id (RFC 2919) and the List-* fields of RFC 2369 mark mailing-list traffic.
        for (var h : headers.all()) {
            if (h.name().toLowerCase(Locale.ROOT).startsWith("list-")) return Skip.MAILING_LIST;
        }
        for (String value : headers.all("Precedence")) {
            String p = value.strip().toLowerCase(Locale.ROOT);
            if (p.equals("bulk") || p.equals("list") || p.equals("junk")) return Skip.BULK_PRECEDENCE;
        }
        // §2: only when the recipient's own address is among To/Cc (not Bcc, not a list it is on).
        if (!addressed(account, headers)) return Skip.NOT_ADDRESSED;
        return Skip.NONE;
    }

    private boolean addressed(Account account, Headers headers) {
        for (String field : List.of("To", "Cc")) {
            for (String value : headers.all(field)) {
                List<Address> parsed;
                try {
                    parsed = AddressParser.parseList(value);
                } catch (RuntimeException e) {
                    continue;
                }
                for (Address a : parsed) {
                    Optional<MailAddress> m = a.isMailbox() ? a.mailAddress() : Optional.empty();
                    if (m.isPresent() && aliases.reaches(m.get(), account)) return true;
                }
            }
        }
        return false;
    }

    private void send(Account account, MailAddress to, Headers original, Vacation v, Instant now) throws IOException {
        byte[] message = message(account, to, original, v, now);
        AliasResolver.Expansion x = aliases.expand(List.of(to));
        List<Intake.Target> targets = new ArrayList<>();
        for (Account a : x.local()) {
            Optional<Mailbox> inbox = store.mailboxes().find(a.id(), Mailbox.INBOX);
            inbox.ifPresent(m -> targets.add(new Intake.Target(a.id(), m.id(), Set.of())));
        }
        // §3.3: from the null reverse-path, so the reply itself can never be answered or bounced.
        Intake.Outbound out = x.remote().isEmpty() ? null
                : new Intake.Outbound("", x.remote().stream().map(MailAddress::toString).toList());
        if (targets.isEmpty() && out == null) return;
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            OutputStream s = w.stream();
            if (!targets.isEmpty()) s.write(TraceHeaders.returnPath(null));
            s.write(message);
            String blob = w.commit();
            store.deliver(new Intake(blob, w.size(), now, targets, out));
        }
    }

    /** RFC 3834 §3.1: From the recipient, Auto-Submitted: auto-replied, In-Reply-To/References, "Auto:". */
    byte[] message(Account account, MailAddress to, Headers original, Vacation v, Instant now) {
        String subject = v.subject() != null && !v.subject().isBlank() ? v.subject()
                : "Auto: " + Optional.ofNullable(original.first("Subject")).map(String::strip).orElse("");
        subject = subject.replaceAll("[\r\n]+", " ");
        if (subject.length() > MAX_SUBJECT) subject = subject.substring(0, MAX_SUBJECT);
        String messageId = original.first("Message-ID");
        String token = HexFormat.of().formatHex(bytes(12));
        String boundary = "=_postern_" + token;
        StringBuilder h = new StringBuilder();
        h.append("From: <").append(account.address()).append(">\r\n");
        h.append("To: <").append(to).append(">\r\n");
        h.append("Subject: ").append(encodeIfNeeded(subject)).append("\r\n");
        h.append("Date: ").append(DATE.format(ZonedDateTime.ofInstant(now, clock.getZone()))).append("\r\n");
        h.append("Message-ID: <").append(token).append('@').append(hostname).append(">\r\n");
        if (messageId != null && messageId.strip().startsWith("<") && messageId.length() < 1000) {
            String id = messageId.strip().replaceAll("[\r\n]+", " ");
            h.append("In-Reply-To: ").append(id).append("\r\n");
            String refs = Optional.ofNullable(original.first("References")).map(r -> r.replaceAll("[\r\n]+", " ").strip()).orElse("");
            if (refs.length() > 4000) refs = "";
            h.append("References: ").append(refs.isEmpty() ? id : refs + " " + id).append("\r\n");
        }
        h.append("Auto-Submitted: auto-replied\r\n");
        h.append("MIME-Version: 1.0\r\n");
        String text = v.textBody() != null ? v.textBody() : v.htmlBody() == null ? "" : v.htmlBody().replaceAll("<[^>]*>", "");
        if (v.htmlBody() == null) {
            h.append(part("text/plain", text));
        } else {
            h.append("Content-Type: multipart/alternative; boundary=\"").append(boundary).append("\"\r\n\r\n");
            h.append("--").append(boundary).append("\r\n").append(part("text/plain", text));
            h.append("--").append(boundary).append("\r\n").append(part("text/html", v.htmlBody()));
            h.append("--").append(boundary).append("--\r\n");
        }
        return h.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A body part in base64, so any text travels over 7-bit SMTP. */
    private static String part(String type, String text) {
        String body = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(text.getBytes(StandardCharsets.UTF_8));
        return "Content-Type: " + type + "; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body + "\r\n";
    }

    /** RFC 2047 for a subject with non-ASCII text the user typed; raw encoded-words pass unchanged. */
    private static String encodeIfNeeded(String s) {
        if (s.chars().allMatch(c -> c < 128)) return s;
        // §2 of RFC 2047: an encoded-word is at most 75 characters, so about 45 octets of text each.
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int end = i;
            int octets = 0;
            while (end < s.length()) {
                int cp = s.codePointAt(end);
                int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
                if (octets + n > 45) break;
                octets += n;
                end += Character.charCount(cp);
            }
            if (out.length() > 0) out.append("\r\n ");
            out.append("=?UTF-8?B?").append(Base64.getEncoder().encodeToString(s.substring(i, end).getBytes(StandardCharsets.UTF_8)))
                    .append("?=");
            i = end;
        }
        return out.toString();
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
