// SPDX-License-Identifier: Apache-2.0
package org.postern.it.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The dependency rules of ARCHITECTURE.md, checked on the poms and the imports: protocol modules
 * never see a storage backend, the store API sees no protocol, SMTP does not know delivery (the
 * consumer owns the interface), and only postern-server assembles everything.
 */
class ModuleDependencyTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    /** Implementations of the store API, and of the search API on a store's database. */
    private static final Set<String> BACKENDS = Set.of("postern-store-sqlite", "postern-store-postgres", "postern-store-s3",
            "postern-search-postgres");
    /** Modules that choose a backend: the server, and the tools that fill a store directly (tests, benchmarks). */
    private static final Set<String> ASSEMBLIES = Set.of("postern-server", "postern-testkit", "postern-it", "postern-bench");
    private static final Set<String> PROTOCOLS = Set.of("postern-smtp", "postern-imap", "postern-pop3", "postern-jmap");

    private static Map<String, List<String>> mainDependencies() throws Exception {
        Map<String, List<String>> deps = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(ROOT)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith("postern-")).toList()) {
                Path pom = d.resolve("pom.xml");
                if (!Files.exists(pom)) continue;
                var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
                NodeList list = doc.getElementsByTagName("dependency");
                List<String> own = new ArrayList<>();
                for (int i = 0; i < list.getLength(); i++) {
                    Element e = (Element) list.item(i);
                    String artifact = text(e, "artifactId");
                    String scope = text(e, "scope");
                    if (artifact.startsWith("postern-") && (scope.isEmpty() || scope.equals("compile"))) own.add(artifact);
                }
                deps.put(d.getFileName().toString(), own);
            }
        }
        return deps;
    }

    private static String text(Element e, String tag) {
        NodeList n = e.getElementsByTagName(tag);
        return n.getLength() == 0 ? "" : n.item(0).getTextContent().trim();
    }

    @Test
    void onlyTheServerAssemblyDependsOnABackend() throws Exception {
        mainDependencies().forEach((module, deps) -> {
            if (ASSEMBLIES.contains(module)) return;
            if (BACKENDS.contains(module)) return;
            assertThat(deps).as(module + " must not depend on a storage backend").doesNotContainAnyElementsOf(BACKENDS);
        });
    }

    @Test
    void storeApiAndCoreKnowNoProtocol() throws Exception {
        Map<String, List<String>> deps = mainDependencies();
        assertThat(deps.get("postern-core")).isEmpty();
        assertThat(deps.get("postern-store")).containsOnly("postern-core");
        for (String backend : BACKENDS) {
            if (deps.containsKey(backend)) assertThat(deps.get(backend)).doesNotContainAnyElementsOf(PROTOCOLS);
        }
    }

    @Test
    void smtpDoesNotKnowDeliveryAndProtocolsDoNotKnowEachOther() throws Exception {
        Map<String, List<String>> deps = mainDependencies();
        assertThat(deps.get("postern-smtp")).doesNotContain("postern-delivery");
        for (String p : PROTOCOLS) {
            if (deps.containsKey(p)) {
                assertThat(deps.get(p)).as(p).doesNotContainAnyElementsOf(PROTOCOLS.stream().filter(o -> !o.equals(p)).toList());
            }
        }
    }

    @Test
    void theHttpServerKnowsNoStoreAndNoProtocol() throws Exception {
        Map<String, List<String>> deps = mainDependencies();
        if (!deps.containsKey("postern-http")) return;
        // Protocols and pages register handlers with it (JMAP, webmail, autoconfig), never the reverse.
        assertThat(deps.get("postern-http")).doesNotContainAnyElementsOf(PROTOCOLS).doesNotContain("postern-store")
                .doesNotContainAnyElementsOf(BACKENDS);
    }

    @Test
    void theWebmailIsAJmapClientAndOnlyTheAssemblyKnowsIt() throws Exception {
        Map<String, List<String>> deps = mainDependencies();
        if (!deps.containsKey("postern-webmail")) return;
        // Its pages speak JMAP; its Java side reads the session and the store, never a mail protocol.
        assertThat(deps.get("postern-webmail")).doesNotContain("postern-smtp", "postern-imap", "postern-pop3",
                "postern-delivery", "postern-server").doesNotContainAnyElementsOf(BACKENDS);
        deps.forEach((module, d) -> {
            if (!ASSEMBLIES.contains(module)) assertThat(d).as(module).doesNotContain("postern-webmail");
        });
    }

    @Test
    void autoconfigKnowsNoProtocolAndOnlyTheAssemblyKnowsIt() throws Exception {
        Map<String, List<String>> deps = mainDependencies();
        if (!deps.containsKey("postern-autoconfig")) return;
        // It describes the ports from numbers it is handed; it never reaches into the protocol servers.
        assertThat(deps.get("postern-autoconfig")).doesNotContainAnyElementsOf(PROTOCOLS)
                .doesNotContainAnyElementsOf(BACKENDS).doesNotContain("postern-smtp", "postern-imap", "postern-pop3",
                        "postern-delivery", "postern-server");
        deps.forEach((module, d) -> {
            if (!ASSEMBLIES.contains(module)) assertThat(d).as(module).doesNotContain("postern-autoconfig");
        });
    }

    @Test
    void noMainSourceOutsideTheAssemblyImportsABackendPackage() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/"))
                    .filter(p -> ASSEMBLIES.stream().noneMatch(a -> p.startsWith(ROOT.resolve(a))))
                    .filter(p -> BACKENDS.stream().noneMatch(b -> p.startsWith(ROOT.resolve(b))))
                    .forEach(p -> {
                        try {
                            if (Files.readString(p).matches("(?s).*import org\\.postern\\.store\\.(sqlite|postgres)\\..*")) {
                                offenders.add(ROOT.relativize(p).toString());
                            }
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
        }
        assertThat(offenders).isEmpty();
    }
}
