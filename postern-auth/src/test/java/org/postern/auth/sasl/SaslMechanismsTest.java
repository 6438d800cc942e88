// SPDX-License-Identifier: Apache-2.0
package org.postern.auth.sasl;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postern.auth.AuthThrottle;
import org.postern.auth.FakeDirectory;
import org.postern.auth.Authenticator;
import org.postern.auth.PasswordHasher;
import org.postern.auth.ScramCredentials;

class SaslMechanismsTest {
    private SaslMechanisms mechanisms;
    private final InetAddress ip = InetAddress.getLoopbackAddress();

    @BeforeEach
    void setUp() {
        FakeDirectory dir = new FakeDirectory();
        dir.add("alice@example.test", "s3cret");
        dir.add("bob@example.test", "hunter2");
        Authenticator auth = new Authenticator(dir,
                new AuthThrottle(AuthThrottle.Policy.RELAXED, Clock.systemUTC()), PasswordHasher.Cost.TEST, Clock.systemUTC());
        mechanisms = new SaslMechanisms(auth);
    }

    private SaslStep plain(String message) {
        return mechanisms.create("plain", ip).orElseThrow().start(message.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void plainAcceptsEmptyOrOwnAuthzid() {
        assertThat(plain("\0alice@example.test\0s3cret")).isInstanceOf(SaslStep.Success.class);
        assertThat(plain("alice@example.test\0alice@example.test\0s3cret")).isInstanceOf(SaslStep.Success.class);
    }

    @Test
    void plainRefusesImpersonationThroughAuthzid() {
        // HOSTILE A18: authenticate as alice, ask to act as bob.
        assertThat(plain("bob@example.test\0alice@example.test\0s3cret")).isEqualTo(new SaslStep.Failure(false, false));
    }

    @Test
    void plainRejectsMalformedMessages() {
        assertThat(plain("alice@example.test\0s3cret")).isEqualTo(new SaslStep.Failure(true, false));
        assertThat(plain("\0\0\0")).isEqualTo(new SaslStep.Failure(true, false));
        assertThat(mechanisms.create("PLAIN", ip).orElseThrow().start(new byte[] {0, 'a', 0, (byte) 0xff}))
                .isEqualTo(new SaslStep.Failure(true, false));
    }

    @Test
    void loginAsksUsernameThenPassword() {
        SaslMechanism m = mechanisms.create("LOGIN", ip).orElseThrow();
        assertThat(new String(((SaslStep.Challenge) m.start(null)).data(), StandardCharsets.US_ASCII)).isEqualTo("Username:");
        assertThat(new String(((SaslStep.Challenge) m.next("alice@example.test".getBytes())).data(), StandardCharsets.US_ASCII))
                .isEqualTo("Password:");
        assertThat(m.next("s3cret".getBytes())).isInstanceOf(SaslStep.Success.class);
    }

    @Test
    void unknownMechanismIsEmpty() {
        assertThat(mechanisms.create("CRAM-MD5", ip)).isEmpty();
    }

    /** A client side of RFC 5802 §3, written from the RFC, to drive the server. */
    private SaslStep scram(String user, String password, String authzid) {
        return scram(user, password, authzid, null);
    }

    /** @param claimedGs2 the gs2-header the client repeats in c=, when it differs from the one it sent */
    private SaslStep scram(String user, String password, String authzid, String claimedGs2) {
        SaslMechanism m = mechanisms.create("SCRAM-SHA-256", ip).orElseThrow();
        String cnonce = Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(12));
        String gs2 = authzid == null ? "n,," : "n,a=" + authzid + ",";
        String clientFirstBare = "n=" + user + ",r=" + cnonce;
        SaslStep s = m.start((gs2 + clientFirstBare).getBytes(StandardCharsets.UTF_8));
        if (!(s instanceof SaslStep.Challenge c)) return s;
        String serverFirst = new String(c.data(), StandardCharsets.UTF_8);
        Map<String, String> attrs = new HashMap<>();
        for (String a : serverFirst.split(",")) attrs.put(a.substring(0, 1), a.substring(2));
        byte[] salt = Base64.getDecoder().decode(attrs.get("s"));
        int iterations = Integer.parseInt(attrs.get("i"));
        ScramCredentials k = ScramCredentials.derive(password, salt, iterations);
        String bound = claimedGs2 == null ? gs2 : claimedGs2;
        String withoutProof = "c=" + Base64.getEncoder().encodeToString(bound.getBytes(StandardCharsets.UTF_8)) + ",r=" + attrs.get("r");
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] signature = ScramCredentials.hmac(k.storedKey(), authMessage);
        // ClientKey is not in the verifier record: recompute it the way a client does.
        byte[] clientKey = clientKey(password, salt, iterations);
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) proof[i] = (byte) (clientKey[i] ^ signature[i]);
        SaslStep fin = m.next((withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8));
        if (!(fin instanceof SaslStep.Challenge serverFinal)) return fin;
        String expected = "v=" + Base64.getEncoder().encodeToString(ScramCredentials.hmac(k.serverKey(), authMessage));
        assertThat(new String(serverFinal.data(), StandardCharsets.UTF_8)).isEqualTo(expected);
        return m.next(new byte[0]);
    }

    private static byte[] clientKey(String password, byte[] salt, int iterations) {
        try {
            var f = javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            byte[] salted = f.generateSecret(new javax.crypto.spec.PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
            return ScramCredentials.hmac(salted, "Client Key");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void scramSucceedsWithTheRightPasswordAndProvesTheServer() {
        assertThat(scram("alice@example.test", "s3cret", null)).isInstanceOf(SaslStep.Success.class);
    }

    @Test
    void scramFailsWithWrongPasswordUnknownUserOrForeignAuthzid() {
        assertThat(scram("alice@example.test", "wrong", null)).isInstanceOf(SaslStep.Failure.class);
        assertThat(scram("nobody@example.test", "s3cret", null)).isInstanceOf(SaslStep.Failure.class);
        assertThat(scram("alice@example.test", "s3cret", "bob@example.test")).isInstanceOf(SaslStep.Failure.class);
    }

    @Test
    void scramAcceptsOwnAuthzidRepeatedInTheChannelBinding() {
        // Cyrus SASL (mbsync, mutt) sends "n,a=user," and repeats it base64-encoded in c= (RFC 5802 §7).
        assertThat(scram("alice@example.test", "s3cret", "alice@example.test")).isInstanceOf(SaslStep.Success.class);
    }

    @Test
    void scramRefusesAChannelBindingThatDiffersFromTheHeaderSent() {
        assertThat(scram("alice@example.test", "s3cret", null, "y,,")).isInstanceOf(SaslStep.Failure.class);
        assertThat(scram("alice@example.test", "s3cret", "alice@example.test", "n,,")).isInstanceOf(SaslStep.Failure.class);
    }
}
