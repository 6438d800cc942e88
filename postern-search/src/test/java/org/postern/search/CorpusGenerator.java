// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * Deterministic varied messages for comparing the index with a brute-force scan: UTF-8, ISO-8859-1,
 * KOI8-R and windows-1252 text; RFC 2047 B and Q encoded words (also adjacent ones, and ones that are
 * invalid); quoted-printable, base64, 8bit bodies; multipart/alternative with HTML and entities;
 * attachments (text and binary); forwarded message/rfc822; folded header lines; case variants.
 */
public final class CorpusGenerator {
    static final String[] WORDS = ("the of and to in is for on that with report meeting budget quarter release "
            + "server deploy issue ticket customer invoice schedule review draft throughput database migration "
            + "rollout holiday agenda minutes decision summary mailbox folder message delivery queue retry bounce "
            + "Grüße München Übersicht réunion à bientôt ça Привет Отчёт квартал お疲れ様です 会議 Καλημέρα Señor Muñoz "
            + "Zażółć gęślą jaźń 🎉 ✅ 🚀 straße İstanbul ΣΊΣΥΦΟΣ CAFÉ naïve Ærøskøbing").split(" ");
    private static final String[] LATIN1 = "café naïve Ærøskøbing Grüße München señor über façade".split(" ");
    private static final String[] CYRILLIC = "Привет Отчёт квартал вложении продаж".split(" ");

    private final Random rnd;

    public CorpusGenerator(long seed) {
        this.rnd = new Random(seed);
    }

    public List<byte[]> messages(int n) {
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(message(i).getBytes(StandardCharsets.ISO_8859_1));
        return out;
    }

    /** One message as a byte string (each char one byte). */
    String message(int i) {
        StringBuilder m = new StringBuilder();
        m.append("Received: from relay").append(i).append(".example.net by mx.example.org\r\n\tfor <a@example.org>\r\n");
        m.append("Message-ID: <").append(i).append('.').append(rnd.nextInt(1_000_000)).append("@example.net>\r\n");
        m.append("Date: Mon, ").append(1 + rnd.nextInt(28)).append(" Jan 2024 10:00:00 +0000\r\n");
        m.append("From: ").append(displayName()).append(" <").append(addr()).append(">\r\n");
        m.append("To: ").append(addresses(1 + rnd.nextInt(3))).append("\r\n");
        if (rnd.nextInt(3) == 0) m.append("Cc: ").append(addresses(1 + rnd.nextInt(2))).append("\r\n");
        if (rnd.nextInt(5) == 0) m.append("Bcc: ").append(addresses(1)).append("\r\n");
        m.append("Subject: ").append(subject()).append("\r\n");
        if (rnd.nextBoolean()) m.append("X-Mailer: Mutt ").append(rnd.nextInt(3)).append('.').append(rnd.nextInt(20)).append("\r\n");
        if (rnd.nextInt(4) == 0) m.append("List-Id: ").append(words(2)).append(" <list.example.org>\r\n");
        m.append("MIME-Version: 1.0\r\n");
        switch (rnd.nextInt(8)) {
            case 0 -> leaf(m, "text/plain; charset=utf-8", "8bit", utf8(text(40)));
            case 1 -> leaf(m, "text/plain; charset=ISO-8859-1", "quoted-printable", qp(latin1Text(30), StandardCharsets.ISO_8859_1));
            case 2 -> leaf(m, "text/plain; charset=\"utf-8\"", "base64", b64(text(60).getBytes(StandardCharsets.UTF_8)));
            case 3 -> leaf(m, "text/plain; charset=koi8-r", "quoted-printable", qp(cyrillicText(20), Charset.forName("KOI8-R")));
            case 4 -> alternative(m);
            case 5 -> mixed(m, i);
            case 6 -> leaf(m, "text/html; charset=windows-1252", "quoted-printable",
                    qp("<html><body><p>" + latin1Text(20) + " &amp; caf&eacute; &lt;tag&gt; &#x263A;</p><script>hidden secret</script>"
                            + "<div>" + latin1Text(10) + "</div></body></html>", Charset.forName("windows-1252")));
            default -> leaf(m, null, null, text(15)); // no MIME headers: us-ascii by default, but 8-bit UTF-8 inside
        }
        return m.toString();
    }

    private void leaf(StringBuilder m, String type, String cte, String body) {
        if (type != null) m.append("Content-Type: ").append(type).append("\r\n");
        if (cte != null) m.append("Content-Transfer-Encoding: ").append(cte).append("\r\n");
        if (type == null) body = utf8(body);
        m.append("\r\n").append(body).append("\r\n");
    }

    private void alternative(StringBuilder m) {
        String t = text(30);
        m.append("Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n");
        m.append("--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
                .append(qp(t, StandardCharsets.UTF_8)).append("\r\n");
        m.append("--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>")
                .append(utf8("HTML only " + text(5))).append("</p>\r\n--alt--\r\n");
    }

    private void mixed(StringBuilder m, int i) {
        m.append("Content-Type: multipart/mixed; boundary=\"mix").append(i).append("\"\r\n\r\nPreamble text\r\n");
        String b = "--mix" + i;
        m.append(b).append("\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n").append(utf8(text(25))).append("\r\n");
        m.append(b).append("\r\nContent-Type: text/csv; name=\"data.csv\"\r\nContent-Disposition: attachment; filename=\"data.csv\"\r\n")
                .append("Content-Transfer-Encoding: base64\r\n\r\n")
                .append(b64(("id,name\r\n1," + text(8) + "\r\n").getBytes(StandardCharsets.UTF_8))).append("\r\n");
        byte[] bin = new byte[200];
        rnd.nextBytes(bin);
        m.append(b).append("\r\nContent-Type: application/pdf; name=report.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n")
                .append(b64(bin)).append("\r\n");
        if (rnd.nextBoolean()) {
            m.append(b).append("\r\nContent-Type: message/rfc822\r\n\r\n")
                    .append("From: inner@example.net\r\nSubject: ").append(subject()).append("\r\n\r\n")
                    .append(utf8("Forwarded: " + text(10))).append("\r\n");
        }
        m.append(b).append("--\r\n");
    }

    private String displayName() {
        return switch (rnd.nextInt(4)) {
            case 0 -> "\"" + cap(word()) + " " + cap(word()) + "\"";
            case 1 -> "=?utf-8?B?" + Base64.getEncoder().encodeToString((cap(word()) + " " + word()).getBytes(StandardCharsets.UTF_8)) + "?=";
            case 2 -> "=?iso-8859-1?Q?" + qword(LATIN1[rnd.nextInt(LATIN1.length)] + " Smith", StandardCharsets.ISO_8859_1) + "?=";
            default -> "Plain Name";
        };
    }

    private String subject() {
        return switch (rnd.nextInt(6)) {
            case 0 -> words(4);
            case 1 -> "Re: " + "=?UTF-8?B?" + Base64.getEncoder().encodeToString(text(5).getBytes(StandardCharsets.UTF_8)) + "?=";
            case 2 -> "=?ISO-8859-1?Q?" + qword(latin1Text(3), StandardCharsets.ISO_8859_1) + "?= =?utf-8?q?" + qword(text(2), StandardCharsets.UTF_8) + "?=";
            case 3 -> words(3) + "\r\n " + words(3); // folded
            case 4 -> "=?utf-8?B?not*base64?= " + words(2); // invalid encoded word stays as written
            default -> utf8(text(4)); // raw UTF-8 (RFC 6532)
        };
    }

    private String addresses(int n) {
        List<String> a = new ArrayList<>();
        for (int i = 0; i < n; i++) a.add(rnd.nextBoolean() ? addr() : displayName() + " <" + addr() + ">");
        return String.join(", ", a);
    }

    private String addr() {
        String[] users = {"alice", "Bob.Smith", "carol", "dave+tag", "eve", "frank_o"};
        String[] doms = {"example.org", "Example.NET", "mail.test", "xn--mnchen-3ya.de"};
        return users[rnd.nextInt(users.length)] + "@" + doms[rnd.nextInt(doms.length)];
    }

    private String word() {
        return WORDS[rnd.nextInt(WORDS.length)];
    }

    private String words(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : " ").append(word().chars().allMatch(c -> c < 128) ? word() : "x" + i);
        return b.toString();
    }

    String text(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String w = word();
            if (rnd.nextInt(7) == 0) w = w.toUpperCase(java.util.Locale.ROOT);
            b.append(i == 0 ? "" : rnd.nextInt(9) == 0 ? "\n" : " ").append(w);
        }
        return b.toString();
    }

    private String latin1Text(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : " ").append(rnd.nextBoolean() ? LATIN1[rnd.nextInt(LATIN1.length)] : words(1));
        return b.toString();
    }

    private String cyrillicText(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : " ").append(CYRILLIC[rnd.nextInt(CYRILLIC.length)]);
        return b.toString();
    }

    private static String cap(String w) {
        return w.isEmpty() ? w : w.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + w.substring(1);
    }

    /** UTF-8 bytes as a byte string. */
    private static String utf8(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private static String b64(byte[] b) {
        return Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(b);
    }

    private static String qp(String s, Charset cs) {
        StringBuilder out = new StringBuilder();
        int col = 0;
        for (byte x : s.getBytes(cs)) {
            int c = x & 0xff;
            String piece = c == '\n' ? "\r\n" : (c >= 33 && c <= 126 && c != '=') || c == ' ' ? String.valueOf((char) c)
                    : String.format("=%02X", c);
            if (c != '\n' && col + piece.length() > 74) {
                out.append("=\r\n");
                col = 0;
            }
            out.append(piece);
            col = c == '\n' ? 0 : col + piece.length();
        }
        return out.toString();
    }

    private static String qword(String s, Charset cs) {
        StringBuilder out = new StringBuilder();
        for (byte x : s.getBytes(cs)) {
            int c = x & 0xff;
            if (c == ' ') out.append('_');
            else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) out.append((char) c);
            else out.append(String.format("=%02X", c));
        }
        return out.toString();
    }
}
