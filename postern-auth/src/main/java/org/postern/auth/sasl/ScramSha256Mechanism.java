// SPDX-License-Identifier: Apache-2.0
package org.postern.auth.sasl;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.postern.auth.Authenticator;
import org.postern.auth.ScramCredentials;
import org.postern.store.Account;

/**
 * SCRAM-SHA-256 without channel binding (RFC 5802 §5, RFC 7677). The server never sees the password:
 * it checks the client proof against StoredKey and proves itself with ServerKey. The server-final
 * message goes out as a last challenge; the client's empty answer completes the exchange, which works
 * the same over SMTP, IMAP and POP3.
 *
 * <p>Unknown users get a salt derived from their name, so the exchange does not reveal who exists.
 */
final class ScramSha256Mechanism implements SaslMechanism {
    private static final byte[] FAKE_SALT_KEY = new byte[32];
    static {
        new SecureRandom().nextBytes(FAKE_SALT_KEY);
    }

    private enum State { FIRST, FINAL, DONE }

    private final Authenticator authenticator;
    private final InetAddress client;
    private State state = State.FIRST;
    private String username;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;
    private Account account;
    private ScramCredentials creds;

    ScramSha256Mechanism(Authenticator authenticator, InetAddress client) {
        this.authenticator = authenticator;
        this.client = client;
    }

    @Override
    public String name() {
        return "SCRAM-SHA-256";
    }

    @Override
    public SaslStep start(byte[] initialResponse) {
        if (initialResponse == null) return new SaslStep.Challenge(new byte[0]);
        return next(initialResponse);
    }

    @Override
    public SaslStep next(byte[] response) {
        if (response.length > 4096) return new SaslStep.Failure(true, false);
        String msg = new String(response, StandardCharsets.UTF_8);
        return switch (state) {
            case FIRST -> clientFirst(msg);
            case FINAL -> clientFinal(msg);
            case DONE -> msg.isEmpty() && account != null ? new SaslStep.Success(account) : new SaslStep.Failure(true, false);
        };
    }

    private SaslStep clientFirst(String msg) {
        if (authenticator.isBlocked(client)) return new SaslStep.Failure(false, true);
        // gs2-header: "n,," or "y,," (no channel binding); "p=" needs binding we do not offer.
        String[] parts = msg.split(",", 3);
        if (parts.length < 3 || !(parts[0].equals("n") || parts[0].equals("y"))) return new SaslStep.Failure(true, false);
        String authzid = parts[1].startsWith("a=") ? unescape(parts[1].substring(2)) : parts[1].isEmpty() ? "" : null;
        if (authzid == null) return new SaslStep.Failure(true, false);
        gs2Header = parts[0] + "," + parts[1] + ",";
        clientFirstBare = parts[2];
        String user = null, cnonce = null;
        for (String attr : clientFirstBare.split(",")) {
            if (attr.startsWith("m=")) return new SaslStep.Failure(true, false); // RFC 5802 §5.1: unknown mandatory extension
            if (attr.startsWith("n=")) user = unescape(attr.substring(2));
            else if (attr.startsWith("r=")) cnonce = attr.substring(2);
        }
        if (user == null || user.isEmpty() || cnonce == null || cnonce.isEmpty()) return new SaslStep.Failure(true, false);
        username = user;
        Optional<Account> a = authenticator.account(user);
        if (a.isPresent() && !authzid.isEmpty() && !authzid.equalsIgnoreCase(a.get().address())) {
            a = Optional.empty(); // HOSTILE A18: no proxy authorization
        }
        if (a.isPresent() && !a.get().password().scram().isEmpty()) {
            account = a.get();
            creds = ScramCredentials.decode(account.password().scram());
        } else {
            byte[] salt = java.util.Arrays.copyOf(ScramCredentials.hmac(FAKE_SALT_KEY, user.toLowerCase()), 16);
            creds = new ScramCredentials(ScramCredentials.ITERATIONS, salt, new byte[32], new byte[32]);
        }
        byte[] r = new byte[18];
        new SecureRandom().nextBytes(r);
        nonce = cnonce + Base64.getEncoder().encodeToString(r);
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(creds.salt()) + ",i=" + creds.iterations();
        state = State.FINAL;
        return new SaslStep.Challenge(serverFirst.getBytes(StandardCharsets.UTF_8));
    }

    private SaslStep clientFinal(String msg) {
        int p = msg.lastIndexOf(",p=");
        if (p < 0) return new SaslStep.Failure(true, false);
        String withoutProof = msg.substring(0, p);
        String channel = null, r = null;
        for (String attr : withoutProof.split(",")) {
            if (attr.startsWith("c=")) channel = attr.substring(2);
            else if (attr.startsWith("r=")) r = attr.substring(2);
        }
        // RFC 5802 §7: c= is the base64 of the gs2-header exactly as sent, authzid included
        // ("n,a=user@example.org," from Cyrus SASL clients such as mbsync and mutt).
        String expected = Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8));
        if (!expected.equals(channel)) return new SaslStep.Failure(true, false);
        if (!nonce.equals(r)) return new SaslStep.Failure(true, false);
        byte[] proof;
        try {
            proof = Base64.getDecoder().decode(msg.substring(p + 3));
        } catch (IllegalArgumentException e) {
            return new SaslStep.Failure(true, false);
        }
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] signature = ScramCredentials.hmac(creds.storedKey(), authMessage);
        boolean ok = account != null && proof.length == signature.length;
        if (ok) {
            byte[] clientKey = new byte[proof.length];
            for (int i = 0; i < proof.length; i++) clientKey[i] = (byte) (proof[i] ^ signature[i]);
            ok = MessageDigest.isEqual(ScramCredentials.sha256(clientKey), creds.storedKey());
        }
        authenticator.recordOutcome(client, username, ok);
        if (!ok) {
            account = null;
            return new SaslStep.Failure(false, false);
        }
        state = State.DONE;
        String serverFinal = "v=" + Base64.getEncoder().encodeToString(ScramCredentials.hmac(creds.serverKey(), authMessage));
        return new SaslStep.Challenge(serverFinal.getBytes(StandardCharsets.UTF_8));
    }

    /** RFC 5802 §5.1: "=2C" is ",", "=3D" is "="; any other "=" sequence is invalid. */
    private static String unescape(String s) {
        return s.replace("=2C", ",").replace("=3D", "=");
    }
}
