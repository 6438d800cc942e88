// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.DataNode;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.parser.Parser;
import org.jsoup.safety.Cleaner;
import org.jsoup.safety.Safelist;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * Turns a message's HTML into HTML that can do nothing but show itself (HOSTILE.md A48-A52). The input
 * is parsed by jsoup's HTML5 tree builder (the browser's algorithm, so both see the same tree) and
 * copied through an allow-list {@link Cleaner}: no script, no event handler, no form, frame, object,
 * embed, media, meta, base or link element, no SVG or MathML (whose parsing rules differ, the root of
 * most mutation XSS), links only to http, https and mailto. Then, on the clean DOM, never on strings:
 * images keep only cid: (turned into the data: URIs the caller built) and, with remote content allowed,
 * http(s); CSS goes through {@link CssFilter}; links open in a new context with noopener and show their
 * real target. The result is a second line of defence: the frame showing it is sandboxed without
 * scripts and under a CSP with no script source.
 *
 * <p>Bounded: the input is cut at {@link #MAX_INPUT_CHARS}, elements nested deeper than
 * {@link #MAX_DEPTH} are unwrapped (their content kept), and every pass over the tree is iterative.
 */
public final class HtmlSanitizer {
    public static final int MAX_INPUT_CHARS = 2 << 20;
    public static final int MAX_DEPTH = 200;

    private static final Safelist SAFELIST = safelist();

    /**
     * The result: a detached div holding the clean content (moved as one node: moving children one by
     * one is quadratic in jsoup) and whether the message referred to remote content.
     */
    public record Result(Element root, boolean remoteFound) {
        public String html() {
            return root.html();
        }
    }

    /**
     * @param inlineImages data: URIs by Content-ID (lower case, without angle brackets)
     */
    public Result sanitize(String html, boolean allowRemote, Map<String, String> inlineImages) {
        String input = html.length() > MAX_INPUT_CHARS ? html.substring(0, MAX_INPUT_CHARS) : html;
        Document dirty = Parser.htmlParser().parseInput(input, "");
        // jsoup adopts a <base href> as the document's base URI; the message's base must not turn
        // relative URLs into absolute ones (A48: base), so relative URLs stay unresolvable and are dropped.
        dirty.setBaseUri("");
        // Senders put their sheets in <head>; the cleaner only copies <body>.
        for (Element style : new ArrayList<>(dirty.head().getElementsByTag("style"))) dirty.body().prependChild(style);
        flatten(dirty.body());
        Document clean = new Cleaner(SAFELIST).clean(dirty);
        CssFilter.Remote remote = new CssFilter.Remote();
        NodeTraversor.traverse(new Fixer(allowRemote, inlineImages, remote), clean.body());
        Element root = clean.body().tagName("div");
        root.remove();
        return new Result(root, remote.found);
    }

    private static Safelist safelist() {
        Safelist s = new Safelist()
                .addTags("a", "abbr", "acronym", "address", "article", "aside", "b", "bdi", "bdo", "big", "blockquote", "br",
                        "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt",
                        "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i",
                        "img", "ins", "kbd", "li", "main", "mark", "nav", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp",
                        "section", "small", "span", "strike", "strong", "style", "sub", "summary", "sup", "table", "tbody", "td",
                        "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "wbr")
                .addAttributes(":all", "style", "class", "dir", "lang", "title", "align", "valign", "width", "height", "bgcolor")
                .addAttributes("a", "href")
                .addAttributes("img", "src", "alt", "border", "hspace", "vspace")
                .addAttributes("table", "border", "cellpadding", "cellspacing", "summary", "frame", "rules")
                .addAttributes("td", "colspan", "rowspan", "nowrap", "abbr", "scope")
                .addAttributes("th", "colspan", "rowspan", "nowrap", "abbr", "scope")
                .addAttributes("col", "span")
                .addAttributes("colgroup", "span")
                .addAttributes("font", "color", "face", "size")
                .addAttributes("ol", "start", "type", "reversed")
                .addAttributes("ul", "type")
                .addAttributes("li", "value")
                .addAttributes("details", "open")
                .addAttributes("time", "datetime")
                .addAttributes("del", "datetime")
                .addAttributes("ins", "datetime")
                .addProtocols("a", "href", "http", "https", "mailto")
                .addProtocols("img", "src", "http", "https", "cid");
        return s.preserveRelativeLinks(false);
    }

    /** Unwraps elements deeper than {@link #MAX_DEPTH}, keeping their content. */
    private static void flatten(Element body) {
        List<Element> deep = new ArrayList<>();
        NodeTraversor.traverse((node, depth) -> {
            if (depth > MAX_DEPTH && node instanceof Element e) deep.add(e);
        }, body);
        for (Element e : deep) e.unwrap();
    }

    /** The passes on the clean DOM. */
    private static final class Fixer implements NodeVisitor {
        private final boolean allowRemote;
        private final Map<String, String> inlineImages;
        private final CssFilter.Remote remote;

        Fixer(boolean allowRemote, Map<String, String> inlineImages, CssFilter.Remote remote) {
            this.allowRemote = allowRemote;
            this.inlineImages = inlineImages;
            this.remote = remote;
        }

        @Override
        public void head(Node node, int depth) {
            if (!(node instanceof Element e)) return;
            if (e.hasAttr("style")) {
                String css = CssFilter.declarations(e.attr("style"), allowRemote, remote);
                if (css.isEmpty()) e.removeAttr("style");
                else e.attr("style", css);
            }
            switch (e.normalName()) {
                case "style" -> {
                    // Whatever the parser put inside (text, data, even elements from foreign content) is
                    // replaced by filtered CSS as one data node, which the filter guarantees has no "<".
                    String css = CssFilter.sheet(e.wholeText() + e.data(), allowRemote, remote);
                    e.empty();
                    if (!css.isEmpty()) e.appendChild(new DataNode(css));
                }
                case "img" -> image(e);
                case "a" -> link(e);
                default -> { }
            }
            for (Attribute a : new ArrayList<>(e.attributes().asList())) {
                // Length-bound every value; nothing legitimate in mail needs more.
                if (a.getValue().length() > 8192) e.removeAttr(a.getKey());
            }
        }

        private void image(Element img) {
            String src = img.attr("src");
            String lower = src.toLowerCase(Locale.ROOT);
            if (lower.startsWith("cid:")) {
                String data = inlineImages.get(cid(src.substring(4)));
                if (data != null) img.attr("src", data);
                else img.removeAttr("src");
            } else if (lower.startsWith("https://") || lower.startsWith("http://")) {
                remote.found = true;
                if (!allowRemote) img.removeAttr("src");
            } else {
                img.removeAttr("src");
            }
        }

        private static void link(Element a) {
            String href = a.attr("href");
            if (href.isEmpty()) {
                a.removeAttr("href");
                return;
            }
            // Removed and added in one order, so a second pass writes the same bytes.
            a.removeAttr("title");
            a.attr("target", "_blank");
            a.attr("rel", "noopener noreferrer");
            // The real target, whatever the text of the link claims.
            a.attr("title", href);
        }

        @Override
        public void tail(Node node, int depth) {
        }
    }

    /** A Content-ID as cid: URLs and headers name it (RFC 2392 §2): unquoted, without brackets, lower case. */
    static String cid(String raw) {
        String s = raw.strip();
        try {
            s = java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // A malformed escape: compare as written.
        }
        if (s.startsWith("<") && s.endsWith(">")) s = s.substring(1, s.length() - 1);
        return s.strip().toLowerCase(Locale.ROOT);
    }
}
