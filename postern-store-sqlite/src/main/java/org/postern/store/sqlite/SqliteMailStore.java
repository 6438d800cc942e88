// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import org.postern.store.backend.FlagCodec;
import org.postern.store.backend.ArrivalKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.postern.store.BlobStore;
import org.postern.store.ChangeFeed;
import org.postern.store.Directory;
import org.postern.store.ExternalBlobStore;
import org.postern.store.Intake;
import org.postern.store.IntakeResult;
import org.postern.store.MailStore;
import org.postern.store.MailboxStore;
import org.postern.store.MessageRecord;
import org.postern.store.OutboundQueue;
import org.postern.store.StoreException;

/**
 * The embedded store: {@code dataDir/store.db} (SQLite, WAL; also holds message bodies up to
 * {@link SqliteBlobStore#INLINE_MAX}) and {@code dataDir/blobs/} (larger bodies). Thread-safe;
 * one instance per process is enough. Several instances, also in several processes (server and CLI),
 * may open the same directory at once: writes are serialized by SQLite's lock and each instance's
 * change feed picks up the others' changes within a second.
 */
public final class SqliteMailStore implements MailStore {
    /** The schema version this code writes and understands. */
    public static final int SCHEMA_VERSION = SqliteSchema.CURRENT;
    public static final String DATABASE_FILE = "store.db";
    public static final String BLOB_DIRECTORY = "blobs";

    private final Path dataDir;
    /** The bytes (blob files or an object store); callers get {@link #view}, which knows references and the bodies kept in the database. */
    private final BlobStore blobs;
    private final SqliteBlobStore view;
    private final SqliteDatabase db;
    private final SqliteDirectory directory;
    private final SqliteMailboxStore mailboxes;
    private final SqliteOutboundQueue queue;
    private final SqliteMetadataStore metadata;
    private final SqliteAclStore acl;
    private final SqliteDkimKeyStore dkimKeys;
    private final SqliteIdentityStore identities;
    private final SqliteSubmissionStore submissions;
    private final SqliteVacationStore vacation;

    private SqliteMailStore(Path dataDir, BlobStore blobs, SqliteDatabase db) {
        this.dataDir = dataDir;
        this.blobs = blobs;
        this.view = new SqliteBlobStore(blobs, db);
        this.db = db;
        this.directory = new SqliteDirectory(db);
        this.mailboxes = new SqliteMailboxStore(db, view);
        this.queue = new SqliteOutboundQueue(db);
        this.metadata = new SqliteMetadataStore(db);
        this.acl = new SqliteAclStore(db);
        this.dkimKeys = new SqliteDkimKeyStore(db);
        this.identities = new SqliteIdentityStore(db);
        this.submissions = new SqliteSubmissionStore(db);
        this.vacation = new SqliteVacationStore(db);
    }

    /**
     * Opens (creating when missing) the store in {@code dataDir}, migrating an older schema.
     *
     * @throws StoreException.TooNew when the data was written by a newer Postern
     * @throws StoreException.Unavailable when the directory or database cannot be opened
     */
    public static SqliteMailStore open(Path dataDir) {
        return open(dataDir, null);
    }

    /**
     * Opens the store keeping message bytes in {@code blobBytes} (an object store) instead of
     * {@code dataDir/blobs/}, or, when it is null, in the database (bodies up to
     * {@link SqliteBlobStore#INLINE_MAX}) and the blob files. The database keeps the references and
     * deletes bytes through it when the last one goes; objects it has no reference for and older than a
     * day (a crash between writing and delivering) are swept here, as are such bodies in the database.
     * Bodies written to the blob files or the database before the switch stay readable there. The
     * store closes it.
     */
    public static SqliteMailStore open(Path dataDir, ExternalBlobStore blobBytes) {
        try {
            Files.createDirectories(dataDir);
            Path files = dataDir.resolve(BLOB_DIRECTORY);
            BlobStore blobs;
            if (blobBytes == null) {
                blobs = new FileBlobStore(files);
            } else if (Files.isDirectory(files)) {
                blobs = SqliteBlobStore.layered(blobBytes, new FileBlobStore(files)); // bodies from before the switch
            } else {
                blobs = blobBytes;
            }
            SqliteMailStore store = new SqliteMailStore(dataDir, blobs,
                    new SqliteDatabase(dataDir.resolve(DATABASE_FILE), blobs));
            store.view.sweepInline();
            if (blobBytes != null) store.view.sweep(blobBytes);
            return store;
        } catch (IOException e) {
            if (blobBytes != null) blobBytes.close();
            throw new StoreException.Unavailable("cannot open store in " + dataDir + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            if (blobBytes != null) blobBytes.close();
            throw SqliteConnection.map(e);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The schema version of the opened data (equal to {@link #SCHEMA_VERSION} after open). */
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
        return view;
    }

    @Override
    public OutboundQueue queue() {
        return queue;
    }

    @Override
    public ChangeFeed changes() {
        return db.feed();
    }

    @Override
    public org.postern.store.MetadataStore metadata() {
        return metadata;
    }

    @Override
    public Listing listing(long accountId, java.util.Collection<String> identifiers) {
        List<String> ids = new ArrayList<>(new java.util.LinkedHashSet<>(identifiers));
        if (ids.isEmpty() || ids.size() > SqliteAclStore.GRANTS_CHUNK) return MailStore.super.listing(accountId, identifiers);
        return mailboxes.listing(accountId, ids);
    }

    @Override
    public org.postern.store.AclStore acl() {
        return acl;
    }

    @Override
    public org.postern.store.ThreadStore threads() {
        // Stateless over the database: no field, nothing to close.
        return new SqliteThreadStore(db);
    }

    @Override
    public org.postern.store.DkimKeyStore dkimKeys() {
        return dkimKeys;
    }

    @Override
    public org.postern.store.IdentityStore identities() {
        return identities;
    }

    @Override
    public org.postern.store.SubmissionStore submissions() {
        return submissions;
    }

    @Override
    public org.postern.store.VacationStore vacation() {
        return vacation;
    }

    @Override
    public org.postern.store.WebSessionStore webSessions() {
        return new SqliteWebSessionStore(db);
    }

    @Override
    public org.postern.store.AuthFailureStore authFailures() {
        return new SqliteAuthFailureStore(db);
    }

    @Override
    public IntakeResult deliver(Intake intake) {
        if (!view.exists(intake.blobId())) throw new StoreException.NotFound("no blob " + intake.blobId());
        if (intake.local().isEmpty() && intake.outbound() == null) throw new StoreException.Refused("nothing to deliver");
        List<String> flags = new ArrayList<>();
        for (Intake.Target t : intake.local()) flags.add(FlagCodec.encode(t.flags()));
        Instant received = intake.receivedAt() == null ? Instant.now() : intake.receivedAt();
        long now = System.currentTimeMillis();
        // Read before the write lock: the body was just written by intake (a row or a file in the page cache).
        ArrivalKeys keys = intake.local().isEmpty() ? null : ArrivalKeys.read(view, intake.blobId());
        IntakeResult result = db.write(tx -> {
            List<MessageRecord> delivered = new ArrayList<>();
            for (int i = 0; i < intake.local().size(); i++) {
                Intake.Target t = intake.local().get(i);
                delivered.add(SqliteMailboxStore.insertMessage(tx, t.accountId(), t.mailboxId(), intake.blobId(),
                        intake.size(), flags.get(i), received.toEpochMilli(), now));
            }
            // Threads and sort keys are per account and body: each recipient account gets them once.
            if (keys != null) {
                for (long account : intake.local().stream().mapToLong(Intake.Target::accountId).distinct().toArray()) {
                    SqliteThreadStore.assign(tx.c, account, List.of(keys.links()));
                    SqliteMailboxStore.insertSortKeys(tx.c, account, keys.sortKeys());
                }
            }
            long queueId = intake.outbound() == null ? -1
                    : SqliteOutboundQueue.insert(tx, intake.outbound(), intake.blobId(), intake.size(), received);
            return new IntakeResult(delivered, queueId);
        });
        if (result.queueId() >= 0) queue.queued(); // wakes the queue runner now, not at its next poll
        return result;
    }

    /** Write transactions committed so far (group commits count once): for tests. */
    long commits() {
        return db.commits();
    }

    /** Stops the change feed and closes the database; waits for a running write to finish. */
    @Override
    public void close() {
        db.close();
        if (blobs instanceof ExternalBlobStore external) external.close();
    }
}
