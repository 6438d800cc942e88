// SPDX-License-Identifier: Apache-2.0
package org.postern.it.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external program under a deadline, capturing its output (stdout and stderr merged). */
record Program(int exit, String output) {
    /** The first of {@code candidates} that exists and is executable, or null. */
    static Path find(String... candidates) {
        for (String c : candidates) {
            for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin")) {
                Path p = Path.of(dir, c);
                if (Files.isExecutable(p)) return p;
            }
        }
        return null;
    }

    static Program run(List<String> command, Map<String, String> env, String stdin, Duration deadline)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // Read on another thread: a program that hangs must not hang the test past its deadline.
        Thread reader = Thread.ofVirtual().start(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // The process was destroyed.
            }
        });
        try (var w = p.getOutputStream()) {
            if (stdin != null) w.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            reader.join(5_000);
            throw new AssertionError(command.get(0) + " did not finish within " + deadline + ":\n" + text(out));
        }
        reader.join(10_000);
        return new Program(p.exitValue(), text(out));
    }

    private static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
