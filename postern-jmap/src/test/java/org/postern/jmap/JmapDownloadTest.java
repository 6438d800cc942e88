// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.jmap.proto.JmapLimits;

/** Downloads (RFC 8620 §6.2): streamed, attachments with RFC 6266 names, inline only for safe previews (A53). */
class JmapDownloadTest {
    @TempDir
    Path tmp;
    JmapFixture f;
    JmapClient c;

    @BeforeEach
    void start() throws Exception {
        f = new JmapFixture(tmp, JmapLimits.DEFAULT);
        f.user("alice@example.test", "pw");
        c = f.client("alice@example.test", "pw");
    }

    @AfterEach
    void stop() {
        f.close();
    }

    HttpResponse<byte[]> download(String blobId, String name, String type, String extra) throws Exception {
        return c.getBytes(c.downloadUrl(c.accountId(), blobId, name, type) + extra);
    }

    @Test
    void aLargeBlobStreamsWhole() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31);
        String blob = c.upload(data, "application/octet-stream").path("blobId").asText();
        HttpResponse<byte[]> r = download(blob, "big.bin", "application/octet-stream", "");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValueAsLong("content-length").orElseThrow()).isEqualTo(data.length);
        assertThat(Arrays.equals(r.body(), data)).isTrue();
    }

    @Test
    void previewsAreInlineOnlyForImagesAndPdf() throws Exception {
        String blob = c.upload("<svg onload=alert(1)></svg>".getBytes(StandardCharsets.UTF_8), "image/svg+xml").path("blobId").asText();
        String[][] rows = {
            {"image/png", "inline"},
            {"image/jpeg", "inline"},
            {"image/webp", "inline"},
            {"application/pdf", "inline"},
            {"image/svg+xml", "attachment"},
            {"text/html", "attachment"},
            {"application/xhtml+xml", "attachment"},
            {"text/javascript", "attachment"},
        };
        for (String[] row : rows) {
            HttpResponse<byte[]> r = download(blob, "x", row[0], "&disposition=inline");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-disposition").orElseThrow()).as(row[0]).startsWith(row[1] + ";");
            assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        }
        // Without the explicit preview, even a PNG is an attachment.
        assertThat(download(blob, "x.png", "image/png", "").headers().firstValue("content-disposition").orElseThrow())
                .startsWith("attachment;");
    }

    @Test
    void namesAreSafeAndNonAsciiNamesUseFilenameStar() throws Exception {
        String blob = c.upload("x".getBytes(StandardCharsets.UTF_8), "text/plain").path("blobId").asText();
        String cd = download(blob, "R%C3%A9sum%C3%A9%20final.pdf", "application/pdf", "").headers()
                .firstValue("content-disposition").orElseThrow();
        assertThat(cd).isEqualTo("attachment; filename=\"R_sum_ final.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20final.pdf");
        HttpResponse<byte[]> crlf = download(blob, "a.pdf%0D%0ASet-Cookie:%20x=1", "application/pdf", "");
        assertThat(crlf.headers().firstValue("set-cookie")).isEmpty();
        if (crlf.statusCode() == 200) {
            assertThat(crlf.headers().firstValue("content-disposition").orElseThrow()).doesNotContain("\r", "\n")
                    .contains("filename=\"a.pdf__Set-Cookie: x=1\"");
        } else {
            assertThat(crlf.statusCode()).isEqualTo(400); // Jetty refuses controls in the path
        }
        assertThat(download(blob, "x", "application/pdf", "").headers().firstValue("set-cookie")).isEmpty();
        // Jetty refuses a NUL in the path outright; if it ever passes, the name must lose it.
        HttpResponse<byte[]> nul = download(blob, "evil.html%00.pdf", "application/pdf", "");
        if (nul.statusCode() == 200) {
            assertThat(nul.headers().firstValue("content-disposition").orElseThrow()).contains("filename=\"evil.html_.pdf\"");
        } else {
            assertThat(nul.statusCode()).isEqualTo(400);
        }
    }
    @Test
    void pendingUploadsAreDeletedFromTheStoreAndImportedOnesStay() throws Exception {
        // RFC 8620 §6.1: unreferenced uploads may be deleted; a blob a message references must stay.
        String loose = c.upload("loose bytes".getBytes(StandardCharsets.UTF_8), "text/plain").path("blobId").asText();
        String kept = c.upload("Subject: kept\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8), "message/rfc822")
                .path("blobId").asText();
        long acc = f.store.directory().account("alice@example.test").orElseThrow().id();
        String inbox = "m" + f.store.mailboxes().find(acc, "INBOX").orElseThrow().id();
        var r = c.one("Email/import", "{\"accountId\":\"$A\",\"emails\":{\"k\":{\"blobId\":\"" + kept
                + "\",\"mailboxIds\":{\"" + inbox + "\":true}}}}");
        assertThat(r.path("created").has("k")).isTrue();
        f.jmap.uploads().dropAll();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.store.blobs().size(loose)).isInstanceOf(java.io.IOException.class);
        assertThat(f.store.blobs().size(kept)).isPositive();
    }
}
