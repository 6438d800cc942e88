// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Request paths to classpath names: only plain, known files under the static root (HOSTILE.md path traversal). */
class StaticAssetsTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(nullValues = "NULL", value = {
            "/, index.html",
            "/index.html, index.html",
            "/js/main.js, js/main.js",
            "/js/core/jmap.js, js/core/jmap.js",
            "/css/base.css, css/base.css",
            "/admin/, admin/index.html",
            "/js, NULL",
            "/js/../index.html, NULL",
            "/../pom.xml, NULL",
            "/.git/config, NULL",
            "/js/.hidden.js, NULL",
            "/js//main.js, NULL",
            "/js\\main.js, NULL",
            "/WebmailHandler.class, NULL",
            "/META-INF/MANIFEST.MF, NULL",
            "/index.html%00.js, NULL",
            "/a/b/c/d/e/f/g/h/i/j/k/l/m.js, NULL",
            "js/main.js, NULL",
            "/js/main.JS, NULL",
            "/x.html:y, NULL",
    })
    void names(String path, String expected) {
        assertThat(StaticAssets.name(path)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(nullValues = "NULL", value = {
            "/v/CURRENT/js/main.js, js/main.js, true",
            "/v/CURRENT/css/base.css, css/base.css, true",
            "/v/older-build/js/main.js, js/main.js, false",
            "/js/main.js, js/main.js, false",
            "/v/CURRENT/, index.html, true",
            "/v/CURRENT, NULL, false",
            "/v//js/main.js, NULL, false",
            "/v/../js/main.js, NULL, false",
            "/v/a.b/js/main.js, NULL, false",
            "/v/CURRENT/../index.html, NULL, false",
            "/v/CURRENT/js/../../pom.xml, NULL, false",
            "/v/CURRENT/v/CURRENT/js/main.js, v/CURRENT/js/main.js, true",
    })
    void versionedPaths(String path, String expected, boolean immutable) {
        StaticAssets.Target t = StaticAssets.target(path, "CURRENT");
        if (expected == null) {
            assertThat(t).isNull();
        } else {
            assertThat(t).isEqualTo(new StaticAssets.Target(expected, immutable));
        }
    }

    @Test
    void theAppPageLoadsThisBuildsVersionedModulesWithPreloads() throws Exception {
        StaticAssets assets = new StaticAssets();
        StaticAssets.Build b = assets.build();
        assertThat(b.version()).matches("[A-Za-z0-9_-]{16}");
        assertThat(assets.build()).isSameAs(b);
        assertThat(b.modules()).contains("js/main.js", "js/core/jmap.js", "js/mail/list.js").allMatch(m -> m.startsWith("js/"));
        String html = new String(assets.appPage().bytes(), StandardCharsets.UTF_8);
        String prefix = "/v/" + b.version() + "/";
        assertThat(html).contains("<script type=\"module\" src=\"" + prefix + "js/main.js\"></script>")
                .contains("<link rel=\"modulepreload\" href=\"" + prefix + "js/core/jmap.js\">")
                .doesNotContain("src=\"/js/");
        // Every preloaded URL is served, as immutable.
        for (String m : b.modules()) assertThat(StaticAssets.target(prefix + m, b.version())).isEqualTo(new StaticAssets.Target(m, true));
    }
}
