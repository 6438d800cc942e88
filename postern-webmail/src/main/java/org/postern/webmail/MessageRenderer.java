// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.nodes.DataNode;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Entities;
import org.jsoup.nodes.TextNode;
import org.postern.core.mime.MimeMessage;
import org.postern.core.mime.MimePart;

/**
 * A message's readable body as one complete HTML document for the sandboxed message frame. The
 * parts shown are the message's htmlBody as RFC 8621 §4.1.4 computes it (the same choice JMAP's
 * Email/get makes, so the UI's attachment list and this view agree): HTML parts sanitized by
 * {@link HtmlSanitizer}, text/plain parts HTML-escaped first and then linkified (http, https and
 * mailto only; HOSTILE.md A58). Images referred to by cid: (RFC 2392) become data: URIs, only raster
 * types and within {@link #MAX_INLINE_IMAGE} each and {@link #MAX_INLINE_TOTAL} together.
 */
public final class MessageRenderer {
    public static final int MAX_INLINE_IMAGE = 2 << 20;
    public static final int MAX_INLINE_TOTAL = 8 << 20;
    /** Decoded text per part; longer text is cut (the reader can download the message). */
    public static final int MAX_TEXT_CHARS = HtmlSanitizer.MAX_INPUT_CHARS;
    private static final int MAX_PARTS_SHOWN = 64;
    private static final Set<String> RASTER = Set.of("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp");
    private static final Pattern LINK = Pattern.compile("\\b(?:https?://|mailto:)[^\\s<>\"'`\\[\\]{}|\\\\^]{1,2000}",
            Pattern.CASE_INSENSITIVE);
    /**
     * The frame's own look; the CSP allows inline style and nothing else. Always light, as mail is
     * written for: an HTML message with black text on no background would vanish on a dark canvas.
     */
    private static final String BASE_CSS = "html{color-scheme:light;background:#fff;color:#1b1d21}body{margin:0;padding:8px;font:14px/1.45 system-ui,"
            + "sans-serif;overflow-wrap:anywhere}img{max-width:100%;height:auto}.postern-text{white-space:pre-wrap;"
            + "font-family:ui-monospace,monospace;margin:0}";

    private final HtmlSanitizer sanitizer = new HtmlSanitizer();

    /** The document and whether remote content was referred to. */
    public record Rendered(String html, boolean remoteFound) {}

    public Rendered render(MimeMessage message, boolean allowRemote) {
        // RFC 8621 §4.1.4 parseStructure, the same choice Email/get makes (the blob id is not needed here).
        List<MimePart> parts = new org.postern.jmap.method.BodyParts(message, null).htmlBody();
        Map<String, String> images = inlineImages(message);
        Document doc = Document.createShell("");
        doc.outputSettings().prettyPrint(false).charset(StandardCharsets.UTF_8).escapeMode(Entities.EscapeMode.base);
        doc.head().appendElement("meta").attr("charset", "utf-8");
        doc.head().appendElement("meta").attr("name", "referrer").attr("content", "no-referrer");
        doc.head().appendElement("style").appendChild(new DataNode(BASE_CSS));
        boolean remote = false;
        int shown = 0;
        long budget = MAX_INLINE_TOTAL * 4L / 3;
        for (MimePart p : parts) {
            if (shown++ >= MAX_PARTS_SHOWN) break;
            String type = p.contentType().mimeType();
            if (type.equals("text/html")) {
                HtmlSanitizer.Result r = sanitizer.sanitize(text(message, p), allowRemote, images);
                remote |= r.remoteFound();
                doc.body().appendChild(r.root().addClass("postern-html"));
            } else if (type.equals("text/plain") || type.startsWith("text/")) {
                doc.body().appendChild(plain(text(message, p)));
            } else if (RASTER.contains(type)) {
                // An inline image between text parts (RFC 8621 §4.1.4 puts it in htmlBody) shows where it is.
                String uri = dataUri(message, p);
                if (uri != null && (budget -= uri.length()) >= 0) doc.body().appendElement("img").attr("src", uri).attr("alt", "");
            }
        }
        return new Rendered("<!DOCTYPE html>" + doc.outerHtml(), remote);
    }

    /** A text/plain body as escaped text with http(s) and mailto links. */
    static Element plain(String text) {
        Element pre = new Element("div").addClass("postern-text");
        Matcher m = LINK.matcher(text);
        int last = 0;
        while (m.find()) {
            String url = trimTrailing(m.group());
            int end = m.start() + url.length();
            if (m.start() > last) pre.appendChild(new TextNode(text.substring(last, m.start())));
            pre.appendElement("a").attr("href", url).attr("target", "_blank").attr("rel", "noopener noreferrer")
                    .attr("title", url).appendChild(new TextNode(url));
            last = end;
        }
        if (last < text.length()) pre.appendChild(new TextNode(text.substring(last)));
        return pre;
    }

    /** Punctuation that ends a sentence is not part of the link. */
    private static String trimTrailing(String url) {
        int end = url.length();
        while (end > 0 && ".,;:!?)'\"".indexOf(url.charAt(end - 1)) >= 0) end--;
        return url.substring(0, end);
    }

    /** A part's decoded text in its declared charset (unknown or missing: UTF-8), bad bytes as U+FFFD. */
    static String text(MimeMessage m, MimePart p) {
        byte[] bytes = m.decodedBody(p);
        Charset cs = charset(p.contentType().charset());
        try {
            String s = cs.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(java.nio.ByteBuffer.wrap(bytes, 0, Math.min(bytes.length, MAX_TEXT_CHARS * 4))).toString();
            return s.length() > MAX_TEXT_CHARS ? s.substring(0, MAX_TEXT_CHARS) : s;
        } catch (java.nio.charset.CharacterCodingException e) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static Charset charset(String name) {
        if (name == null || name.length() > 40 || !name.matches("[A-Za-z0-9._:+-]+")) return StandardCharsets.UTF_8;
        String n = name.toLowerCase(Locale.ROOT);
        // us-ascii and latin-1 labels are routinely windows-1252 (WHATWG Encoding); UTF-8 is a superset of ASCII.
        if (n.equals("us-ascii") || n.equals("ascii")) return StandardCharsets.UTF_8;
        if (n.equals("iso-8859-1") || n.equals("latin1")) n = "windows-1252";
        try {
            return Charset.isSupported(n) ? Charset.forName(n) : StandardCharsets.UTF_8;
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /** data: URIs of the message's raster images that have a Content-ID, keyed as {@link HtmlSanitizer#cid}. */
    static Map<String, String> inlineImages(MimeMessage m) {
        Map<String, String> out = new HashMap<>();
        long total = 0;
        List<MimePart> stack = new ArrayList<>(List.of(m.root()));
        int visited = 0;
        while (!stack.isEmpty() && visited++ < 10_000) {
            MimePart p = stack.removeLast();
            if (p.isMultipart()) {
                stack.addAll(p.children());
                continue;
            }
            String id = p.contentId();
            if (id == null || !RASTER.contains(p.contentType().mimeType())) continue;
            String uri = dataUri(m, p);
            if (uri == null || total + uri.length() > MAX_INLINE_TOTAL * 4L / 3 + 1024) continue;
            total += uri.length();
            out.putIfAbsent(HtmlSanitizer.cid(id), uri);
        }
        return out;
    }

    private static String dataUri(MimeMessage m, MimePart p) {
        if (p.bodySize() > MAX_INLINE_IMAGE * 2) return null;
        byte[] bytes = m.decodedBody(p);
        if (bytes.length == 0 || bytes.length > MAX_INLINE_IMAGE) return null;
        return "data:" + p.contentType().mimeType() + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }
}
