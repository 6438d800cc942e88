// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.RequestOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The shared Playwright harness for the webmail's browser tests: Debian's Chromium (never a downloaded
 * one), headless, one fresh context per test. Every context is watched: a request to any host other
 * than 127.0.0.1/localhost is recorded and aborted before it leaves (HOSTILE.md A52: a tracking pixel
 * must not reach the network even when a test fails), and so is every console error, uncaught page
 * error and dialog (alert/confirm/prompt: a script ran). Tests assert on {@link #foreignRequests()},
 * {@link #errors()} and {@link #dialogs()}.
 *
 * <p>Usage: {@code try (Browser b = Browser.start()) { Page p = b.newPage(); Browser.login(p, base, u, pw); ... }}.
 */
public final class Browser implements AutoCloseable {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private final Playwright playwright;
    private final com.microsoft.playwright.Browser browser;
    private final List<BrowserContext> contexts = new CopyOnWriteArrayList<>();
    private final List<String> foreign = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final List<String> dialogs = new CopyOnWriteArrayList<>();

    private Browser(Playwright playwright, com.microsoft.playwright.Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    /** True when this machine can run the browser tests (tests use it in an assumption). */
    public static boolean available() {
        return Files.isExecutable(CHROMIUM);
    }

    /** Launches headless Chromium. */
    public static Browser start() {
        // The driver must not try to download its own browsers: Debian's Chromium is the one under test.
        Playwright pw = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            com.microsoft.playwright.Browser b = pw.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(CHROMIUM)
                    .setHeadless(true)
                    // As root Chromium needs --no-sandbox. The resolver rule is a second wall behind the
                    // route below: even a request the route never sees cannot resolve a remote name.
                    .setArgs(List.of("--no-sandbox", "--disable-background-networking", "--disable-component-update",
                            "--disable-sync", "--disable-default-apps", "--no-first-run",
                            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1")));
            return new Browser(pw, b);
        } catch (RuntimeException e) {
            pw.close();
            throw e;
        }
    }

    /** A fresh context (own cookies and storage) accepting the test server's self-signed certificate. */
    public BrowserContext newContext() {
        return newContext(new com.microsoft.playwright.Browser.NewContextOptions());
    }

    /** A fresh watched context with the caller's options (viewport, colour scheme); HTTPS errors always ignored. */
    public BrowserContext newContext(com.microsoft.playwright.Browser.NewContextOptions options) {
        BrowserContext ctx = browser.newContext(options.setIgnoreHTTPSErrors(true));
        ctx.route("**/*", route -> {
            String url = route.request().url();
            requests.add(url);
            if (loopback(url)) {
                route.resume();
            } else {
                foreign.add(route.request().method() + " " + url);
                route.abort("blockedbyclient");
            }
        });
        ctx.onPage(this::watch);
        contexts.add(ctx);
        return ctx;
    }

    /** A page in a fresh context. */
    public Page newPage() {
        return newContext().newPage();
    }

    private void watch(Page page) {
        page.onConsoleMessage(m -> {
            if (m.type().equals("error")) errors.add("console: " + m.text());
        });
        page.onPageError(e -> errors.add("pageerror: " + e));
        // A dialog means script ran somewhere (or the app used alert, which it must not): record and dismiss.
        page.onDialog(d -> {
            dialogs.add(d.type() + ": " + d.message());
            d.dismiss();
        });
    }

    /** Requests to hosts other than loopback, as "METHOD url"; every one of them was aborted. */
    public List<String> foreignRequests() {
        return List.copyOf(foreign);
    }

    /** Every request URL any page of this browser made (loopback or not), in order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** Console errors and uncaught page errors. */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** Dialogs (alert, confirm, prompt, beforeunload) that were opened. */
    public List<String> dialogs() {
        return List.copyOf(dialogs);
    }

    /** Forgets what was recorded so far (between phases of one test). */
    public void clearRecords() {
        foreign.clear();
        requests.clear();
        errors.clear();
        dialogs.clear();
    }

    static boolean loopback(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        // Documents the browser makes itself, never network fetches.
        if (lower.startsWith("data:") || lower.startsWith("blob:") || lower.startsWith("about:")) return true;
        try {
            String host = URI.create(url).getHost();
            return host != null && (host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Signs in as the webmail would: through its login form when the page shows one
     * ({@code data-testid="login-username"}, {@code "login-password"}, {@code "login-submit"}; signed in when
     * {@code "current-user"} shows), else by
     * POST /login with the page's cookies (the session cookie lands in the context), leaving the page
     * on the webmail's start page. The CSRF token the server returns is stored in sessionStorage under
     * {@code postern.csrf} for a UI that reads it there.
     *
     * @return the session's CSRF token, or null when the form was used (the UI holds it)
     */
    public static String login(Page page, String baseUrl, String user, String password) {
        page.navigate(baseUrl + "/");
        var form = page.locator("[data-testid=login-username]");
        try {
            form.waitFor(new com.microsoft.playwright.Locator.WaitForOptions().setTimeout(3000));
        } catch (com.microsoft.playwright.TimeoutError e) {
            form = null;
        }
        if (form != null) {
            page.fill("[data-testid=login-username]", user);
            page.fill("[data-testid=login-password]", password);
            page.click("[data-testid=login-submit]");
            page.locator("[data-testid=current-user]").waitFor(new com.microsoft.playwright.Locator.WaitForOptions().setTimeout(15_000));
            return null;
        }
        APIResponse r = page.request().post(baseUrl + "/login", RequestOptions.create()
                .setHeader("Content-Type", "application/json")
                .setData(Map.of("username", user, "password", password)));
        if (r.status() != 200) throw new IllegalStateException("login failed: " + r.status() + " " + r.text());
        String token = r.headers().get("x-csrf-token");
        page.evaluate("t => sessionStorage.setItem('postern.csrf', t)", token);
        return token;
    }

    @Override
    public void close() {
        for (BrowserContext c : contexts) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // Already gone with a crashed page; the browser close below ends it anyway.
            }
        }
        try {
            browser.close();
        } finally {
            playwright.close();
        }
    }
}
