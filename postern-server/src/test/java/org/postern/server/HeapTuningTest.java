// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class HeapTuningTest {
    @Test
    void defaultsAreReplacedAndOperatorValuesKept() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        HeapTuning.apply();
        for (var e : HeapTuning.VALUES) {
            VMOption option;
            try {
                option = hotspot.getVMOption(e.getKey());
            } catch (IllegalArgumentException notThisCollector) {
                continue;
            }
            if (option.getOrigin() == VMOption.Origin.MANAGEMENT) {
                assertThat(option.getValue()).as(e.getKey()).isEqualTo(e.getValue());
            } else {
                // Given on the command line (or otherwise not a default): never overridden.
                assertThat(HeapTuning.chosenByJvm(option)).as(e.getKey()).isFalse();
            }
        }
        assertThat(Integer.parseInt(hotspot.getVMOption("MinHeapFreeRatio").getValue()))
                .isLessThanOrEqualTo(Integer.parseInt(hotspot.getVMOption("MaxHeapFreeRatio").getValue()));
    }
}
