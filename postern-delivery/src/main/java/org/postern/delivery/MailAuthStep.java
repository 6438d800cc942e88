// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postern.core.MailAddress;
import org.postern.mailauth.AuthenticationResults;
import org.postern.mailauth.HeaderSection;
import org.postern.mailauth.MailAuthCheck;
import org.postern.mailauth.MailAuthVerdict;
import org.postern.mailauth.dkim.DkimSigner;
import org.postern.mailauth.dkim.DkimSigningKey;
import org.postern.smtp.server.Envelope;
import org.postern.smtp.server.IntakeException;
import org.postern.smtp.server.MessageSource;
import org.postern.smtp.server.SessionInfo;
import org.postern.smtp.server.SmtpConfig;
import org.postern.smtp.wire.SmtpReply;
import org.postern.store.DkimKeyStore;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import org.postern.store.SpecialUse;
import org.postern.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mail authentication inside the SMTP session, before "250": on port 25, SPF, DKIM and DMARC of
 * inbound mail (a DMARC reject is a 550 at end of data, a quarantine goes to Junk) and an
 * Authentication-Results field (RFC 8601) replacing any that claims our name; on submission, DKIM
 * signatures with the From domain's keys.
 *
 * <p>Mail from the host itself (127.0.0.1, ::1) is local software's mail and is not checked, like
 * Postfix's default mynetworks; other loopback addresses are (tests connect from 127.0.0.2).
 */
final class MailAuthStep {
    private static final Logger log = LoggerFactory.getLogger(MailAuthStep.class);

    private final MailStore store;
    private final MailAuthCheck check;
    private final Clock clock;

    /** @param check null when inbound mail is not checked (no DNS, e.g. in-process test servers) */
    MailAuthStep(MailStore store, MailAuthCheck check, Clock clock) {
        this.store = store;
        this.check = check;
        this.clock = clock;
    }

    boolean applies(SessionInfo session) {
        return checks(session) || signs(session);
    }

    private boolean checks(SessionInfo s) {
        return check != null && s.mode() == SmtpConfig.Mode.MX && !s.authenticated() && !fromThisHost(s.clientAddress());
    }

    private static boolean signs(SessionInfo s) {
        return s.authenticated() && s.mode().isSubmission();
    }

    static boolean fromThisHost(InetAddress a) {
        if (a == null) return true;
        if (a instanceof Inet4Address) return a.getHostAddress().equals("127.0.0.1");
        return a.isLoopbackAddress();
    }

    /**
     * The message after checking or signing.
     *
     * @param authenticationResults the field to put before Received, empty when not checked
     * @param signatures DKIM-Signature fields to put right before the content
     */
    record Prepared(MessageSpool spool, byte[] authenticationResults, byte[] signatures, byte[] header, boolean quarantine)
            implements AutoCloseable {
        /** The content as it goes into the blob: the (filtered) header fields, then the rest as received. */
        void writeContent(OutputStream out) throws IOException {
            if (header == null) {
                try (InputStream in = spool.open(0)) {
                    in.transferTo(out);
                }
                return;
            }
            out.write(header);
            try (InputStream in = spool.open(spool.headerLength())) {
                in.transferTo(out);
            }
        }

        @Override
        public void close() {
            spool.close();
        }
    }

    /** Reads the message and decides. @throws IntakeException 550 5.7.1 when DMARC says reject */
    Prepared prepare(SessionInfo session, Envelope envelope, MessageSource data) throws IntakeException, IOException {
        MessageSpool spool = new MessageSpool();
        boolean done = false;
        try {
            data.writeTo(spool.stream());
            HeaderSection headers = HeaderSection.parse(spool.headerBlock());
            byte[] ar = new byte[0];
            byte[] header = null;
            boolean quarantine = false;
            if (checks(session)) {
                List<String> fromDomains = fromDomains(spool.headerBlock());
                MailAuthVerdict v;
                try (InputStream body = spool.open(spool.bodyOffset())) {
                    v = check.check(session.clientAddress(), session.heloName(),
                            envelope.mailFrom() == null ? null : envelope.mailFrom().toString(), headers, fromDomains, body);
                }
                log.info("mail auth from {} <{}>: spf={} dkim={} dmarc={} -> {}", session.clientAddress().getHostAddress(),
                        envelope.mailFrom() == null ? "" : envelope.mailFrom(), v.spf().result().token(),
                        v.dkim().stream().map(r -> r.status().token()).toList(), v.dmarc().result().token(), v.disposition());
                if (v.disposition() == MailAuthVerdict.Disposition.REJECT) {
                    // RFC 7489 §6.7 and §10.3: reject during the session, with the policy named
                    throw new IntakeException(SmtpReply.of(550, "5.7.1",
                            "Message rejected: DMARC policy of " + v.dmarc().fromDomain() + " (no aligned SPF or DKIM pass)"));
                }
                quarantine = v.disposition() == MailAuthVerdict.Disposition.QUARANTINE;
                ar = v.authenticationResults().getBytes(StandardCharsets.ISO_8859_1);
                // RFC 8601 §5: fields claiming our authserv-id did not come from us
                if (spool.headerLength() >= 0 && !headers.truncated()
                        && headers.fields().stream().anyMatch(f -> AuthenticationResults.claims(f, check.authservId()))) {
                    header = headers.without(f -> AuthenticationResults.claims(f, check.authservId())).toBytes();
                }
            }
            byte[] signatures = signs(session) ? sign(headers, spool) : new byte[0];
            done = true;
            return new Prepared(spool, ar, signatures, header, quarantine);
        } finally {
            if (!done) spool.close();
        }
    }

    private byte[] sign(HeaderSection headers, MessageSpool spool) {
        List<String> domains = fromDomains(headers.toBytes());
        if (domains.isEmpty()) return new byte[0];
        String domain = domains.get(0);
        try {
            List<DkimSigningKey> keys = new ArrayList<>();
            for (DkimKeyStore.DkimKey k : store.dkimKeys().keys(domain)) {
                keys.add(new DkimSigningKey(k.domain(), k.selector(), k.algorithm(), k.privateKey(), k.publicKey()));
            }
            if (keys.isEmpty()) return new byte[0];
            List<String> fields;
            try (InputStream body = spool.open(spool.bodyOffset())) {
                fields = DkimSigner.sign(keys, headers, body, clock.instant());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String f : fields) out.writeBytes(f.getBytes(StandardCharsets.ISO_8859_1));
            return out.toByteArray();
        } catch (StoreException | IOException | GeneralSecurityException | IllegalArgumentException e) {
            // An unsigned message still goes out; receivers judge it by SPF.
            log.warn("DKIM signing for {} failed: {}", domain, e.toString());
            return new byte[0];
        }
    }

    private static List<String> fromDomains(byte[] headerBlock) {
        List<String> out = new ArrayList<>();
        for (String value : FromHeaderParser.fromFields(headerBlock)) {
            for (MailAddress a : FromHeaderParser.addresses(value)) {
                if (a != null) out.add(a.domain());
            }
        }
        return out;
    }

    /** The account's Junk mailbox (RFC 6154 \Junk), created when it is missing. */
    long junk(long accountId) {
        Optional<Mailbox> junk = store.mailboxes().list(accountId).stream().filter(m -> m.specialUse() == SpecialUse.JUNK).findFirst();
        if (junk.isEmpty()) junk = store.mailboxes().find(accountId, "Junk");
        if (junk.isPresent()) return junk.get().id();
        try {
            return store.mailboxes().create(accountId, "Junk", SpecialUse.JUNK).id();
        } catch (StoreException.Conflict e) {
            return store.mailboxes().find(accountId, "Junk").orElseThrow(() -> e).id();
        }
    }
}
