// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.ColorScheme;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.testkit.TestServer;

/**
 * The webmail's accessibility (issue 7), measured in Chromium on every main screen of
 * {@link WebmailScreens} in the light and the dark theme, with no external service:
 * <ul>
 * <li>text contrast, WCAG 2.1 SC 1.4.3 AA: 4.5:1, or 3:1 for large text (24px, or 18.66px bold), from
 *     the computed colours and the background actually behind the text (the ancestors' backgrounds
 *     composited, opacity included); placeholders too. Disabled controls are exempt, as WCAG says;</li>
 * <li>boundaries of text fields and selects, SC 1.4.11: 3:1 against what surrounds them;</li>
 * <li>every form control and button has an accessible name (SC 1.3.1, 4.1.2);</li>
 * <li>keyboard only (SC 2.1.1, 2.4.3, 2.4.7): Tab reaches the top bar, the folder list, the message list
 *     and the reader in that order, and the compose window's To, Subject, body and Send in that order,
 *     each with a visible focus indicator of 3:1.</li>
 * </ul>
 * The page's text nodes are checked, not the message body (the sender's content, in its sandboxed frame).
 */
class WebmailAccessibilityIT {
    private static TestServer server;
    private static Browser browser;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Browser.available(), "no /usr/bin/chromium");
        server = TestServer.start();
        WebmailScreens.seed(server);
        base = "https://localhost:" + server.server().port(Service.HTTPS.key());
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    @Test
    void textContrastBoundariesAndLabelsOnEveryScreenInBothThemes() {
        List<String> problems = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        record View(int width, int height, ColorScheme scheme) {}
        for (View v : List.of(new View(1280, 800, ColorScheme.LIGHT), new View(1280, 800, ColorScheme.DARK),
                new View(390, 844, ColorScheme.DARK))) {
            BrowserContext ctx = browser.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                    .setViewportSize(v.width(), v.height()).setColorScheme(v.scheme()));
            Page page = ctx.newPage();
            String where = v.width() + "px " + v.scheme().name().toLowerCase(java.util.Locale.ROOT);
            WebmailScreens.tour(page, base, (screen, p) -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> r = (Map<String, Object>) p.evaluate(AUDIT);
                checked.add(screen + " " + where + ": " + r.get("texts") + " texts, " + r.get("controls") + " controls");
                for (Object f : (List<?>) r.get("failures")) problems.add(screen + " (" + where + "): " + f);
            });
            ctx.close();
        }
        assertThat(checked).hasSize(WebmailScreens.NAMES.size() * 3);
        assertThat(checked).allMatch(s -> !s.contains(": 0 texts"));
        assertThat(problems).as("accessibility problems").isEmpty();
        assertThat(browser.errors()).isEmpty();
    }

    @Test
    void keyboardOnlyReachesFoldersListReaderAndComposeInOrderWithVisibleFocus() {
        BrowserContext ctx = browser.newContext(new com.microsoft.playwright.Browser.NewContextOptions().setViewportSize(1280, 800));
        Page page = ctx.newPage();
        page.setDefaultTimeout(WebmailScreens.WAIT_MS);
        Browser.login(page, base, WebmailScreens.USER, WebmailScreens.PASSWORD);
        String id = WebmailScreens.emailIdBySubject(page, "Quarterly report");
        page.navigate(base + "/#/mailbox/inbox/" + id);
        WebmailScreens.visible(page, "[data-testid=message-subject]:has-text('Quarterly report')");
        // Start from the top of the document, as a keyboard user arriving on the page does.
        page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }");
        page.locator("body").focus();

        List<String> regions = new ArrayList<>();
        List<String> unseen = new ArrayList<>();
        for (int i = 0; i < 80 && !regions.contains("reader"); i++) {
            page.keyboard().press("Tab");
            @SuppressWarnings("unchecked")
            Map<String, Object> f = (Map<String, Object>) page.evaluate(FOCUS);
            String region = (String) f.get("region");
            if (regions.isEmpty() || !regions.getLast().equals(region)) regions.add(region);
            if (!Boolean.TRUE.equals(f.get("visible"))) unseen.add(f.get("what") + " in " + region + ": " + f.get("why"));
        }
        assertThat(regions).as("regions in Tab order").containsSubsequence("top", "folders", "list", "reader");
        assertThat(regions.indexOf("folders")).isLessThan(regions.indexOf("list"));
        assertThat(regions.indexOf("list")).isLessThan(regions.indexOf("reader"));

        // The message list answers the keyboard: focused, j opens the next message.
        page.locator("[data-testid=message-list]").focus();
        page.keyboard().press("j");
        WebmailScreens.visible(page, "[data-testid=message-subject]");

        page.click("[data-testid=compose-button]");
        WebmailScreens.visible(page, "[data-testid=compose][data-state=ready]");
        page.locator("[data-testid=compose-to]").focus();
        List<String> order = new ArrayList<>();
        order.add("compose-to");
        for (int i = 0; i < 40 && !order.contains("compose-send"); i++) {
            page.keyboard().press("Tab");
            @SuppressWarnings("unchecked")
            Map<String, Object> f = (Map<String, Object>) page.evaluate(FOCUS);
            String testid = (String) f.get("testid");
            if (testid != null && !order.contains(testid)) order.add(testid);
            if (!Boolean.TRUE.equals(f.get("visible"))) unseen.add(f.get("what") + " in compose: " + f.get("why"));
        }
        assertThat(order).as("compose Tab order").containsSubsequence("compose-to", "compose-subject", "compose-body", "compose-send");
        assertThat(unseen).as("focus not visible").isEmpty();
        page.click("[data-testid=compose-discard]");
        ctx.close();
        assertThat(browser.errors()).isEmpty();
    }

    /** Where focus is, and whether it shows: an outline or a box shadow of 3:1 against the background. */
    private static final String FOCUS = """
            () => {
              const el = document.activeElement;
              if (!el || el === document.body) return {region: 'none', visible: true, what: 'body'};
            """ + WebmailAccessibilityIT.JS_COLOURS + """
              const region = el.closest('header.topbar') ? 'top' : el.closest('#folders') ? 'folders'
                : el.closest('.compose') ? 'compose' : el.closest('#list-pane') ? 'list'
                : el.closest('#reader-pane') ? 'reader' : el.closest('#page-pane') ? 'page' : 'other';
              const what = el.tagName.toLowerCase() + (el.dataset.testid ? '[' + el.dataset.testid + ']' : '')
                + ' "' + (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 30) + '"';
              const s = getComputedStyle(el);
              const bg = background(el.parentElement || el);
              let visible = false, why = '';
              if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) {
                const c = parse(s.outlineColor);
                const r = c ? ratio(blend(c, bg), bg) : 0;
                visible = r >= 3;
                why = 'outline ' + s.outlineColor + ' at ' + r.toFixed(2) + ':1';
              } else if (s.boxShadow && s.boxShadow !== 'none') {
                visible = true;
              } else {
                why = 'no outline, no shadow';
              }
              return {region, visible, what, why, testid: el.dataset.testid || null};
            }""";

    /** Colour parsing, compositing and the WCAG contrast ratio, shared by the two scripts. */
    private static final String JS_COLOURS = """
              const parse = (c) => {
                const m = /rgba?\\(([^)]+)\\)/.exec(c || '');
                if (!m) return null;
                const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
                return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
              };
              const blend = (top, under) => {
                const a = top[3];
                return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1);
              };
              const lum = (c) => {
                const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
              };
              const ratio = (a, b) => {
                const x = lum(a), y = lum(b);
                return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
              };
              // The colour behind an element: its own and its ancestors' backgrounds, composited.
              const background = (el) => {
                const layers = [];
                for (let e = el; e; e = e.parentElement) {
                  const c = parse(getComputedStyle(e).backgroundColor);
                  if (c && c[3] > 0) {
                    layers.push(c);
                    if (c[3] >= 1) break;
                  }
                }
                let acc = matchMedia('(prefers-color-scheme: dark)').matches ? [18, 18, 18, 1] : [255, 255, 255, 1];
                if (layers.length && layers[layers.length - 1][3] >= 1) acc = layers.pop();
                while (layers.length) acc = blend(layers.pop(), acc);
                return acc;
              };
              const opacity = (el) => {
                let o = 1;
                for (let e = el; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity);
                return o;
              };
            """;

    /** Every visible text, text field boundary and control name of the page, as failures. */
    private static final String AUDIT = """
            () => {
            """ + JS_COLOURS + """
              const failures = [];
              let texts = 0, controls = 0;
              const shown = (el) => {
                if (!el.checkVisibility({visibilityProperty: true})) return false;
                const r = el.getBoundingClientRect();
                return r.width > 1 && r.height > 1;
              };
              const disabled = (el) => !!el.closest(':disabled, [aria-disabled=true]');
              const label = (el) => (el.tagName.toLowerCase() + (el.dataset.testid ? '[' + el.dataset.testid + ']' : '')
                + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''));
              const check = (el, text, colour) => {
                const s = getComputedStyle(el);
                const fg = parse(colour);
                if (!fg) return;
                texts++;
                const bg = background(el);
                const c = blend([fg[0], fg[1], fg[2], fg[3] * opacity(el)], bg);
                const r = ratio(c, bg);
                const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
                const need = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
                if (r + 0.005 < need) {
                  failures.push('text "' + text.trim().slice(0, 40) + '" ' + r.toFixed(2) + ':1 < ' + need + ' (' + colour
                    + ' on rgb(' + bg.slice(0, 3).map(Math.round).join(',') + ')) ' + label(el));
                }
              };
              for (const el of document.body.querySelectorAll('*')) {
                if (['SCRIPT', 'STYLE', 'OPTION', 'IFRAME', 'NOSCRIPT', 'TEMPLATE'].includes(el.tagName)) continue;
                if (!shown(el) || disabled(el)) continue;
                const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('');
                if (own.trim()) check(el, own, getComputedStyle(el).color);
                if (el.matches('input:not([type=checkbox]):not([type=radio]):not([type=file]):not([type=hidden]), textarea')) {
                  if (el.value) check(el, el.value, getComputedStyle(el).color);
                  else if (el.placeholder) check(el, el.placeholder, getComputedStyle(el, '::placeholder').color);
                }
                if (el.matches('select')) check(el, el.selectedOptions[0] ? el.selectedOptions[0].text : '', getComputedStyle(el).color);
              }
              // SC 1.4.11: a text field or select must be findable by its boundary (or its own fill).
              for (const el of document.body.querySelectorAll('input:not([type=checkbox]):not([type=radio]):not([type=hidden]):not([type=file]), select, textarea, [contenteditable=true]')) {
                if (!shown(el) || disabled(el)) continue;
                controls++;
                const around = background(el.parentElement);
                const edges = (e) => ['Top', 'Right', 'Bottom', 'Left'].some((side) => {
                  const s = getComputedStyle(e);
                  if (s['border' + side + 'Style'] === 'none' || parseFloat(s['border' + side + 'Width']) < 1) return false;
                  const c = parse(s['border' + side + 'Color']);
                  const bg = background(e.parentElement || e);
                  return c && ratio(blend(c, bg), bg) >= 3;
                });
                // The edge may be drawn by the field's row (compose's To line), up to two levels out.
                const up = [el.parentElement, el.parentElement && el.parentElement.parentElement].filter(Boolean);
                if (!(edges(el) || ratio(background(el), around) >= 3 || up.some(edges))) {
                  failures.push('boundary under 3:1: ' + label(el));
                }
              }
              // SC 4.1.2: every control has a name.
              const named = (el) => {
                if ((el.getAttribute('aria-label') || '').trim()) return true;
                const by = el.getAttribute('aria-labelledby');
                if (by && by.split(/\\s+/).some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
                if (el.labels && [...el.labels].some((l) => l.textContent.trim())) return true;
                if ((el.getAttribute('title') || '').trim()) return true;
                if (el.matches('button, a, [role=button], summary') && (el.textContent.trim() || el.querySelector('img[alt]:not([alt=""])'))) return true;
                if (el.matches('input[type=submit], input[type=button]') && el.value) return true;
                return false;
              };
              for (const el of document.body.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href], [contenteditable=true], [role=listbox], [role=button]')) {
                if (!shown(el) && !(el.matches('input[type=file]'))) continue;
                if (el.matches('input[type=file]') && !shown(el)) continue;
                if (!named(el)) failures.push('no accessible name: ' + label(el));
              }
              return {failures, texts, controls};
            }""";
}
