// SPDX-License-Identifier: Apache-2.0
package org.postern.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
    private final FakeDirectory dir = new FakeDirectory();
    private final InetAddress ip = InetAddress.getLoopbackAddress();

    private Authenticator auth(AuthThrottle.Policy policy) {
        return new Authenticator(dir, new AuthThrottle(policy, Clock.systemUTC()), PasswordHasher.Cost.TEST, Clock.systemUTC());
    }

    @Test
    void argon2idHashesVerifyAndAreSalted() {
        PasswordHasher h = new PasswordHasher(PasswordHasher.Cost.TEST);
        String a = h.hash("correct horse"), b = h.hash("correct horse");
        assertThat(a).startsWith("$argon2id$v=19$").isNotEqualTo(b);
        assertThat(PasswordHasher.verify(a, "correct horse")).isTrue();
        assertThat(PasswordHasher.verify(a, "correct hors")).isFalse();
        assertThat(PasswordHasher.verify("$argon2id$v=19$m=1,t=1,p=1$x$y", "x")).isFalse();
        assertThat(PasswordHasher.verify("garbage", "x")).isFalse();
    }

    @Test
    void loginIsCaseInsensitiveOnTheAddress() {
        dir.add("alice@example.test", "s3cret");
        Authenticator a = auth(AuthThrottle.Policy.RELAXED);
        assertThat(a.authenticate("Alice@Example.TEST", "s3cret", ip)).isInstanceOf(AuthResult.Success.class);
        assertThat(a.authenticate("alice@example.test", "S3cret", ip)).isInstanceOf(AuthResult.Failure.class);
        assertThat(a.authenticate("nobody@example.test", "s3cret", ip)).isInstanceOf(AuthResult.Failure.class);
    }

    @Test
    void passwordChangeInvalidatesTheCache() {
        dir.add("alice@example.test", "old");
        Authenticator a = auth(AuthThrottle.Policy.RELAXED);
        assertThat(a.authenticate("alice@example.test", "old", ip)).isInstanceOf(AuthResult.Success.class);
        dir.setPassword("alice@example.test", new Passwords(PasswordHasher.Cost.TEST).record("new"));
        assertThat(a.authenticate("alice@example.test", "old", ip)).isInstanceOf(AuthResult.Failure.class);
        assertThat(a.authenticate("alice@example.test", "new", ip)).isInstanceOf(AuthResult.Success.class);
    }

    @Test
    void repeatedFailuresBlockTheAddressEvenForTheRightPassword() {
        dir.add("alice@example.test", "s3cret");
        Authenticator a = auth(new AuthThrottle.Policy(5, Duration.ofMinutes(5), Duration.ZERO));
        for (int i = 0; i < 5; i++) {
            assertThat(a.authenticate("alice@example.test", "guess" + i, ip)).isInstanceOf(AuthResult.Failure.class);
        }
        assertThat(a.authenticate("alice@example.test", "s3cret", ip)).isInstanceOf(AuthResult.Throttled.class);
    }

    @Test
    void failuresEarnGrowingDelays() {
        AuthThrottle t = new AuthThrottle(new AuthThrottle.Policy(100, Duration.ofMinutes(5), Duration.ofSeconds(5)), Clock.systemUTC());
        Duration first = t.failed(ip, "x"), second = t.failed(ip, "x"), third = t.failed(ip, "x");
        assertThat(first).isZero();
        assertThat(second).isPositive();
        assertThat(third).isGreaterThan(second);
    }
}
