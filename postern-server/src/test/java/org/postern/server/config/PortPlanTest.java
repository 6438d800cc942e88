// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PortPlanTest {
    private final Map<Service, Integer> standard = ServerConfig.defaults("localhost").ports();

    @Test
    void autoUsesStandardPortsWhenPrivilegedBindIsAllowed() {
        List<Integer> probed = new ArrayList<>();
        int offset = PortPlan.offset(OptionalInt.empty(), OptionalInt.empty(), standard, p -> probed.add(p));
        assertThat(offset).isZero();
        assertThat(probed).containsExactly(25);
    }

    @Test
    void autoShiftsBy10000WithoutPermission() {
        assertThat(PortPlan.offset(OptionalInt.empty(), OptionalInt.empty(), standard, p -> false)).isEqualTo(10_000);
        assertThat(PortPlan.apply(standard, 10_000)).containsEntry(Service.SMTP, 10025).containsEntry(Service.IMAPS, 10993)
                .containsEntry(Service.HTTPS, 10443).containsEntry(Service.HTTP, 10080)
                .containsEntry(Service.POP3S, 10995).containsEntry(Service.SUBMISSIONS, 10465);
    }

    @Test
    void commandLineBeatsConfigBeatsProbe() {
        assertThat(PortPlan.offset(OptionalInt.of(0), OptionalInt.of(500), standard, p -> false)).isZero();
        assertThat(PortPlan.offset(OptionalInt.empty(), OptionalInt.of(500), standard, p -> false)).isEqualTo(500);
        assertThat(PortPlan.offset(OptionalInt.of(20000), OptionalInt.empty(), standard, p -> true)).isEqualTo(20000);
    }

    @Test
    void noPrivilegedPortMeansNoOffsetAndNoProbe() {
        Map<Service, Integer> high = PortPlan.apply(standard, 20_000);
        assertThat(PortPlan.offset(OptionalInt.empty(), OptionalInt.empty(), high, p -> {
            throw new AssertionError("probed " + p);
        })).isZero();
    }

    @Test
    void probesTheLowestPrivilegedPort() {
        List<Integer> probed = new ArrayList<>();
        Map<Service, Integer> ports = new java.util.EnumMap<>(standard);
        ports.put(Service.SMTP, 2525);
        ports.put(Service.HTTP, 8080);
        PortPlan.offset(OptionalInt.empty(), OptionalInt.empty(), ports, p -> probed.add(p));
        assertThat(probed).containsExactly(110);
    }

    @Test
    void anyFreePortStaysAnyAndOverflowIsNamed() {
        Map<Service, Integer> ports = new java.util.EnumMap<>(standard);
        ports.put(Service.IMAP, 0);
        assertThat(PortPlan.apply(ports, 10_000)).containsEntry(Service.IMAP, 0);
        assertThatThrownBy(() -> PortPlan.apply(standard, 65_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port 587 (submission)");
        assertThatThrownBy(() -> PortPlan.apply(standard, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void portInUseStillMeansPermitted() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(PortPlan.mayBind(InetAddress.getLoopbackAddress(), taken.getLocalPort())).isTrue();
        }
    }

    @Test
    void privilegedProbeMatchesTheRealPermission() {
        boolean root = "root".equals(System.getProperty("user.name"));
        // As root the probe must say yes; otherwise it depends on net.ipv4.ip_unprivileged_port_start, so
        // only check the answer is consistent with a real bind attempt.
        boolean may = PortPlan.mayBind(InetAddress.getLoopbackAddress(), 1);
        if (root) assertThat(may).isTrue();
        boolean real;
        try (ServerSocket s = new ServerSocket(1, 1, InetAddress.getLoopbackAddress())) {
            real = s.isBound();
        } catch (IOException e) {
            real = !e.getMessage().contains("ermission");
        }
        assertThat(may).isEqualTo(real);
    }
}
