// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives back heap a mail server no longer uses. Most of the memory an idle IMAP connection costs is not
 * its live objects (about 23 KiB: the TLS socket's buffers and the parked virtual thread's stack) but
 * heap G1 keeps committed after a busy moment: 55 KiB per connection at 10,000 IDLE connections with the
 * JVM's defaults, 31 KiB with these values (issue 4's target is 50 KiB). A periodic collection while
 * idle lets G1 uncommit; the free-ratio bounds make it shrink to what is live plus a margin.
 *
 * <p>The flags are "manageable", so they are set at start of {@code serve} rather than in a launcher
 * every operator would have to use; a value the operator gave (on the command line, in JAVA_TOOL_OPTIONS)
 * is left alone.
 */
final class HeapTuning {
    private static final Logger log = LoggerFactory.getLogger(HeapTuning.class);

    /** In this order: MinHeapFreeRatio must stay below MaxHeapFreeRatio at every step. */
    static final List<Map.Entry<String, String>> VALUES = List.of(Map.entry("MinHeapFreeRatio", "5"),
            Map.entry("MaxHeapFreeRatio", "20"), Map.entry("G1PeriodicGCInterval", "2000"));

    private HeapTuning() {}

    static void apply() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (hotspot == null) return;
        for (var e : VALUES) {
            try {
                VMOption option = hotspot.getVMOption(e.getKey());
                if (chosenByJvm(option) && option.isWriteable()) {
                    hotspot.setVMOption(e.getKey(), e.getValue());
                }
            } catch (IllegalArgumentException | SecurityException ex) {
                // Another collector or JVM without the flag: nothing to tune.
                log.debug("heap option {} not set: {}", e.getKey(), ex.getMessage());
            }
        }
    }

    /** Not given by the operator (command line, environment, flags file or earlier management). */
    static boolean chosenByJvm(VMOption option) {
        return option.getOrigin() == VMOption.Origin.DEFAULT || option.getOrigin() == VMOption.Origin.ERGONOMIC;
    }
}
