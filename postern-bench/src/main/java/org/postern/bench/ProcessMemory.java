// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resident memory of a server: the sum over a process and its descendants of VmRSS (/proc/PID/status)
 * and Pss (/proc/PID/smaps_rollup, shared pages split between the processes that map them, so a
 * forking server's shared libraries count once).
 */
record ProcessMemory(int processes, long rssKiB, long pssKiB) {
    static ProcessMemory of(long rootPid) {
        List<Long> pids = new ArrayList<>();
        pids.add(rootPid);
        ProcessHandle.of(rootPid).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
        long rss = 0;
        long pss = 0;
        for (long pid : pids) {
            rss += kib(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
            pss += kib(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
        }
        return new ProcessMemory(pids.size(), rss, pss);
    }

    static long kib(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) return Long.parseLong(line.substring(key.length()).strip().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            // the process ended between listing and reading
        }
        return 0;
    }

    String json() {
        return "{\"procs\":" + processes + ",\"rss_kib\":" + rssKiB + ",\"pss_kib\":" + pssKiB + "}";
    }
}
