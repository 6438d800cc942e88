// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.ColorScheme;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.testkit.TestServer;

/**
 * Screenshots of every main screen of the webmail (issue 7) for review, at desktop (1280x800) and
 * phone (390x844) size, in the light and the dark theme (the system's choice, emulated), saved as
 * target/screenshots/&lt;screen&gt;-&lt;desktop|phone&gt;-&lt;light|dark&gt;.png. Each screen must really have
 * rendered (its own element visible, see {@link WebmailScreens#tour}) without a console error, and
 * nothing may reach for a remote host.
 */
class WebmailScreenshotsIT {
    private static final Path DIR = Path.of("target", "screenshots");

    record Size(String name, int width, int height) {}

    @Test
    void everyMainScreenAtDesktopAndPhoneSizeInLightAndDark() throws Exception {
        assumeTrue(Browser.available(), "no /usr/bin/chromium");
        Files.createDirectories(DIR);
        try (TestServer server = TestServer.start(); Browser b = Browser.start()) {
            WebmailScreens.seed(server);
            String base = "https://localhost:" + server.server().port(Service.HTTPS.key());
            List<Path> saved = new ArrayList<>();
            for (Size size : List.of(new Size("desktop", 1280, 800), new Size("phone", 390, 844))) {
                for (ColorScheme scheme : List.of(ColorScheme.LIGHT, ColorScheme.DARK)) {
                    String theme = scheme == ColorScheme.LIGHT ? "light" : "dark";
                    b.clearRecords();
                    var ctx = b.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                            .setViewportSize(size.width(), size.height()).setColorScheme(scheme)
                            .setIsMobile(size.name().equals("phone")).setHasTouch(size.name().equals("phone")));
                    Page page = ctx.newPage();
                    WebmailScreens.tour(page, base, (screen, p) -> {
                        Path file = DIR.resolve(screen + "-" + size.name() + "-" + theme + ".png");
                        p.screenshot(new Page.ScreenshotOptions().setPath(file));
                        saved.add(file);
                        assertThat(b.errors()).as("console errors on %s (%s, %s)", screen, size.name(), theme).isEmpty();
                    });
                    ctx.close();
                    assertThat(b.foreignRequests()).isEmpty();
                    assertThat(b.dialogs()).isEmpty();
                }
            }
            assertThat(saved).hasSize(WebmailScreens.NAMES.size() * 4);
            for (Path p : saved) assertThat(Files.size(p)).as(p.toString()).isGreaterThan(2_000);
        }
    }
}
