// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The webmail's browser benchmark (issue 7), against a Postern already running on a big mailbox
 * (bench/webmail/run.sh starts one on a 100,000-message INBOX). Skipped unless {@code -Dwebmail.bench.url}
 * is given, so the normal test run never times anything. Each of {@code webmail.bench.runs} rounds uses a
 * fresh browser context and measures, in milliseconds:
 * <ul>
 * <li>login-to-list: the sign-in click until the first message row shows its data;</li>
 * <li>scroll: 200 animation frames scrolling a screen each, with their 95th percentile and the frames
 *     slower than 50 ms (dropped frames); then scroll-to-end: a jump to the bottom until the last row
 *     shows its data;</li>
 * <li>open: a click on a row until the reader shows that message's subject and its body frame loaded:
 *     {@code openMs} the median of five clicks on rows four apart (no neighbour of the message open
 *     before), {@code openFirstMs} the first of them, {@code openKeyMs} the median of four "k" presses
 *     (the previous message) after them;</li>
 * <li>search: Enter in the search box until the first result row shows its data.</li>
 * </ul>
 * Prints one JSON line per round and one with the medians, prefixed "WEBMAIL-BENCH ".
 */
class WebmailBenchIT {
    private static final double WAIT_MS = 120_000;
    /** Open samples per round: clicks on rows not next to each other, then "k" presses. */
    private static final int OPEN_CLICKS = 5;
    private static final int OPEN_KEYS = 4;
    /** A reader's pause between two messages. */
    private static final int THINK_MS = 400;

    @Test
    void measure() {
        String base = System.getProperty("webmail.bench.url");
        assumeTrue(base != null && !base.isBlank(), "benchmark only with -Dwebmail.bench.url");
        assumeTrue(Browser.available(), "no /usr/bin/chromium");
        String user = System.getProperty("webmail.bench.user", "big@peers.test");
        String password = System.getProperty("webmail.bench.password", "benchpass");
        String query = System.getProperty("webmail.bench.query", "latency");
        int runs = Integer.getInteger("webmail.bench.runs", 3);
        List<Map<String, Double>> rounds = new ArrayList<>();
        try (Browser b = Browser.start()) {
            for (int run = 1; run <= runs; run++) {
                BrowserContext ctx = b.newContext(new com.microsoft.playwright.Browser.NewContextOptions().setViewportSize(1280, 900));
                Page page = ctx.newPage();
                page.setDefaultTimeout(WAIT_MS);
                Map<String, Double> r = round(page, base, user, password, query);
                rounds.add(r);
                System.out.println("WEBMAIL-BENCH " + json(Map.of("run", (double) run), r));
                ctx.close();
            }
            assertThat(b.errors()).isEmpty();
            assertThat(b.foreignRequests()).isEmpty();
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        for (String k : rounds.getFirst().keySet()) {
            medians.put(k, rounds.stream().mapToDouble(m -> m.get(k)).sorted().skip(rounds.size() / 2).findFirst().orElseThrow());
        }
        System.out.println("WEBMAIL-BENCH " + json(Map.of("runs", (double) runs), medians).replace("{", "{\"median\":true,"));
    }

    private static Map<String, Double> round(Page page, String base, String user, String password, String query) {
        Map<String, Double> out = new LinkedHashMap<>();
        Locator loaded = page.locator("[data-testid=message-row][data-id]");
        page.navigate(base + "/");
        page.fill("[data-testid=login-username]", user);
        page.fill("[data-testid=login-password]", password);
        double clickAt = ((Number) page.evaluate("() => performance.now()")).doubleValue();
        long t0 = System.nanoTime();
        page.click("[data-testid=login-submit]");
        loaded.first().waitFor();
        out.put("loginToListMs", (System.nanoTime() - t0) / 1e6);
        System.out.println("WEBMAIL-BENCH-REQUESTS login " + requests(page, clickAt));

        // In the page: 200 frames of a screen each (frame times: is scrolling smooth?), then a jump to the
        // bottom and the time until the last row shows its data.
        @SuppressWarnings("unchecked")
        Map<String, Object> scroll = (Map<String, Object>) page.evaluate("""
                async () => {
                  const v = document.querySelector('[data-testid=message-list]');
                  const frames = [];
                  let last = performance.now();
                  for (let i = 0; i < 200 && v.scrollTop + v.clientHeight < v.scrollHeight - 1; i++) {
                    v.scrollTop += v.clientHeight;
                    await new Promise((r) => requestAnimationFrame(r));
                    const now = performance.now();
                    frames.push(now - last);
                    last = now;
                  }
                  const total = Number(document.querySelector('[data-testid=message-row]').getAttribute('aria-setsize'));
                  const t0 = performance.now();
                  v.scrollTop = v.scrollHeight;
                  const deadline = t0 + 120000;
                  while (!document.querySelector(`[data-testid=message-row][data-id][aria-posinset="${total}"]`)) {
                    if (performance.now() > deadline) throw new Error('last row never loaded');
                    await new Promise((r) => requestAnimationFrame(r));
                  }
                  const ms = performance.now() - t0;
                  frames.sort((a, b) => a - b);
                  return { ms, frames: frames.length, slow: frames.filter((f) => f > 50).length,
                    p95: frames[Math.floor(frames.length * 0.95)] || 0, rows: total };
                }""");
        out.put("scrollToEndMs", ((Number) scroll.get("ms")).doubleValue());
        out.put("scrollFrames", ((Number) scroll.get("frames")).doubleValue());
        out.put("scrollSlowFrames", ((Number) scroll.get("slow")).doubleValue());
        out.put("scrollP95FrameMs", ((Number) scroll.get("p95")).doubleValue());
        out.put("rows", ((Number) scroll.get("rows")).doubleValue());

        double openAt = ((Number) page.evaluate("() => performance.now()")).doubleValue();
        // Opens messages the way a reader does, with a short think time between them: OPEN_CLICKS clicks on
        // rows four apart near the list's end (none of them a neighbour of the one open before, so none
        // prefetched), then OPEN_KEYS presses of "k" (the previous message: the j/k path). Each sample runs
        // until the reader shows that row's subject and the body frame has loaded.
        @SuppressWarnings("unchecked")
        Map<String, Object> opens = (Map<String, Object>) page.evaluate("""
                async ([clicks, keys, thinkMs]) => {
                  const rowAt = (pos) => document.querySelector(`[data-testid=message-row][data-id][aria-posinset="${pos}"]`);
                  const total = Number(document.querySelector('[data-testid=message-row]').getAttribute('aria-setsize'));
                  // Load events do not bubble, but a capturing listener sees each frame's, however early it comes.
                  const loaded = new WeakSet();
                  document.addEventListener('load', (e) => { if (e.target instanceof HTMLIFrameElement) loaded.add(e.target); }, true);
                  const shown = async (row, t0) => {
                    const subject = row.querySelector('[data-testid=row-subject]').textContent || '(no subject)';
                    const id = row.getAttribute('data-id');
                    const deadline = t0 + 60000;
                    for (;;) {
                      const m = document.querySelector(`[data-testid=message][data-id="${CSS.escape(id)}"]`);
                      const s = m && m.querySelector('[data-testid=message-subject]');
                      const f = m && m.querySelector('iframe[data-testid=message-body]');
                      if (s && s.textContent === subject && f && loaded.has(f)) return performance.now() - t0;
                      if (performance.now() > deadline) throw new Error('message never opened');
                      await new Promise((r) => setTimeout(r, 2));
                    }
                  };
                  const think = () => new Promise((r) => setTimeout(r, thinkMs));
                  const click = [], key = [];
                  for (let i = 0; i < clicks; i++) {
                    const row = rowAt(total - 4 * i);
                    if (!row) break;
                    const t0 = performance.now();
                    row.click();
                    click.push(await shown(row, t0));
                    await think();
                  }
                  let pos = total - 4 * (click.length - 1);
                  for (let i = 0; i < keys && pos > 1; i++) {
                    pos--;
                    const row = rowAt(pos);
                    if (!row) break;
                    const t0 = performance.now();
                    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'k', bubbles: true }));
                    key.push(await shown(row, t0));
                    await think();
                  }
                  return { click, key };
                }""", List.of(OPEN_CLICKS, OPEN_KEYS, THINK_MS));
        List<Double> clicks = numbers(opens.get("click"));
        List<Double> keys = numbers(opens.get("key"));
        out.put("openMs", median(clicks));
        out.put("openFirstMs", clicks.getFirst());
        out.put("openKeyMs", keys.isEmpty() ? -1 : median(keys));
        System.out.println("WEBMAIL-BENCH-OPENS clicks " + clicks + " keys " + keys);
        System.out.println("WEBMAIL-BENCH-REQUESTS open " + requests(page, openAt));

        String before = page.locator("[data-testid=list-title]").textContent();
        page.fill("[data-testid=search-input]", query);
        t0 = System.nanoTime();
        page.press("[data-testid=search-input]", "Enter");
        page.waitForCondition(() -> !before.equals(page.locator("[data-testid=list-title]").textContent()),
                new Page.WaitForConditionOptions().setTimeout(WAIT_MS));
        // The title changes in the same task as the list's source: a row with data after it is a result.
        page.waitForFunction("() => !!document.querySelector('[data-testid=message-row][data-id][aria-posinset=\"1\"]')", null,
                new Page.WaitForFunctionOptions().setTimeout(WAIT_MS));
        out.put("searchMs", (System.nanoTime() - t0) / 1e6);
        return out;
    }

    /**
     * The requests the page made since {@code since} (its performance.now()), from Resource Timing: each
     * as "path start+duration" in ms from {@code since}, in start order; shows how many round trips
     * follow one another before a figure's end.
     */
    private static String requests(Page page, double since) {
        Object r = page.evaluate("""
                (since) => performance.getEntriesByType('resource').filter((e) => e.startTime >= since)
                  .sort((a, b) => a.startTime - b.startTime)
                  .map((e) => `${new URL(e.name).pathname.replace(/^\\/v\\/[^/]+/, '')} ${(e.startTime - since).toFixed(0)}+${e.duration.toFixed(0)}`)
                  .join(', ')""", since);
        return String.valueOf(r);
    }

    private static List<Double> numbers(Object list) {
        List<Double> out = new ArrayList<>();
        for (Object o : (List<?>) list) out.add(((Number) o).doubleValue());
        return out;
    }

    private static double median(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).sorted().skip(xs.size() / 2).findFirst().orElse(-1);
    }

    private static String json(Map<String, Double> head, Map<String, Double> values) {
        StringBuilder s = new StringBuilder("{");
        Map<String, Double> all = new LinkedHashMap<>(head);
        all.putAll(values);
        all.forEach((k, v) -> s.append(s.length() > 1 ? "," : "").append('"').append(k).append("\":")
                .append(String.format(Locale.ROOT, "%.1f", v)));
        return s.append('}').toString();
    }
}
