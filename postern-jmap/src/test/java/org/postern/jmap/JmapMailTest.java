// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.jmap.proto.JmapLimits;
import org.postern.store.Mailbox;

/** RFC 8621 Mailbox, Email, Thread and Identity methods against a real store. */
class JmapMailTest {
    @TempDir
    Path tmp;
    JmapFixture f;
    JmapClient c;
    long acc;

    static final String MULTIPART = """
            From: "Joe Bloggs" <joe@example.com>\r
            To: =?UTF-8?B?SsO2cmc=?= <jorg@example.test>, bob@example.test\r
            Cc: Team: ann@example.test, al@example.test;\r
            Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= from the team\r
            Date: Tue, 03 Nov 2026 10:15:00 +0100\r
            Message-ID: <m1@example.com>\r
            In-Reply-To: <m0@example.com>\r
            X-Custom: one\r
            X-Custom: two\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b1"\r
            \r
            --b1\r
            Content-Type: multipart/alternative; boundary="b2"\r
            \r
            --b2\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Hello J=C3=B6rg, see attached.\r
            --b2\r
            Content-Type: text/html; charset=utf-8\r
            \r
            <p>Hello <b>J\u00f6rg</b></p>\r
            --b2--\r
            --b1\r
            Content-Type: application/pdf; name="report.pdf"\r
            Content-Disposition: attachment; filename="report.pdf"\r
            Content-Transfer-Encoding: base64\r
            \r
            JVBERi0xLjQK\r
            --b1--\r
            """;

    @BeforeEach
    void start() throws Exception {
        f = new JmapFixture(tmp, JmapLimits.DEFAULT);
        f.user("alice@example.test", "pw");
        f.user("bob@example.test", "pw");
        c = f.client("alice@example.test", "pw");
        acc = f.store.directory().account("alice@example.test").orElseThrow().id();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    long deliver(String mailbox, String message, Set<String> flags) throws Exception {
        Mailbox mb = f.store.mailboxes().find(acc, mailbox).orElseThrow();
        byte[] raw = message.getBytes(StandardCharsets.UTF_8);
        var w = f.store.blobs().create();
        w.stream().write(raw);
        String blob = w.commit();
        return f.store.mailboxes().append(acc, mb.id(), blob, raw.length, flags, Instant.parse("2026-11-03T09:20:00Z")).uid();
    }

    String mailboxId(String name) {
        return "m" + f.store.mailboxes().find(acc, name).orElseThrow().id();
    }

    @Test
    void mailboxGetShowsRolesCountsAndRights() throws Exception {
        deliver("INBOX", "Subject: a\r\n\r\nx\r\n", Set.of());
        deliver("INBOX", "Subject: b\r\n\r\nx\r\n", Set.of("\\Seen"));
        JsonNode r = c.one("Mailbox/get", "{\"accountId\":\"$A\",\"ids\":null}");
        JsonNode inbox = null;
        List<String> roles = new ArrayList<>();
        for (JsonNode m : r.get("list")) {
            roles.add(m.path("role").asText());
            if (m.path("role").asText().equals("inbox")) inbox = m;
        }
        assertThat(roles).contains("inbox", "drafts", "sent", "trash", "junk", "archive");
        assertThat(inbox.path("name").asText()).isEqualTo("INBOX");
        assertThat(inbox.path("totalEmails").asInt()).isEqualTo(2);
        assertThat(inbox.path("unreadEmails").asInt()).isEqualTo(1);
        assertThat(inbox.path("parentId").isNull()).isTrue();
        assertThat(inbox.path("myRights").path("mayDelete").asBoolean()).isFalse();
        assertThat(inbox.path("myRights").path("mayReadItems").asBoolean()).isTrue();
        JsonNode nf = c.one("Mailbox/get", "{\"accountId\":\"$A\",\"ids\":[\"m999\",\"zzz\"],\"properties\":[\"name\"]}");
        assertThat(nf.get("notFound").toString()).isEqualTo("[\"m999\",\"zzz\"]");
    }

    @Test
    void mailboxSetCreatesRenamesAndDestroysAndQuerySees() throws Exception {
        JsonNode r = c.call("[[\"Mailbox/set\",{\"accountId\":\"$A\",\"create\":{\"k1\":{\"name\":\"Projects\",\"parentId\":null},"
                + "\"k2\":{\"name\":\"Postern\",\"parentId\":\"#k1\"},\"bad\":{\"name\":\"a/b\"}}},\"0\"],"
                + "[\"Mailbox/get\",{\"accountId\":\"$A\",\"ids\":[\"#k2\"]},\"1\"]]");
        JsonNode set = r.get(0).get(1);
        assertThat(set.path("notCreated").path("bad").path("type").asText()).isEqualTo("invalidProperties");
        String k1 = set.path("created").path("k1").path("id").asText();
        String k2 = set.path("created").path("k2").path("id").asText();
        JsonNode child = r.get(1).get(1).get("list").get(0);
        assertThat(child.path("name").asText()).isEqualTo("Postern");
        assertThat(child.path("parentId").asText()).isEqualTo(k1);
        assertThat(f.store.mailboxes().find(acc, "Projects/Postern")).isPresent();

        JsonNode q = c.one("Mailbox/query", "{\"accountId\":\"$A\",\"filter\":{\"parentId\":\"" + k1 + "\"}}");
        assertThat(q.get("ids").toString()).isEqualTo("[\"" + k2 + "\"]");
        JsonNode roles = c.one("Mailbox/query", "{\"accountId\":\"$A\",\"filter\":{\"role\":\"inbox\"},\"calculateTotal\":true}");
        assertThat(roles.path("total").asInt()).isEqualTo(1);

        JsonNode refused = c.one("Mailbox/set", "{\"accountId\":\"$A\",\"destroy\":[\"" + k1 + "\"]}");
        assertThat(refused.path("notDestroyed").path(k1).path("type").asText()).isEqualTo("mailboxHasChild");
        JsonNode renamed = c.one("Mailbox/set", "{\"accountId\":\"$A\",\"update\":{\"" + k2 + "\":{\"name\":\"Mail server\"}}}");
        assertThat(renamed.path("updated").has(k2)).isTrue();
        assertThat(f.store.mailboxes().find(acc, "Projects/Mail server")).isPresent();
        JsonNode gone = c.one("Mailbox/set", "{\"accountId\":\"$A\",\"destroy\":[\"" + k2 + "\"]}");
        assertThat(gone.get("destroyed").toString()).isEqualTo("[\"" + k2 + "\"]");
        JsonNode state = c.one("Mailbox/get", "{\"accountId\":\"$A\",\"ids\":[]}");
        JsonNode mismatch = c.call("[[\"Mailbox/set\",{\"accountId\":\"$A\",\"ifInState\":\"nope\",\"destroy\":[\"" + k1 + "\"]},\"x\"]]");
        assertThat(mismatch.at("/0/1/type").asText()).isEqualTo("stateMismatch");
        JsonNode changes = c.one("Mailbox/changes", "{\"accountId\":\"$A\",\"sinceState\":\"" + state.path("state").asText() + "\"}");
        assertThat(changes.path("created")).isEmpty();
        JsonNode old = c.call("[[\"Mailbox/changes\",{\"accountId\":\"$A\",\"sinceState\":\"bOld\"},\"x\"]]");
        assertThat(old.at("/0/1/type").asText()).isEqualTo("cannotCalculateChanges");
    }

    @Test
    void emailGetParsesHeadersBodiesAndStructure() throws Exception {
        long uid = deliver("INBOX", MULTIPART, Set.of("\\Seen", "$Label1"));
        String id = "e" + f.store.mailboxes().find(acc, "INBOX").orElseThrow().id() + "-" + uid;
        JsonNode e = c.one("Email/get", "{\"accountId\":\"$A\",\"ids\":[\"" + id + "\"],\"fetchAllBodyValues\":true,"
                + "\"properties\":[\"id\",\"threadId\",\"mailboxIds\",\"keywords\",\"from\",\"to\",\"cc\",\"subject\",\"sentAt\",\"receivedAt\","
                + "\"messageId\",\"inReplyTo\",\"references\",\"hasAttachment\",\"preview\",\"textBody\",\"htmlBody\",\"attachments\","
                + "\"bodyValues\",\"bodyStructure\",\"header:X-Custom:all\",\"header:Subject:asText\",\"header:Cc:asGroupedAddresses\"]}")
                .get("list").get(0);
        assertThat(e.path("id").asText()).isEqualTo(id);
        assertThat(e.path("mailboxIds").path(mailboxId("INBOX")).asBoolean()).isTrue();
        assertThat(JmapClient.JSON.readTree("{\"$seen\":true,\"$label1\":true}")).isEqualTo(e.path("keywords"));
        assertThat(e.path("from").toString()).isEqualTo("[{\"name\":\"Joe Bloggs\",\"email\":\"joe@example.com\"}]");
        assertThat(e.path("to").get(0).path("name").asText()).isEqualTo("Jörg");
        assertThat(e.path("to").get(1).path("name").isNull()).isTrue();
        assertThat(e.path("cc").size()).isEqualTo(2);
        assertThat(e.path("header:Cc:asGroupedAddresses").get(0).path("name").asText()).isEqualTo("Team");
        assertThat(e.path("subject").asText()).isEqualTo("Grüße from the team");
        assertThat(e.path("header:Subject:asText").asText()).isEqualTo("Grüße from the team");
        assertThat(e.path("sentAt").asText()).isEqualTo("2026-11-03T10:15:00+01:00");
        assertThat(e.path("receivedAt").asText()).isEqualTo("2026-11-03T09:20:00Z");
        assertThat(e.path("messageId").toString()).isEqualTo("[\"m1@example.com\"]");
        assertThat(e.path("inReplyTo").toString()).isEqualTo("[\"m0@example.com\"]");
        assertThat(e.path("references").isNull()).isTrue();
        assertThat(e.path("header:X-Custom:all").toString()).isEqualTo("[\" one\",\" two\"]");
        assertThat(e.path("hasAttachment").asBoolean()).isTrue();
        assertThat(e.path("preview").asText()).startsWith("Hello Jörg, see attached.");
        assertThat(e.path("textBody").get(0).path("type").asText()).isEqualTo("text/plain");
        assertThat(e.path("htmlBody").get(0).path("type").asText()).isEqualTo("text/html");
        JsonNode att = e.path("attachments").get(0);
        assertThat(att.path("name").asText()).isEqualTo("report.pdf");
        assertThat(att.path("disposition").asText()).isEqualTo("attachment");
        assertThat(att.path("size").asInt()).isEqualTo(9);
        String textPart = e.path("textBody").get(0).path("partId").asText();
        assertThat(e.path("bodyValues").path(textPart).path("value").asText()).isEqualTo("Hello Jörg, see attached.");
        assertThat(e.path("bodyValues").path(textPart).path("isTruncated").asBoolean()).isFalse();
        JsonNode bs = e.path("bodyStructure");
        assertThat(bs.path("type").asText()).isEqualTo("multipart/mixed");
        assertThat(bs.path("subParts").get(0).path("subParts").size()).isEqualTo(2);

        // The attachment downloads by its blobId, decoded.
        var d = c.getBytes(c.downloadUrl(c.accountId(), att.path("blobId").asText(), "report.pdf", "application/pdf"));
        assertThat(new String(d.body(), StandardCharsets.US_ASCII)).isEqualTo("%PDF-1.4\n");

        JsonNode truncated = c.one("Email/get", "{\"accountId\":\"$A\",\"ids\":[\"" + id + "\"],\"properties\":[\"bodyValues\"],"
                + "\"fetchTextBodyValues\":true,\"maxBodyValueBytes\":7}").get("list").get(0);
        JsonNode v = truncated.path("bodyValues").path(textPart);
        assertThat(v.path("value").asText()).isEqualTo("Hello J");
        assertThat(v.path("isTruncated").asBoolean()).isTrue();

        JsonNode thread = c.one("Thread/get", "{\"accountId\":\"$A\",\"ids\":[\"" + e.path("threadId").asText() + "\"]}");
        assertThat(thread.at("/list/0/emailIds").toString()).isEqualTo("[\"" + id + "\"]");
    }

    @Test
    void emailQueryFiltersSortsAndPages() throws Exception {
        deliver("INBOX", "From: zed@example.com\r\nSubject: Re: budget\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\nnumbers\r\n", Set.of());
        deliver("INBOX", "From: amy@example.com\r\nSubject: lunch\r\nDate: Tue, 03 Nov 2026 10:00:00 +0000\r\n\r\nsoup today\r\n", Set.of("\\Flagged"));
        deliver("Archive", "From: amy@example.com\r\nSubject: old budget\r\n\r\narchived numbers\r\n", Set.of("\\Seen"));
        String inbox = mailboxId("INBOX");
        JsonNode all = c.one("Email/query", "{\"accountId\":\"$A\",\"calculateTotal\":true}");
        assertThat(all.path("total").asInt()).isEqualTo(3);
        assertThat(c.one("Email/query", "{\"accountId\":\"$A\",\"filter\":{\"inMailbox\":\"" + inbox + "\"}}").get("ids")).hasSize(2);
        assertThat(c.one("Email/query", "{\"accountId\":\"$A\",\"filter\":{\"from\":\"AMY\"}}").get("ids")).hasSize(2);
        assertThat(c.one("Email/query", "{\"accountId\":\"$A\",\"filter\":{\"subject\":\"budget\"}}").get("ids")).hasSize(2);
        assertThat(c.one("Email/query", "{\"accountId\":\"$A\",\"filter\":{\"body\":\"soup\"}}").get("ids")).hasSize(1);
        assertThat(c.one("Email/query", "{\"accountId\":\"$A\",\"filter\":{\"text\":\"numbers\"}}").get("ids")).hasSize(2);
        assertThat(c.one("Email/query", "{\"accountId\":\"$A\",\"filter\":{\"hasKeyword\":\"$flagged\"}}").get("ids")).hasSize(1);
        assertThat(c.one("Email/query", "{\"accountId\":\"$A\",\"filter\":{\"operator\":\"NOT\",\"conditions\":[{\"hasKeyword\":\"$seen\"}]}}")
                .get("ids")).hasSize(2);
        assertThat(c.one("Email/query", "{\"accountId\":\"$A\",\"filter\":{\"operator\":\"AND\",\"conditions\":[{\"from\":\"amy\"},"
                + "{\"inMailboxOtherThan\":[\"" + inbox + "\"]}]}}").get("ids")).hasSize(1);
        JsonNode bySubject = c.one("Email/query", "{\"accountId\":\"$A\",\"sort\":[{\"property\":\"subject\"}]}");
        JsonNode subjects = c.one("Email/get", "{\"accountId\":\"$A\",\"ids\":" + bySubject.get("ids") + ",\"properties\":[\"subject\"]}");
        assertThat(subjects.get("list").findValuesAsText("subject")).containsExactly("Re: budget", "lunch", "old budget");
        JsonNode page = c.one("Email/query", "{\"accountId\":\"$A\",\"sort\":[{\"property\":\"subject\"}],\"position\":1,\"limit\":1}");
        assertThat(page.get("ids").get(0)).isEqualTo(bySubject.get("ids").get(1));
        assertThat(page.path("position").asInt()).isEqualTo(1);
        JsonNode anchored = c.one("Email/query", "{\"accountId\":\"$A\",\"sort\":[{\"property\":\"subject\"}],\"anchor\":"
                + bySubject.get("ids").get(2) + ",\"anchorOffset\":-1,\"limit\":5}");
        assertThat(anchored.get("ids")).hasSize(2);
        JsonNode errors = c.call("[[\"Email/query\",{\"accountId\":\"$A\",\"filter\":{\"nope\":1}},\"a\"],"
                + "[\"Email/query\",{\"accountId\":\"$A\",\"sort\":[{\"property\":\"nope\"}]},\"b\"],"
                + "[\"Email/query\",{\"accountId\":\"$A\",\"anchor\":\"e9-9\"},\"c\"],"
                + "[\"Email/query\",{\"accountId\":\"$A\",\"limit\":-1},\"d\"]]");
        assertThat(errors.findValuesAsText("type")).containsExactly("unsupportedFilter", "unsupportedSort", "anchorNotFound",
                "invalidArguments");
    }

    @Test
    void emailSetCreatesUpdatesAndDestroysAndChangesTracksIt() throws Exception {
        String drafts = mailboxId("Drafts");
        String inbox = mailboxId("INBOX");
        String state0 = c.one("Email/get", "{\"accountId\":\"$A\",\"ids\":[]}").path("state").asText();
        JsonNode up = c.upload("attached bytes".getBytes(StandardCharsets.US_ASCII), "text/plain");
        JsonNode created = c.one("Email/set", "{\"accountId\":\"$A\",\"create\":{\"k\":{"
                + "\"mailboxIds\":{\"" + drafts + "\":true},\"keywords\":{\"$draft\":true},"
                + "\"from\":[{\"name\":\"Alice Ä\",\"email\":\"alice@example.test\"}],\"to\":[{\"email\":\"bob@example.test\"}],"
                + "\"subject\":\"Plan\\r\\nBcc: evil@example.com\","
                + "\"textBody\":[{\"partId\":\"t\",\"type\":\"text/plain\"}],\"bodyValues\":{\"t\":{\"value\":\"Hi Bob\\nsee file\"}},"
                + "\"attachments\":[{\"blobId\":\"" + up.path("blobId").asText() + "\",\"type\":\"text/plain\",\"name\":\"notes.txt\"}]}}}");
        String id = created.path("created").path("k").path("id").asText();
        assertThat(id).startsWith("e");
        JsonNode e = c.one("Email/get", "{\"accountId\":\"$A\",\"ids\":[\"" + id + "\"],\"fetchTextBodyValues\":true,"
                + "\"properties\":[\"subject\",\"from\",\"bcc\",\"keywords\",\"textBody\",\"attachments\",\"bodyValues\",\"mailboxIds\"]}")
                .get("list").get(0);
        assertThat(e.path("subject").asText()).isEqualTo("Plan Bcc: evil@example.com");
        assertThat(e.path("bcc").isNull()).isTrue();
        assertThat(e.path("from").get(0).path("name").asText()).isEqualTo("Alice Ä");
        assertThat(e.path("keywords").has("$draft")).isTrue();
        assertThat(e.path("attachments").get(0).path("name").asText()).isEqualTo("notes.txt");
        String part = e.path("textBody").get(0).path("partId").asText();
        assertThat(e.path("bodyValues").path(part).path("value").asText()).isEqualTo("Hi Bob\nsee file");

        JsonNode updated = c.one("Email/set", "{\"accountId\":\"$A\",\"update\":{\"" + id + "\":{\"keywords/$seen\":true,\"keywords/$draft\":null}}}");
        assertThat(updated.path("updated").has(id)).isTrue();
        long mb = f.store.mailboxes().find(acc, "Drafts").orElseThrow().id();
        long uid = Long.parseLong(id.substring(id.indexOf('-') + 1));
        assertThat(f.store.mailboxes().message(acc, mb, uid).orElseThrow().flags()).containsExactly("\\Seen");

        JsonNode ch = c.one("Email/changes", "{\"accountId\":\"$A\",\"sinceState\":\"" + state0 + "\"}");
        assertThat(ch.get("created").toString()).isEqualTo("[\"" + id + "\"]");
        String state1 = ch.path("newState").asText();

        JsonNode moved = c.one("Email/set", "{\"accountId\":\"$A\",\"update\":{\"" + id + "\":{\"mailboxIds\":{\"" + inbox + "\":true}}}}");
        assertThat(moved.path("updated").has(id)).isTrue();
        assertThat(f.store.mailboxes().snapshot(acc, mb).messages()).isEmpty();
        JsonNode ch2 = c.one("Email/changes", "{\"accountId\":\"$A\",\"sinceState\":\"" + state1 + "\"}");
        assertThat(ch2.get("destroyed").toString()).isEqualTo("[\"" + id + "\"]");
        assertThat(ch2.get("created")).hasSize(1);
        String newId = ch2.get("created").get(0).asText();

        JsonNode bad = c.one("Email/set", "{\"accountId\":\"$A\",\"update\":{\"" + newId + "\":{\"keywords/a(b\":true},"
                + "\"e999-1\":{\"keywords/$seen\":true}},\"destroy\":[\"" + newId + "\",\"e999-2\"]}");
        assertThat(bad.path("notUpdated").path(newId).path("type").asText()).isEqualTo("invalidProperties");
        assertThat(bad.path("notUpdated").path("e999-1").path("type").asText()).isEqualTo("notFound");
        assertThat(bad.get("destroyed").toString()).isEqualTo("[\"" + newId + "\"]");
        assertThat(bad.path("notDestroyed").path("e999-2").path("type").asText()).isEqualTo("notFound");
        JsonNode stale = c.call("[[\"Email/changes\",{\"accountId\":\"$A\",\"sinceState\":\"s99999\"},\"a\"]]");
        assertThat(stale.at("/0/1/type").asText()).isEqualTo("cannotCalculateChanges");
    }

    @Test
    void emailImportTurnsAnUploadIntoAnEmail() throws Exception {
        JsonNode up = c.upload("From: x@example.com\r\nSubject: imported\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII),
                "message/rfc822");
        String inbox = mailboxId("INBOX");
        JsonNode r = c.one("Email/import", "{\"accountId\":\"$A\",\"emails\":{\"i\":{\"blobId\":\"" + up.path("blobId").asText()
                + "\",\"mailboxIds\":{\"" + inbox + "\":true},\"keywords\":{\"$seen\":true},\"receivedAt\":\"2026-01-02T03:04:05Z\"},"
                + "\"x\":{\"blobId\":\"0123456789abcdef0123456789abcdef\",\"mailboxIds\":{\"" + inbox + "\":true}}}}");
        String id = r.path("created").path("i").path("id").asText();
        assertThat(r.path("notCreated").path("x").path("type").asText()).isEqualTo("blobNotFound");
        JsonNode e = c.one("Email/get", "{\"accountId\":\"$A\",\"ids\":[\"" + id + "\"],\"properties\":[\"subject\",\"receivedAt\",\"keywords\"]}")
                .get("list").get(0);
        assertThat(e.path("subject").asText()).isEqualTo("imported");
        assertThat(e.path("receivedAt").asText()).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(e.path("keywords").path("$seen").asBoolean()).isTrue();
    }

    @Test
    void anAttachedMessageParsesAndItsPartsDownload() throws Exception {
        String inner = "From: inner@example.com\r\nSubject: forwarded one\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n"
                + "--z\r\nContent-Type: text/plain\r\n\r\ninner text\r\n--z\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Disposition: attachment; filename=deep.bin\r\nContent-Transfer-Encoding: base64\r\n\r\nZGVlcA==\r\n--z--\r\n";
        long uid = deliver("INBOX", "Subject: fwd\r\nContent-Type: multipart/mixed; boundary=y\r\n\r\n--y\r\nContent-Type: text/plain\r\n\r\n"
                + "see below\r\n--y\r\nContent-Type: message/rfc822\r\n\r\n" + inner + "\r\n--y--\r\n", Set.of());
        String id = "e" + f.store.mailboxes().find(acc, "INBOX").orElseThrow().id() + "-" + uid;
        JsonNode att = c.one("Email/get", "{\"accountId\":\"$A\",\"ids\":[\"" + id + "\"],\"properties\":[\"attachments\"]}")
                .at("/list/0/attachments/0");
        assertThat(att.path("type").asText()).isEqualTo("message/rfc822");
        String blob = att.path("blobId").asText();
        JsonNode parsed = c.one("Email/parse", "{\"accountId\":\"$A\",\"blobIds\":[\"" + blob + "\",\"nope\"],\"fetchTextBodyValues\":true}");
        JsonNode e = parsed.path("parsed").path(blob);
        assertThat(e.path("subject").asText()).isEqualTo("forwarded one");
        assertThat(parsed.get("notFound").toString()).isEqualTo("[\"nope\"]");
        String deep = e.at("/attachments/0/blobId").asText();
        var d = c.getBytes(c.downloadUrl(c.accountId(), deep, "deep.bin", "application/octet-stream"));
        assertThat(new String(d.body(), StandardCharsets.US_ASCII)).isEqualTo("deep");
        JsonNode copy = c.call("[[\"Email/copy\",{\"accountId\":\"$A\",\"fromAccountId\":\"$A\",\"create\":{}},\"a\"]]");
        assertThat(copy.at("/0/1/type").asText()).isEqualTo("invalidArguments");
    }

    @Test
    void searchSnippetsMarkTheTermsAndEscapeTheRest() throws Exception {
        long uid = deliver("INBOX", "Subject: <b>Budget</b> for 2027\r\n\r\nThe budget <script>alert(1)</script> is final.\r\n", Set.of());
        String id = "e" + f.store.mailboxes().find(acc, "INBOX").orElseThrow().id() + "-" + uid;
        JsonNode r = c.one("SearchSnippet/get", "{\"accountId\":\"$A\",\"filter\":{\"text\":\"budget\"},\"emailIds\":[\"" + id + "\",\"e9-9\"]}");
        JsonNode s = r.at("/list/0");
        assertThat(s.path("subject").asText()).isEqualTo("&lt;b&gt;<mark>Budget</mark>&lt;/b&gt; for 2027");
        assertThat(s.path("preview").asText()).contains("The <mark>budget</mark> &lt;script&gt;").doesNotContain("<script>");
        assertThat(r.get("notFound").toString()).isEqualTo("[\"e9-9\"]");
    }

    @Test
    void anotherAccountsEmailsDoNotExist() throws Exception {
        long uid = deliver("INBOX", "Subject: private\r\n\r\nsecret\r\n", Set.of());
        String id = "e" + f.store.mailboxes().find(acc, "INBOX").orElseThrow().id() + "-" + uid;
        JmapClient bob = f.client("bob@example.test", "pw");
        JsonNode r = bob.one("Email/get", "{\"accountId\":\"$A\",\"ids\":[\"" + id + "\"]}");
        assertThat(r.get("notFound").toString()).isEqualTo("[\"" + id + "\"]");
        JsonNode other = bob.call("[[\"Email/get\",{\"accountId\":\"" + c.accountId() + "\",\"ids\":[\"" + id + "\"]},\"a\"]]");
        assertThat(other.at("/0/1/type").asText()).isEqualTo("accountNotFound");
        JsonNode set = bob.one("Email/set", "{\"accountId\":\"$A\",\"destroy\":[\"" + id + "\"]}");
        assertThat(set.path("notDestroyed").path(id).path("type").asText()).isEqualTo("notFound");
        assertThat(f.store.mailboxes().message(acc, f.store.mailboxes().find(acc, "INBOX").orElseThrow().id(), uid)).isPresent();
    }

    @Test
    void identityGetNamesTheAccountAddress() throws Exception {
        var r = c.post("{\"using\":[\"urn:ietf:params:jmap:core\",\"urn:ietf:params:jmap:submission\"],\"methodCalls\":"
                + "[[\"Identity/get\",{\"accountId\":\"" + c.accountId() + "\"},\"c\"]]}");
        JsonNode list = JmapClient.JSON.readTree(r.body()).at("/methodResponses/0/1/list");
        assertThat(list.get(0).path("email").asText()).isEqualTo("alice@example.test");
    }

    @Test
    void tooManyIdsInOneGetIsRequestTooLarge() throws Exception {
        StringBuilder ids = new StringBuilder("[");
        for (int i = 0; i < JmapLimits.DEFAULT.maxObjectsInGet() + 1; i++) ids.append(i == 0 ? "" : ",").append("\"e1-").append(i + 1).append('"');
        JsonNode r = c.call("[[\"Email/get\",{\"accountId\":\"$A\",\"ids\":" + ids + "]},\"a\"]]");
        assertThat(r.at("/0/1/type").asText()).isEqualTo("requestTooLarge");
    }
}
