// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the store contract suites: a fresh store per test and helpers. A backend's test extends a
 * *Contract class and implements {@link #open(Path)}. Opening the same {@code dataDir} twice must give
 * two independent instances over the same data, as two processes would (the server and the CLI).
 */
public abstract class StoreContract {
    @TempDir
    protected Path dataDir;
    protected MailStore store;
    private final List<MailStore> extra = new ArrayList<>();

    /** Opens (or re-opens) the backend's store over {@code dataDir}. */
    protected abstract MailStore open(Path dataDir);

    @BeforeEach
    void openStore() {
        store = open(dataDir);
    }

    @AfterEach
    void closeStores() {
        for (MailStore s : extra) s.close();
        if (store != null) store.close();
    }

    /** Closes the store and opens it again, as after a restart. */
    protected void reopen() {
        store.close();
        store = open(dataDir);
    }

    /** A second instance on the same data, closed after the test. */
    protected MailStore openSecond() {
        MailStore s = open(dataDir);
        extra.add(s);
        return s;
    }

    protected Account account(String address) {
        String domain = address.substring(address.indexOf('@') + 1);
        if (!store.directory().isLocalDomain(domain)) store.directory().addDomain(domain);
        return store.directory().createAccount(address, PasswordRecord.NONE, false);
    }

    protected Mailbox mailbox(long accountId, String name) {
        return store.mailboxes().find(accountId, name).orElseThrow();
    }

    protected Mailbox inbox(long accountId) {
        return mailbox(accountId, Mailbox.INBOX);
    }

    protected String blob(MailStore s, byte[] content) {
        try (BlobStore.BlobWriter w = s.blobs().create()) {
            try (OutputStream out = w.stream()) {
                out.write(content);
            }
            return w.commit();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    protected String blob(String content) {
        return blob(store, content.getBytes(StandardCharsets.UTF_8));
    }

    protected byte[] read(String blobId) {
        try (InputStream in = store.blobs().open(blobId)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    protected static String message(String subject) {
        return "From: a@example.org\r\nSubject: " + subject + "\r\n\r\nbody of " + subject + "\r\n";
    }

    protected MessageRecord append(long accountId, long mailboxId, String subject, String... flags) {
        String content = message(subject);
        return store.mailboxes().append(accountId, mailboxId, blob(content), content.length(), Set.of(flags),
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    protected List<Long> uids(List<MessageRecord> records) {
        return records.stream().map(MessageRecord::uid).toList();
    }

    /** Waits for a condition with a deadline; never sleep-and-hope. */
    protected static boolean waitFor(Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) return true;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }
}
