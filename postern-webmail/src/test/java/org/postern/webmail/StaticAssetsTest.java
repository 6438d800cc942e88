// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import static org.assertj.core.api.Assertions.assertThat;

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
}
