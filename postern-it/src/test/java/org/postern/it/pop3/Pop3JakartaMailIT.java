// SPDX-License-Identifier: Apache-2.0
package org.postern.it.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.eclipse.angus.mail.pop3.POP3Folder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postern.testkit.TestServer;

/** Jakarta Mail's POP3 provider (Eclipse Angus) over 995 and over 110 with STLS required. */
class Pop3JakartaMailIT {
    private static final String USER = "jo@example.test";
    private static final String PASSWORD = "jo-jakarta-password";

    private TestServer server;
    private Inbox inbox;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start();
        server.createUser(USER, PASSWORD);
        inbox = new Inbox(server, USER);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Store connect(String protocol) throws Exception {
        Properties p = new Properties();
        Object factory = server.sslContext().getSocketFactory();
        p.put("mail.pop3s.host", "127.0.0.1");
        p.put("mail.pop3s.port", String.valueOf(server.pop3sPort()));
        p.put("mail.pop3s.ssl.socketFactory", factory);
        p.put("mail.pop3.host", "127.0.0.1");
        p.put("mail.pop3.port", String.valueOf(server.pop3Port()));
        p.put("mail.pop3.starttls.enable", "true");
        p.put("mail.pop3.starttls.required", "true");
        p.put("mail.pop3.ssl.socketFactory", factory);
        Store store = Session.getInstance(p).getStore(protocol);
        store.connect(USER, PASSWORD);
        return store;
    }

    @ParameterizedTest
    @ValueSource(strings = {"pop3s", "pop3"})
    void readsUidsAndDeletesAtClose(String protocol) throws Exception {
        long uid1 = inbox.deliver(Inbox.message("one"));
        inbox.deliver(Inbox.message("two"));
        Store store = connect(protocol);
        try {
            POP3Folder folder = (POP3Folder) store.getFolder("INBOX");
            folder.open(Folder.READ_WRITE);
            assertThat(folder.getMessageCount()).isEqualTo(2);
            Message first = folder.getMessage(1);
            assertThat(folder.getUID(first)).isEqualTo(inbox.inbox().uidValidity() + "." + uid1);
            assertThat(first.getSubject()).isEqualTo("one");
            // LIST sizes, exactly what RETR sends (RFC 1939 §5).
            assertThat(folder.getSizes()).containsExactly(Inbox.message("one").length(), Inbox.message("two").length());
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            first.writeTo(raw);
            assertThat(raw.toString(StandardCharsets.UTF_8)).isEqualTo(Inbox.message("one"));
            folder.getMessage(2).setFlag(Flags.Flag.DELETED, true);
            folder.close(true);
        } finally {
            store.close();
        }
        assertThat(inbox.messages()).hasSize(1);
        assertThat(inbox.messages().get(0).uid()).isEqualTo(uid1);
    }
}
