// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import java.util.ArrayList;
import java.util.List;
import org.postern.core.mime.MimePart;

/**
 * Which parts make up a message's HTML view: the htmlBody list of RFC 8621 §4.1.4, computed with the
 * RFC's parseStructure algorithm (textBody and attachments are tracked because the algorithm needs
 * them). Recursion follows the MIME tree, whose depth the parser already bounds (MimeLimits).
 */
final class BodyChooser {
    private BodyChooser() {}

    /** Adds the htmlBody parts of the tree under {@code root} to {@code out}, in order. */
    static void htmlBody(MimePart root, List<MimePart> out) {
        parse(List.of(root), "mixed", false, out, new ArrayList<>(), new ArrayList<>());
    }

    private static void parse(List<MimePart> parts, String multipartType, boolean inAlternative, List<MimePart> htmlBody,
            List<MimePart> textBody, List<MimePart> attachments) {
        int textLength = textBody == null ? -1 : textBody.size();
        int htmlLength = htmlBody == null ? -1 : htmlBody.size();
        for (int i = 0; i < parts.size(); i++) {
            MimePart part = parts.get(i);
            String type = part.contentType().mimeType();
            boolean inline = (part.disposition() == null || !part.disposition().isAttachment())
                    && (type.equals("text/plain") || type.equals("text/html") || inlineMedia(type))
                    && (i == 0 || !multipartType.equals("related") && (inlineMedia(type) || name(part) == null));
            if (part.isMultipart()) {
                String sub = part.contentType().subtype();
                parse(part.children(), sub, inAlternative || sub.equals("alternative"), htmlBody, textBody, attachments);
            } else if (inline) {
                if (multipartType.equals("alternative")) {
                    switch (type) {
                        case "text/plain" -> { if (textBody != null) textBody.add(part); }
                        case "text/html" -> { if (htmlBody != null) htmlBody.add(part); }
                        default -> attachments.add(part);
                    }
                    continue;
                } else if (inAlternative) {
                    if (type.equals("text/plain")) htmlBody = null;
                    if (type.equals("text/html")) textBody = null;
                }
                if (textBody != null) textBody.add(part);
                if (htmlBody != null) htmlBody.add(part);
                if ((textBody == null || htmlBody == null) && inlineMedia(type)) attachments.add(part);
            } else {
                attachments.add(part);
            }
        }
        if (multipartType.equals("alternative") && textBody != null && htmlBody != null) {
            // No HTML alternative: the text stands in for it (and the other way round).
            if (textLength == textBody.size() && htmlLength != htmlBody.size()) {
                for (int i = htmlLength; i < htmlBody.size(); i++) textBody.add(htmlBody.get(i));
            }
            if (htmlLength == htmlBody.size() && textLength != textBody.size()) {
                for (int i = textLength; i < textBody.size(); i++) htmlBody.add(textBody.get(i));
            }
        }
    }

    private static boolean inlineMedia(String type) {
        return type.startsWith("image/") || type.startsWith("audio/") || type.startsWith("video/");
    }

    private static String name(MimePart p) {
        String n = p.disposition() == null ? null : p.disposition().filename();
        return n != null ? n : p.contentType().param("name");
    }
}
