// SPDX-License-Identifier: Apache-2.0
package org.postern.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.event.MessageCountAdapter;
import jakarta.mail.event.MessageCountEvent;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.testkit.TestServer;

/**
 * Jakarta Mail (Angus), a client nobody here wrote, over every TLS mode: submission with STARTTLS on
 * 587 and implicit TLS on 465, IMAP on 993 and POP3 on 995.
 */
class JakartaMailIT {
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        server.createUser("alice@example.test", "alice-password");
        server.createUser("bob@example.test", "bob-password");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private Session session() {
        Properties p = new Properties();
        var factory = server.sslContext().getSocketFactory();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(server.submissionPort()));
        p.put("mail.smtp.auth", "true");
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.ssl.socketFactory", factory);
        p.put("mail.smtps.host", "127.0.0.1");
        p.put("mail.smtps.port", String.valueOf(server.submissionsPort()));
        p.put("mail.smtps.auth", "true");
        p.put("mail.smtps.ssl.socketFactory", factory);
        p.put("mail.imaps.host", "127.0.0.1");
        p.put("mail.imaps.port", String.valueOf(server.imapsPort()));
        p.put("mail.imaps.ssl.socketFactory", factory);
        p.put("mail.imap.host", "127.0.0.1");
        p.put("mail.imap.port", String.valueOf(server.imapPort()));
        p.put("mail.imap.starttls.enable", "true");
        p.put("mail.imap.starttls.required", "true");
        p.put("mail.imap.ssl.socketFactory", factory);
        p.put("mail.pop3s.host", "127.0.0.1");
        p.put("mail.pop3s.port", String.valueOf(server.pop3sPort()));
        p.put("mail.pop3s.ssl.socketFactory", factory);
        for (String proto : new String[] {"smtp", "smtps", "imap", "imaps", "pop3s"}) {
            p.put("mail." + proto + ".connectiontimeout", "10000");
            p.put("mail." + proto + ".timeout", "10000");
        }
        return Session.getInstance(p);
    }

    private MimeMessage message(Session s, String from, String to, String subject) throws Exception {
        MimeMessage m = new MimeMessage(s);
        m.setFrom(new InternetAddress(from));
        m.setRecipients(Message.RecipientType.TO, to);
        m.setSubject(subject, "UTF-8");
        MimeMultipart mp = new MimeMultipart();
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Hello Bob,\r\n.leading dot line\r\nünïcödé body\r\n", "UTF-8");
        MimeBodyPart att = new MimeBodyPart();
        att.setFileName("report.txt");
        att.setText("attachment contents\r\n", "UTF-8");
        att.setDisposition(Part.ATTACHMENT);
        mp.addBodyPart(text);
        mp.addBodyPart(att);
        m.setContent(mp);
        m.saveChanges();
        return m;
    }

    private static byte[] bytes(Message m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out); // unmodified messages are written as the server sent them
        return out.toByteArray();
    }

    @Test
    void submitOn587ArrivesInIdleOn993AndReadsTheSameOverImapAndPop3() throws Exception {
        Session s = session();
        String subject = "e2e " + UUID.randomUUID();

        Store imap = s.getStore("imaps");
        imap.connect("bob@example.test", "bob-password");
        IMAPFolder inbox = (IMAPFolder) imap.getFolder("INBOX");
        inbox.open(Folder.READ_WRITE);
        int before = inbox.getMessageCount();
        CountDownLatch arrived = new CountDownLatch(1);
        inbox.addMessageCountListener(new MessageCountAdapter() {
            @Override
            public void messagesAdded(MessageCountEvent e) {
                arrived.countDown();
            }
        });
        Thread idler = Thread.ofVirtual().start(() -> {
            try {
                while (arrived.getCount() > 0) inbox.idle(true);
            } catch (Exception ignored) {
                // the folder is closed at the end of the test
            }
        });
        Thread.sleep(300); // let IDLE start: the test below still waits with a deadline

        Transport t = s.getTransport("smtp");
        t.connect("alice@example.test", "alice-password");
        t.sendMessage(message(s, "alice@example.test", "bob@example.test", subject), InternetAddress.parse("bob@example.test"));
        t.close();

        assertThat(arrived.await(10, TimeUnit.SECONDS)).as("IDLE reported the new message").isTrue();
        idler.join(5000);
        assertThat(inbox.getMessageCount()).isEqualTo(before + 1);
        Message got = inbox.getMessage(inbox.getMessageCount());
        assertThat(got.getSubject()).isEqualTo(subject);
        assertThat(got.getFrom()[0].toString()).isEqualTo("alice@example.test");
        Multipart mp = (Multipart) got.getContent();
        assertThat(mp.getCount()).isEqualTo(2);
        assertThat(mp.getBodyPart(1).getFileName()).isEqualTo("report.txt");
        assertThat((String) mp.getBodyPart(0).getContent()).contains("ünïcödé");
        byte[] viaImap = bytes(got);
        inbox.close(false);
        imap.close();

        Store pop = s.getStore("pop3s");
        pop.connect("bob@example.test", "bob-password");
        Folder popInbox = pop.getFolder("INBOX");
        popInbox.open(Folder.READ_ONLY);
        Message viaPop = null;
        for (Message m : popInbox.getMessages()) {
            if (subject.equals(m.getSubject())) viaPop = m;
        }
        assertThat(viaPop).isNotNull();
        assertThat(bytes(viaPop)).isEqualTo(viaImap);
        popInbox.close(false);
        pop.close();
    }

    @Test
    void implicitTlsSubmissionOn465AndImapStartTlsOn143() throws Exception {
        Session s = session();
        String subject = "465 " + UUID.randomUUID();
        Transport t = s.getTransport("smtps");
        t.connect("alice@example.test", "alice-password");
        t.sendMessage(message(s, "alice@example.test", "alice@example.test", subject), InternetAddress.parse("alice@example.test"));
        t.close();

        Store imap = s.getStore("imap");
        imap.connect("alice@example.test", "alice-password");
        Folder inbox = imap.getFolder("INBOX");
        inbox.open(Folder.READ_WRITE);
        Message found = null;
        for (Message m : inbox.getMessages()) {
            if (subject.equals(m.getSubject())) found = m;
        }
        assertThat(found).as("message sent over 465 is in INBOX").isNotNull();
        found.setFlag(Flags.Flag.FLAGGED, true);
        Folder archive = imap.getFolder("Archive");
        inbox.copyMessages(new Message[] {found}, archive);
        found.setFlag(Flags.Flag.DELETED, true);
        inbox.expunge();
        archive.open(Folder.READ_ONLY);
        Message archived = archive.getMessage(archive.getMessageCount());
        assertThat(archived.getSubject()).isEqualTo(subject);
        assertThat(archived.isSet(Flags.Flag.FLAGGED)).isTrue();
        archive.close(false);
        inbox.close(false);
        imap.close();
    }

    @Test
    void standardFoldersExistWithSpecialUse() throws Exception {
        Store imap = session().getStore("imaps");
        imap.connect("alice@example.test", "alice-password");
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Folder f : imap.getDefaultFolder().list("*")) {
            names.add(f.getFullName());
            if (f.getFullName().equals("Sent")) {
                assertThat(((IMAPFolder) f).getAttributes()).contains("\\Sent");
            }
        }
        assertThat(names).contains("INBOX", "Drafts", "Sent", "Trash", "Junk", "Archive");
        imap.close();
    }

    @Test
    void submissionRefusesForeignSender() throws Exception {
        Session s = session();
        Transport t = s.getTransport("smtp");
        t.connect("alice@example.test", "alice-password");
        try {
            t.sendMessage(message(s, "bob@example.test", "bob@example.test", "forged"), InternetAddress.parse("bob@example.test"));
            throw new AssertionError("a forged sender was accepted");
        } catch (jakarta.mail.MessagingException expected) {
            assertThat(expected.toString() + (expected.getNextException() == null ? "" : expected.getNextException()))
                    .contains("553");
        } finally {
            t.close();
        }
    }
}
