// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Random;

/**
 * The throwaway mailbox {@link Warmup} exercises: generated messages as varied as a real Inbox where it
 * matters to the code that serves it, so the compiled code is the code real mail takes. Subjects with
 * Re:/Fwd:/[list] prefixes and RFC 2047 encoded words (SORT's base subject, RFC 5256 §2.1), senders with and
 * without display names (SORT FROM, ENVELOPE), dates in several zones and one without a Date field,
 * replies (threads, collapseThreads), and the MIME shapes of RFC 2045/2046 a preview, BODYSTRUCTURE and the
 * webmail's renderer walk: plain, quoted-printable, HTML only, alternative, mixed with a base64
 * attachment, a forwarded message/rfc822. Deterministic for a seed.
 */
final class WarmupMessages {
    static final String[] WORDS = {"latency", "budget", "meeting", "invoice", "release", "schedule", "report", "server",
        "holiday", "review", "draft", "contract", "launch", "question", "update", "quarter", "migration", "backup",
        "garden", "concert", "Zürich", "café", "naïve", "résumé", "東京", "привет"};
    private static final String[] NAMES = {"Alice Martin", "Bob Chen", "Carla Díaz", "\"Doe, John\"", "Émile Zola", "Frank O'Neil",
        "", "Grace Hopper", "Héloïse", "Ivan Petrov", "山田 太郎", "Zoë Quinn"};
    private static final String[] DOMAINS = {"example.com", "mail.example.org", "peers.test", "lists.example.net"};
    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);
    private static final ZoneOffset[] ZONES = {ZoneOffset.UTC, ZoneOffset.ofHours(2), ZoneOffset.ofHours(-5),
        ZoneOffset.ofHoursMinutes(5, 30), ZoneOffset.ofHours(9)};
    static final Instant EPOCH = Instant.parse("2025-01-01T00:00:00Z");

    private final Random random;
    private final String recipient;

    WarmupMessages(long seed, String recipient) {
        this.random = new Random(seed);
        this.recipient = recipient;
    }

    /** When message {@code i} arrived: a few minutes apart, so date order and arrival order mostly agree. */
    static Instant receivedAt(int i) {
        return EPOCH.plusSeconds(397L * i);
    }

    /** Message {@code i} (0-based), CRLF line ends, about 1-4 KB. */
    byte[] message(int i) {
        StringBuilder m = new StringBuilder(2048);
        header(m, "Return-Path", "<" + address(i) + ">");
        header(m, "Received", "from mx.example.com (mx.example.com [192.0.2." + (i % 250 + 1) + "]) by warmup.test; "
                + date(i));
        if (i % 97 != 5) header(m, "Date", date(i)); // RFC 5256 §2.2: no Date, SORT DATE uses the arrival time
        header(m, "From", from(i));
        header(m, "To", "<" + recipient + ">");
        if (i % 7 == 0) header(m, "Cc", from(i + 3) + ", " + from(i + 5));
        header(m, "Subject", subject(i));
        header(m, "Message-ID", "<" + messageId(i) + ">");
        if (i % 5 == 3 && i > 10) {
            // A reply to an earlier message: the same thread for THREADID and JMAP's collapseThreads.
            int parent = i - 1 - random.nextInt(Math.min(i - 1, 40));
            header(m, "In-Reply-To", "<" + messageId(parent) + ">");
            header(m, "References", "<" + messageId(Math.max(0, parent - 1)) + "> <" + messageId(parent) + ">");
        }
        if (i % 11 == 0) header(m, "List-Id", "Warm-up list <warmup.lists.example.net>");
        header(m, "MIME-Version", "1.0");
        switch (i % 6) {
            case 0 -> plain(m, i);
            case 1 -> quotedPrintable(m, i);
            case 2 -> alternative(m, i, "alt" + i);
            case 3 -> htmlOnly(m, i);
            case 4 -> mixed(m, i, "mix" + i);
            default -> forwarded(m, i, "fwd" + i);
        }
        return m.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A search word every message holds somewhere in its body. */
    static String commonWord() {
        return WORDS[0];
    }

    private static void header(StringBuilder m, String name, String value) {
        m.append(name).append(": ").append(value).append("\r\n");
    }

    private String date(int i) {
        return RFC5322.format(ZonedDateTime.ofInstant(receivedAt(i).minusSeconds(random.nextInt(600)), ZONES[i % ZONES.length]));
    }

    private static String messageId(int i) {
        return "warmup." + i + "@example.com";
    }

    private static String address(int i) {
        return "user" + (i * 31 % 173) + "@" + DOMAINS[i % DOMAINS.length];
    }

    private String from(int i) {
        String name = NAMES[i % NAMES.length];
        if (name.isEmpty()) return address(i);
        boolean ascii = StandardCharsets.US_ASCII.newEncoder().canEncode(name);
        return (ascii ? name : encodedWord(name, i)) + " <" + address(i) + ">";
    }

    /** RFC 2047 §4: B and Q encodings, in UTF-8 and ISO-8859-1 when the text fits it. */
    private static String encodedWord(String text, int i) {
        if (i % 2 == 0 || !StandardCharsets.ISO_8859_1.newEncoder().canEncode(text)) {
            return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "?=";
        }
        StringBuilder q = new StringBuilder("=?ISO-8859-1?Q?");
        for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
            int c = b & 0xff;
            if (c == ' ') q.append('_');
            else if (c > 32 && c < 127 && c != '=' && c != '?' && c != '_' && c != '"') q.append((char) c);
            else q.append('=').append(String.format(Locale.ROOT, "%02X", c));
        }
        return q.append("?=").toString();
    }

    private String words(int n) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < n; k++) {
            if (k > 0) b.append(k % 13 == 0 ? ".\r\n" : " ");
            b.append(WORDS[random.nextInt(WORDS.length)]);
        }
        return b.toString();
    }

    private String subject(int i) {
        String s = words(2 + random.nextInt(5)) + " " + (i % 50);
        String prefix = switch (i % 9) {
            case 1 -> "Re: ";
            case 2 -> "Fwd: ";
            case 3 -> "[warm-up] ";
            case 4 -> "RE: Re: ";
            default -> "";
        };
        boolean ascii = StandardCharsets.US_ASCII.newEncoder().canEncode(s);
        return prefix + (ascii ? s : encodedWord(s, i)) + (i % 8 == 0 ? " (fwd)" : "");
    }

    private String body(int i) {
        return "Hello,\r\n\r\n" + commonWord() + " " + words(40 + random.nextInt(200)) + "\r\n\r\n-- \r\nmessage " + i + "\r\n";
    }

    private void plain(StringBuilder m, int i) {
        header(m, "Content-Type", "text/plain; charset=utf-8; format=flowed");
        header(m, "Content-Transfer-Encoding", "8bit");
        m.append("\r\n").append(body(i));
    }

    private void quotedPrintable(StringBuilder m, int i) {
        header(m, "Content-Type", "text/plain; charset=iso-8859-1");
        header(m, "Content-Transfer-Encoding", "quoted-printable");
        m.append("\r\n").append(qp(body(i)));
    }

    private static String qp(String text) {
        StringBuilder b = new StringBuilder();
        int col = 0;
        for (byte x : text.getBytes(StandardCharsets.ISO_8859_1)) {
            int c = x & 0xff;
            String out = c == '\r' || c == '\n' || (c >= 32 && c < 127 && c != '=') ? String.valueOf((char) c)
                    : String.format(Locale.ROOT, "=%02X", c);
            if (c == '\n') col = 0;
            else if (col + out.length() > 72) {
                b.append("=\r\n"); // RFC 2045 §6.7 rule 5: soft line break
                col = 0;
            }
            b.append(out);
            if (c != '\n') col += out.length();
        }
        return b.toString();
    }

    private String html(int i) {
        return "<!DOCTYPE html><html><head><style>p{margin:0 0 1em} .x{color:#333}</style></head><body>"
                + "<p class=\"x\">Hello,</p><p>" + body(i).replace("\r\n", "<br>\r\n") + "</p>\r\n"
                + "<p><a href=\"https://www.example.com/" + i + "\">link</a> <img src=\"https://img.example.com/p.png\" "
                + "width=\"1\" height=\"1\"><img src=\"cid:logo" + i + "@example.com\"></p>"
                + "<table><tr><td style=\"padding:4px\">" + words(8) + "</td></tr></table></body></html>\r\n";
    }

    private void htmlOnly(StringBuilder m, int i) {
        header(m, "Content-Type", "text/html; charset=utf-8");
        m.append("\r\n").append(html(i));
    }

    private void alternative(StringBuilder m, int i, String boundary) {
        header(m, "Content-Type", "multipart/alternative; boundary=\"" + boundary + "\"");
        m.append("\r\nThis is a multi-part message in MIME format.\r\n");
        m.append("--").append(boundary).append("\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n").append(body(i));
        m.append("--").append(boundary).append("\r\nContent-Type: text/html; charset=utf-8\r\n\r\n").append(html(i));
        m.append("--").append(boundary).append("--\r\n");
    }

    private void mixed(StringBuilder m, int i, String boundary) {
        header(m, "Content-Type", "multipart/mixed; boundary=" + boundary);
        m.append("\r\n--").append(boundary).append("\r\n");
        alternative(m, i, boundary + "-alt");
        byte[] attachment = new byte[300 + random.nextInt(900)];
        random.nextBytes(attachment);
        String name = i % 2 == 0 ? "report-" + i + ".pdf" : encodedWord("résumé " + i + ".pdf", i);
        m.append("--").append(boundary).append("\r\nContent-Type: application/pdf; name=\"").append(name).append("\"\r\n")
                .append("Content-Disposition: attachment; filename=\"").append(name).append("\"\r\n")
                .append("Content-Transfer-Encoding: base64\r\n\r\n")
                .append(Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(attachment)).append("\r\n");
        m.append("--").append(boundary).append("--\r\n");
    }

    private void forwarded(StringBuilder m, int i, String boundary) {
        header(m, "Content-Type", "multipart/mixed; boundary=\"" + boundary + "\"");
        m.append("\r\n--").append(boundary).append("\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
                .append("See below.\r\n");
        m.append("--").append(boundary).append("\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n");
        m.append("From: ").append(from(i + 1)).append("\r\nTo: <").append(recipient).append(">\r\nSubject: ")
                .append(subject(i + 1)).append("\r\nDate: ").append(date(i)).append("\r\nMIME-Version: 1.0\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n\r\n").append(body(i + 1));
        m.append("--").append(boundary).append("--\r\n");
    }
}
