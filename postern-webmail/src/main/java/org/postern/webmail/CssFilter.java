// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Filters the CSS of a message: style attributes (declaration lists) and style elements (sheets).
 * It does not parse CSS fully; it refuses what it cannot judge. Anything that could load from the
 * network without url() (escapes such as {@code u\72l(}, image-set with bare strings, {@code @import
 * "x"}) is dropped whole; url() survives only as http(s) and only when the reader allowed remote
 * content (HOSTILE.md A51, A52). Old script hooks (expression, behavior, -moz-binding) are dropped.
 * The output never contains "&lt;", so a sheet cannot close its own style element (A50).
 */
final class CssFilter {
    static final int MAX_DECLARATIONS_CHARS = 16 * 1024;
    static final int MAX_SHEET_CHARS = 256 * 1024;

    /** Tokens that run script, load without url(), or depend on escapes we do not decode. */
    private static final Pattern FORBIDDEN = Pattern.compile(
            "expression|javascript:|vbscript:|behavior|-moz-binding|binding\\s*:|(?<![a-z0-9-])(?:-webkit-)?image-set\\s*\\(|"
                    + "(?<![a-z0-9-])(?:src|image|element|cross-fade|-webkit-cross-fade)\\s*\\(|\\\\|<|[\\x00-\\x08\\x0b\\x0e-\\x1f\\x7f]",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern URL = Pattern.compile("url\\(\\s*(['\"]?)([^'\"()\\s]*)\\1\\s*\\)", Pattern.CASE_INSENSITIVE);
    private static final Pattern URL_START = Pattern.compile("url\\s*\\(", Pattern.CASE_INSENSITIVE);
    private static final Pattern PROPERTY = Pattern.compile("-?[a-zA-Z][a-zA-Z0-9-]{0,63}");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/", Pattern.DOTALL);
    /** At-rules that fetch (import, font-face) or change how the rest is read (charset, namespace). */
    private static final Pattern AT_STATEMENT = Pattern.compile("@(?:import|charset|namespace)\\b[^;{}]*;?", Pattern.CASE_INSENSITIVE);
    private static final Pattern FONT_FACE = Pattern.compile("@font-face\\s*\\{[^{}]*\\}", Pattern.CASE_INSENSITIVE);
    private static final Pattern POSITION_FIXED = Pattern.compile("position\\s*:\\s*(?:fixed|sticky)", Pattern.CASE_INSENSITIVE);

    /** Set when the CSS referred to remote content. */
    static final class Remote {
        boolean found;
    }

    private CssFilter() {}

    /** A style attribute's value, filtered; empty when nothing usable is left. */
    static String declarations(String css, boolean allowRemote, Remote remote) {
        if (css == null || css.length() > MAX_DECLARATIONS_CHARS) return "";
        String s = stripComments(css);
        if (s == null || s.indexOf('@') >= 0 || s.indexOf('{') >= 0 || s.indexOf('}') >= 0) return "";
        StringBuilder out = new StringBuilder();
        for (String decl : s.split(";", 256)) {
            String d = decl.strip();
            if (d.isEmpty()) continue;
            int colon = d.indexOf(':');
            if (colon <= 0) continue;
            String property = d.substring(0, colon).strip();
            String value = d.substring(colon + 1).strip();
            if (!PROPERTY.matcher(property).matches() || value.isEmpty()) continue;
            if (FORBIDDEN.matcher(d).find()) continue;
            // The message frame clips an overlay anyway; fixed/sticky would still cover the part the reader looks at.
            if (POSITION_FIXED.matcher(property + ":" + value).find()) continue;
            String v = urls(value, allowRemote, remote, false);
            if (v == null) continue;
            out.append(property.toLowerCase(Locale.ROOT)).append(": ").append(v).append("; ");
        }
        return out.toString().strip();
    }

    /** A style element's text, filtered; empty when it had to be dropped. */
    static String sheet(String css, boolean allowRemote, Remote remote) {
        if (css == null || css.length() > MAX_SHEET_CHARS) return "";
        String s = stripComments(css);
        if (s == null) return "";
        // Legacy HTML comment tokens around sheets are allowed in CSS; they carry nothing.
        s = s.replace("<!--", " ").replace("-->", " ");
        if (FORBIDDEN.matcher(s).find()) return "";
        s = AT_STATEMENT.matcher(s).replaceAll(" ");
        if (!allowRemote) {
            Matcher f = FONT_FACE.matcher(s);
            if (f.find()) {
                remote.found |= URL_START.matcher(s).find();
                s = f.replaceAll(" ");
            }
        }
        if (s.toLowerCase(Locale.ROOT).contains("@import")) return "";
        String out = urls(s, allowRemote, remote, true);
        return out == null ? "" : out.strip();
    }

    /**
     * Rewrites every url(): kept when remote content is allowed and it is https; else a declaration
     * loses it (null) or, in a sheet, it becomes "none". A url() we cannot parse drops everything.
     */
    private static String urls(String s, boolean allowRemote, Remote remote, boolean inSheet) {
        if (!URL_START.matcher(s).find()) return s;
        Matcher m = URL.matcher(s);
        StringBuilder b = new StringBuilder();
        int last = 0;
        while (m.find()) {
            String target = m.group(2).toLowerCase(Locale.ROOT);
            boolean web = target.startsWith("https://") || target.startsWith("http://");
            if (web) remote.found = true;
            String replacement;
            if (web && allowRemote && target.startsWith("https://")) {
                replacement = "url('" + m.group(2) + "')";
            } else if (inSheet) {
                replacement = "none";
            } else {
                return null;
            }
            b.append(s, last, m.start()).append(replacement);
            last = m.end();
        }
        b.append(s.substring(last));
        String out = b.toString();
        // Anything still looking like url( was not in a form we understood.
        String rest = URL.matcher(out).replaceAll("");
        return URL_START.matcher(rest).find() ? null : out;
    }

    /** Without comments; null for an unterminated one (the rest is unreadable). */
    private static String stripComments(String css) {
        String s = COMMENT.matcher(css).replaceAll(" ");
        return s.contains("/*") ? null : s;
    }
}
