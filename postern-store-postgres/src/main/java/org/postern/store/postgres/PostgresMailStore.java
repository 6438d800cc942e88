// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import org.postern.store.backend.FlagCodec;
import org.postern.store.backend.ArrivalKeys;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.postern.store.AclStore;
import org.postern.store.BlobStore;
import org.postern.store.ChangeFeed;
import org.postern.store.Directory;
import org.postern.store.DkimKeyStore;
import org.postern.store.ExternalBlobStore;
import org.postern.store.IdentityStore;
import org.postern.store.Intake;
import org.postern.store.IntakeResult;
import org.postern.store.MailStore;
import org.postern.store.MailboxStore;
import org.postern.store.MessageRecord;
import org.postern.store.MetadataStore;
import org.postern.store.OutboundQueue;
import org.postern.store.StoreException;
import org.postern.store.SubmissionStore;
import org.postern.store.ThreadStore;
import org.postern.store.VacationStore;

/**
 * The shared store: everything in one PostgreSQL database, so any number of Postern nodes can serve
 * any account at once. Thread-safe; one instance per node. Several instances on the same database
 * (nodes, or the CLI beside a running server) see each other's writes at once and each other's change
 * events through LISTEN/NOTIFY.
 */
public final class PostgresMailStore implements MailStore {
    /** The schema version this code writes and understands. */
    public static final int SCHEMA_VERSION = PostgresSchema.CURRENT;

    private final PostgresDatabase db;
    private final String nodeId = UUID.randomUUID().toString();
    private final PostgresBlobStore blobs;
    private final PostgresDirectory directory;
    private final PostgresMailboxStore mailboxes;
    private final PostgresOutboundQueue queue;
    private final PostgresMetadataStore metadata;
    private final PostgresAclStore acl;
    private final PostgresDkimKeyStore dkimKeys;
    private final PostgresThreadStore threads;
    private final PostgresIdentityStore identities;
    private final PostgresSubmissionStore submissions;
    private final PostgresVacationStore vacation;
    private final PostgresChangeFeed feed;

    private PostgresMailStore(PostgresDatabase db, ExternalBlobStore blobBytes) throws SQLException {
        this.db = db;
        this.blobs = new PostgresBlobStore(db, blobBytes);
        this.directory = new PostgresDirectory(db);
        this.mailboxes = new PostgresMailboxStore(db, blobs);
        this.queue = new PostgresOutboundQueue(db, db.config().queueLease(), nodeId);
        this.metadata = new PostgresMetadataStore(db);
        this.acl = new PostgresAclStore(db);
        this.dkimKeys = new PostgresDkimKeyStore(db);
        this.threads = new PostgresThreadStore(db);
        this.identities = new PostgresIdentityStore(db);
        this.submissions = new PostgresSubmissionStore(db);
        this.vacation = new PostgresVacationStore(db);
        this.feed = new PostgresChangeFeed(db, nodeId, queue::queued);
    }

    /**
     * Connects, migrates an older schema and starts listening for changes.
     *
     * @throws StoreException.TooNew when the schema was written by a newer Postern
     * @throws StoreException.Unavailable when the database cannot be reached
     */
    public static PostgresMailStore open(PostgresConfig config) {
        return open(config, null);
    }

    /**
     * As {@link #open(PostgresConfig)}, with the bytes of new bodies in {@code blobBytes} (an object
     * store) instead of the database, or in the database when it is null. The store closes it.
     */
    public static PostgresMailStore open(PostgresConfig config, ExternalBlobStore blobBytes) {
        PostgresDatabase db = new PostgresDatabase(config);
        try {
            PostgresMailStore store = new PostgresMailStore(db, blobBytes);
            store.blobs.removeOrphans();
            store.blobs.startSweeper();
            return store;
        } catch (SQLException e) {
            db.close();
            if (blobBytes != null) blobBytes.close();
            throw PostgresDatabase.map(e);
        } catch (RuntimeException e) {
            db.close();
            if (blobBytes != null) blobBytes.close();
            throw e;
        }
    }

    /** The schema version of the opened database (equal to {@link #SCHEMA_VERSION} after open). */
    public int schemaVersion() {
        return db.schemaVersion();
    }

    @Override
    public Directory directory() {
        return directory;
    }

    @Override
    public MailboxStore mailboxes() {
        return mailboxes;
    }

    @Override
    public BlobStore blobs() {
        return blobs;
    }

    @Override
    public OutboundQueue queue() {
        return queue;
    }

    @Override
    public ChangeFeed changes() {
        return feed;
    }

    @Override
    public MetadataStore metadata() {
        return metadata;
    }

    @Override
    public AclStore acl() {
        return acl;
    }

    @Override
    public DkimKeyStore dkimKeys() {
        return dkimKeys;
    }

    @Override
    public ThreadStore threads() {
        return threads;
    }

    @Override
    public IdentityStore identities() {
        return identities;
    }

    @Override
    public SubmissionStore submissions() {
        return submissions;
    }

    @Override
    public VacationStore vacation() {
        return vacation;
    }

    @Override
    public org.postern.store.WebSessionStore webSessions() {
        return new PostgresWebSessionStore(db);
    }

    @Override
    public org.postern.store.AuthFailureStore authFailures() {
        return new PostgresAuthFailureStore(db);
    }

    @Override
    public IntakeResult deliver(Intake intake) {
        if (intake.local().isEmpty() && intake.outbound() == null) throw new StoreException.Refused("nothing to deliver");
        List<String> flags = new ArrayList<>();
        for (Intake.Target t : intake.local()) flags.add(FlagCodec.encode(t.flags()));
        Instant received = intake.receivedAt() == null ? Instant.now() : intake.receivedAt();
        long[] accounts = intake.local().stream().mapToLong(Intake.Target::accountId).distinct().toArray();
        long now = System.currentTimeMillis();
        // Read before the transaction: no account lock is held while the header section is fetched.
        ArrivalKeys keys = intake.local().isEmpty() ? null : ArrivalKeys.read(blobs, intake.blobId());
        IntakeResult result = db.write(tx -> {
            // All recipients' accounts, in id order, before anything else: concurrent deliveries to
            // overlapping recipient sets then queue up instead of deadlocking.
            tx.lock(accounts);
            PostgresMailboxStore.requireBlob(tx.s, intake.blobId());
            List<MessageRecord> delivered = new ArrayList<>();
            for (int i = 0; i < intake.local().size(); i++) {
                Intake.Target t = intake.local().get(i);
                delivered.add(PostgresMailboxStore.insertMessage(tx, t.accountId(), t.mailboxId(), intake.blobId(),
                        intake.size(), flags.get(i), received.toEpochMilli(), now));
            }
            // Threads and sort keys are per account and body: each recipient account gets them once.
            if (keys != null) {
                for (long account : accounts) {
                    PostgresThreadStore.assign(tx.s, account, List.of(keys.links()));
                    PostgresMailboxStore.insertSortKeys(tx.s, account, keys.sortKeys());
                }
            }
            long queueId = intake.outbound() == null ? -1
                    : PostgresOutboundQueue.insert(tx, intake.outbound(), intake.blobId(), intake.size(), received, nodeId);
            return new IntakeResult(delivered, queueId);
        });
        if (result.queueId() >= 0) queue.queued(); // wakes this node's queue runner now, not at its next poll
        return result;
    }

    /** Stops listening and closes the pool; waits for running transactions to return their connections. */
    @Override
    public void close() {
        feed.close();
        blobs.close();
        db.close();
    }
}
