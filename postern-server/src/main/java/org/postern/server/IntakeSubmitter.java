// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.postern.core.MailAddress;
import org.postern.delivery.LocalDelivery;
import org.postern.jmap.method.MailSubmitter;
import org.postern.smtp.server.Envelope;
import org.postern.smtp.server.IntakeException;
import org.postern.smtp.server.MailIntake;
import org.postern.smtp.server.MessageSource;
import org.postern.smtp.server.RecipientDecision;
import org.postern.smtp.server.SenderDecision;
import org.postern.smtp.server.SessionInfo;
import org.postern.smtp.server.SmtpConfig;
import org.postern.smtp.wire.BodyType;
import org.postern.smtp.wire.MailParameters;
import org.postern.smtp.wire.RcptParameters;
import org.postern.smtp.wire.SmtpReply;
import org.postern.store.Account;
import org.postern.store.Intake;
import org.postern.store.IntakeResult;
import org.postern.store.MailStore;

/**
 * JMAP EmailSubmission (RFC 8621 §7.5) through the SMTP submission intake: each submission is one
 * authenticated port-587 transaction (MAIL FROM, RCPT TO each, DATA) run against a
 * {@link LocalDelivery}, so sender ownership (RFC 6409 §6.1, HOSTILE A16), the From: check, DKIM
 * signing, alias expansion, local delivery and the outbound queue are exactly those of SMTP. The
 * intake's store is watched only to learn the queue entry its one {@code deliver} created, for
 * deliveryStatus.
 */
final class IntakeSubmitter implements MailSubmitter {
    private final MailIntake intake;
    private final String hostname;
    private final int maxRecipients;
    private final long maxSize;
    private final ThreadLocal<Delivered> delivered = new ThreadLocal<>();

    private record Delivered(Intake intake, IntakeResult result) {}

    IntakeSubmitter(MailStore store, String hostname, int maxRecipients, long maxSize) {
        this.hostname = hostname;
        this.maxRecipients = maxRecipients;
        this.maxSize = maxSize;
        this.intake = new LocalDelivery(watched(store), hostname, Clock.systemDefaultZone(), null);
    }

    @Override
    public int maxRecipients() {
        return maxRecipients;
    }

    @Override
    public long maxSize() {
        return maxSize;
    }

    /** The same hold limit as FUTURERELEASE on port 587 (RFC 4865 §3): both end in the same queue entry. */
    @Override
    public java.time.Duration maxDelayedSend() {
        return SmtpConfig.DEFAULT_MAX_FUTURE_RELEASE;
    }

    private SessionInfo session(Account account) {
        // HTTPS carries the request; the Received: line names JMAP as the "helo".
        return new SessionInfo("jmap-" + UUID.randomUUID(), SmtpConfig.Mode.SUBMISSION, InetAddress.getLoopbackAddress(), "jmap",
                true, "TLSv1.3", null, account, Instant.now());
    }

    @Override
    public boolean owns(Account account, String address) {
        var a = MailAddress.parse(address);
        return a.isPresent() && intake.sender(session(account), a.get()) instanceof SenderDecision.Accept;
    }

    @Override
    public Outcome submit(Account account, String mailFrom, List<String> recipients, byte[] message) {
        return submit(account, mailFrom, recipients, message, Intake.Options.NONE, List.of());
    }

    /**
     * The DSN parameters become the MAIL FROM and RCPT TO parameters the SMTP session would have
     * parsed (RFC 3461 §4), so the intake carries them into the queue entry exactly as for port 587.
     */
    @Override
    public Outcome submit(Account account, String mailFrom, List<String> recipients, byte[] message, Intake.Options options,
            List<Intake.RecipientOptions> recipientOptions) {
        SessionInfo session = session(account);
        MailAddress from = null;
        if (!mailFrom.isEmpty()) {
            var parsed = MailAddress.parse(mailFrom);
            if (parsed.isEmpty()) return new Refused(Stage.SENDER, 553, "5.1.7", "Bad sender address syntax", List.of());
            from = parsed.get();
        }
        if (intake.sender(session, from) instanceof SenderDecision.Reject r) return refused(Stage.SENDER, r.reply(), List.of());
        List<MailAddress> rcpts = new ArrayList<>();
        List<RcptParameters> rcptParams = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        SmtpReply firstRefusal = null;
        for (int i = 0; i < recipients.size(); i++) {
            String r = recipients.get(i);
            var a = MailAddress.parse(r);
            RecipientDecision d = a.isEmpty() ? RecipientDecision.reject(501, "5.1.3", "Bad recipient address syntax")
                    : intake.recipient(session, a.get());
            if (d instanceof RecipientDecision.Reject no) {
                refused.add(r);
                if (firstRefusal == null) firstRefusal = no.reply();
            } else {
                rcpts.add(a.get());
                rcptParams.add(rcptParameters(i < recipientOptions.size() ? recipientOptions.get(i) : Intake.RecipientOptions.NONE));
            }
        }
        if (firstRefusal != null) return refused(Stage.RECIPIENT, firstRefusal, refused);
        if (message.length > maxSize) return new Refused(Stage.MESSAGE, 552, "5.3.4", "Message too big", List.of());
        Intake.Options o = options == null ? Intake.Options.NONE : options;
        MailParameters.Ret ret = o.ret() == null ? null : MailParameters.Ret.valueOf(o.ret().toUpperCase(Locale.ROOT));
        Envelope envelope = new Envelope(from, new MailParameters(message.length, bodyType(message), false, ret, o.envId(), false, null,
                o.holdUntil()),
                rcpts, rcptParams);
        delivered.remove();
        try {
            intake.accept(session, envelope, new Bytes(message));
            Delivered d = delivered.get();
            long queueId = d == null ? -1 : d.result().queueId();
            // From the intake itself: the queue runner may already have taken the entry.
            List<String> remote = d == null || d.intake().outbound() == null ? List.of() : d.intake().outbound().recipients();
            List<String> local = new ArrayList<>();
            for (String r : recipients) {
                if (remote.stream().noneMatch(r::equalsIgnoreCase)) local.add(r);
            }
            return new Sent(local, queueId);
        } catch (IntakeException e) {
            return refused(Stage.MESSAGE, e.reply(), List.of());
        } catch (IOException e) {
            return new Refused(Stage.MESSAGE, 451, "4.3.0", "Temporary failure, please try again later", List.of());
        } finally {
            delivered.remove();
        }
    }

    /** RFC 3461 §4.1, §4.2: NOTIFY and ORCPT as the SMTP parser would have given them. */
    private static RcptParameters rcptParameters(Intake.RecipientOptions o) {
        java.util.Set<RcptParameters.Notify> notify = java.util.EnumSet.noneOf(RcptParameters.Notify.class);
        if (o.notifyOn() != null) {
            for (String n : o.notifyOn().split(",")) notify.add(RcptParameters.Notify.valueOf(n.strip().toUpperCase(Locale.ROOT)));
        }
        return new RcptParameters(notify, o.orcptType(), o.orcpt());
    }

    private static Refused refused(Stage stage, SmtpReply reply, List<String> recipients) {
        return new Refused(stage, reply.code(), reply.enhanced() == null ? "" : reply.enhanced(), String.join(" ", reply.lines()),
                recipients);
    }

    /** RFC 6152: 8BITMIME when any octet is not ASCII. */
    private static BodyType bodyType(byte[] message) {
        for (byte b : message) if (b < 0) return BodyType.EIGHT_BIT_MIME;
        return BodyType.SEVEN_BIT;
    }

    /** The message as a DATA stream would give it (dot-unstuffed, CRLF), from memory. */
    private static final class Bytes implements MessageSource {
        private final byte[] message;

        Bytes(byte[] message) {
            this.message = message;
        }

        @Override
        public long writeTo(OutputStream out) throws IOException {
            out.write(message);
            return message.length;
        }

        @Override
        public byte[] headerBlock() {
            int end = headerEnd(message);
            return Arrays.copyOf(message, Math.min(end, MAX_HEADER_CAPTURE));
        }

        @Override
        public boolean headerBlockTruncated() {
            return headerEnd(message) > MAX_HEADER_CAPTURE;
        }

        /** Offset just past the blank line ending the header section, or the length. */
        private static int headerEnd(byte[] m) {
            for (int i = 0; i + 3 < m.length; i++) {
                if (m[i] == '\r' && m[i + 1] == '\n' && m[i + 2] == '\r' && m[i + 3] == '\n') return i + 4;
            }
            return m.length;
        }
    }

    /**
     * The store as the intake sees it: every call goes to the real store (a proxy, so methods added to
     * MailStore later pass through too), and the first deliver of the submitting thread is noted.
     */
    private MailStore watched(MailStore real) {
        InvocationHandler h = (proxy, method, args) -> {
            if (method.getName().equals("close") && method.getParameterCount() == 0) return null; // the server closes it
            Object result;
            try {
                result = method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            // Later delivers in the same call (a vacation reply, a delivery report) are not ours.
            if (method.getName().equals("deliver") && args != null && args.length == 1 && args[0] instanceof Intake i
                    && delivered.get() == null) {
                delivered.set(new Delivered(i, (IntakeResult) result));
            }
            return result;
        };
        return (MailStore) Proxy.newProxyInstance(MailStore.class.getClassLoader(), new Class<?>[] {MailStore.class}, h);
    }

    @Override
    public String toString() {
        return "IntakeSubmitter[" + hostname.toLowerCase(Locale.ROOT) + "]";
    }
}
