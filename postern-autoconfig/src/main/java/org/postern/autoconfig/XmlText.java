// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

/** Escaping for text and attribute values in the XML documents this module writes. */
final class XmlText {
    private XmlText() {}

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    // XML 1.0 §2.2: control characters other than TAB, LF, CR are not allowed at all.
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') continue;
                    b.append(c);
                }
            }
        }
        return b.toString();
    }
}
