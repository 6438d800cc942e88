// SPDX-License-Identifier: Apache-2.0
package org.postern.it.postgres;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * What forked nodes run: a snapshot of this JVM's class path behind a manifest-only jar (its
 * Class-Path names the copies, Main-Class is Postern's). A node restarted after SIGKILL then loads
 * the same code as before, even if Postern's own jars are rebuilt and re-installed while the test runs
 * (a JVM loads classes lazily from its jars, so a jar replaced underneath breaks it).
 */
final class ClusterLauncher {
    private ClusterLauncher() {}

    /** Copies Postern's own jars of the class path into {@code dir}; returns the jar for {@code java -jar}. */
    static Path snapshot(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (e.isEmpty()) continue;
            Path p = Path.of(e).toAbsolutePath();
            // Third-party jars do not change under a test; Postern's (installed by every build) do.
            if (Files.isRegularFile(p) && p.getFileName().toString().startsWith("postern-")) {
                Path copy = dir.resolve((n++) + "-" + p.getFileName());
                Files.copy(p, copy, StandardCopyOption.REPLACE_EXISTING);
                p = copy;
            }
            String url = p.toUri().toString();
            entries.add(Files.isDirectory(p) && !url.endsWith("/") ? url + "/" : url);
        }
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "org.postern.server.Main");
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", entries));
        Path jar = dir.resolve("node.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            // The manifest is all it holds.
        }
        return jar;
    }
}
