// SPDX-License-Identifier: Apache-2.0
package org.postern.it.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/rfc/index.tsv lists every RFC the code cites, with its status; README's standards table is
 * made from it. A citation of an RFC missing from the index, or of one marked obsoleted there, fails.
 */
class RfcIndexTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final Pattern CITE = Pattern.compile("\\bRFC (\\d{3,4})\\b");

    private static Map<String, String[]> index() throws IOException {
        Map<String, String[]> rows = new TreeMap<>();
        for (String line : Files.readAllLines(ROOT.resolve("docs/rfc/index.tsv"))) {
            if (line.isBlank() || line.startsWith("rfc\t") || line.startsWith("#")) continue;
            String[] cols = line.split("\t");
            assertThat(cols).as("row: " + line).hasSizeGreaterThanOrEqualTo(3);
            assertThat(cols[2]).as("status of RFC " + cols[0]).isIn("yes", "partial", "no", "obsoleted");
            rows.put(cols[0], cols);
        }
        return rows;
    }

    @Test
    void everyCitedRfcIsIndexedAndCurrent() throws IOException {
        Map<String, String[]> index = index();
        Set<String> missing = new TreeSet<>();
        Set<String> obsolete = new TreeSet<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/")).toList()) {
                Matcher m = CITE.matcher(Files.readString(p));
                while (m.find()) {
                    String[] row = index.get(m.group(1));
                    if (row == null) missing.add(m.group(1) + " (" + ROOT.relativize(p) + ")");
                    else if (row[2].equals("obsoleted")) obsolete.add(m.group(1) + " (" + ROOT.relativize(p) + ")");
                }
            }
        }
        assertThat(missing).as("RFCs cited in code but missing from docs/rfc/index.tsv").isEmpty();
        assertThat(obsolete).as("RFCs cited in code but obsoleted").isEmpty();
    }
}
