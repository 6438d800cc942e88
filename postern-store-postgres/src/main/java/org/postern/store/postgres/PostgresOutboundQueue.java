// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.postern.store.Intake;
import org.postern.store.OutboundQueue;
import org.postern.store.StoreException;

/**
 * The outbound queue shared by every node (RFC 5321 §4.5.4.1 retries). {@link #due} claims what it
 * returns: it picks rows with {@code FOR UPDATE SKIP LOCKED} and, in the same transaction, marks them
 * claimed by this node and moves their next attempt a lease ahead, so two nodes asking at once get
 * disjoint entries and an entry is attempted by one node at a time. A node's own claims stay due for
 * it (its queue runner skips those in flight), and each {@code due} renews their lease, so a long
 * attempt keeps its claim while the runner polls, and an entry a runner took but did not start is not
 * stranded. The attempt ends the claim ({@link #deferred}, {@link #delete}); when the node dies
 * instead, its claims are due for every node as soon as the node's LISTEN connection is gone from
 * {@code pg_stat_activity} (a SIGKILL closes it at once) and the claim was not renewed for
 * {@link #DEAD_NODE_GRACE}; at the latest, for a node still connected but no longer renewing, once the
 * lease ran out. The grace covers a live node whose LISTEN connection is being re-opened: it keeps
 * renewing through its pool, so its claims stay its own and nothing is attempted twice.
 */
final class PostgresOutboundQueue implements OutboundQueue {
    static final int MAX_ERROR_LENGTH = 2_000;
    /**
     * How long a claim of a node that is not connected stays its own after its last renewal: several
     * queue polls (5 s by default), and far above a LISTEN reconnect.
     */
    static final Duration DEAD_NODE_GRACE = Duration.ofSeconds(20);
    private static final System.Logger LOG = System.getLogger(PostgresOutboundQueue.class.getName());
    private static final String COLUMNS =
            "id, mail_from, recipients, blob_id, size, queued_at, next_attempt, attempts, last_error, dsn_ret, dsn_envid,"
            + " require_tls, binary_body, rcpt_options, hold_until";

    private final PostgresDatabase db;
    private final Duration lease;
    private final String nodeId;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    PostgresOutboundQueue(PostgresDatabase db, Duration lease, String nodeId) {
        this.db = db;
        this.lease = lease;
        this.nodeId = nodeId;
    }

    static long insert(PostgresTx tx, Intake.Outbound out, String blobId, long size, Instant queuedAt, String nodeId)
            throws SQLException {
        if (out.recipients().isEmpty()) throw new StoreException.Refused("outbound entry without recipients");
        for (String r : out.recipients()) {
            if (r.isEmpty() || r.indexOf('\n') >= 0 || r.indexOf('\r') >= 0) throw new StoreException.Refused("bad recipient");
        }
        long at = queuedAt.toEpochMilli();
        Intake.Options o = out.options();
        // RFC 4865: a held entry is first due at its release time.
        long hold = o.holdUntil() == null ? 0 : o.holdUntil().toEpochMilli();
        long id = tx.s.queryLong("""
                INSERT INTO queue(mail_from, recipients, blob_id, size, queued_at, next_attempt, dsn_ret, dsn_envid,
                  require_tls, binary_body, rcpt_options, hold_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""", -1,
                out.mailFrom() == null ? "" : out.mailFrom(), String.join("\n", out.recipients()), blobId, size, at,
                Math.max(at, hold), field(o.ret()), field(o.envId()), o.requireTls(), o.binary(),
                encodeOptions(out.recipientOptions()), hold);
        // Wakes the queue runners of the other nodes once committed.
        tx.s.queryLong("SELECT 1 FROM pg_notify(?, ?)", 0, PostgresChangeFeed.QUEUE_CHANNEL, nodeId);
        return id;
    }

    /** Wakes this node's {@link #onQueued} listeners; also called when another node queued an entry. */
    void queued() {
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "queue listener failed", e);
            }
        }
    }

    @Override
    public AutoCloseable onQueued(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Options are single-line text: one line per recipient, "notify TAB type TAB address". */
    private static String field(String s) {
        if (s == null) return "";
        if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('\t') >= 0) throw new StoreException.Refused("bad option");
        return s;
    }

    private static String encodeOptions(List<Intake.RecipientOptions> options) {
        if (options.stream().allMatch(Intake.RecipientOptions.NONE::equals)) return "";
        List<String> lines = new ArrayList<>();
        for (Intake.RecipientOptions r : options) {
            lines.add(field(r.notifyOn()) + "\t" + field(r.orcptType()) + "\t" + field(r.orcpt()));
        }
        return String.join("\n", lines);
    }

    private static List<Intake.RecipientOptions> decodeOptions(String s, int count) {
        if (s == null || s.isEmpty()) return List.of();
        List<Intake.RecipientOptions> out = new ArrayList<>();
        for (String line : s.split("\n", -1)) {
            String[] f = line.split("\t", -1);
            out.add(f.length != 3 ? Intake.RecipientOptions.NONE
                    : new Intake.RecipientOptions(nullIfEmpty(f[0]), nullIfEmpty(f[1]), nullIfEmpty(f[2])));
        }
        return out.size() == count ? out : List.of();
    }

    private static String nullIfEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @Override
    public List<QueuedMessage> list() {
        return db.read(s -> s.list("SELECT " + COLUMNS + " FROM queue ORDER BY queued_at, id", PostgresOutboundQueue::entry));
    }

    @Override
    public Optional<QueuedMessage> get(long id) {
        return db.read(s -> s.one("SELECT " + COLUMNS + " FROM queue WHERE id = ?", PostgresOutboundQueue::entry, id));
    }

    /**
     * Entries due for this node: unclaimed ones whose time has come and this node's own claims, oldest
     * first; all of them are (re)claimed for {@link PostgresConfig#queueLease()}. Returned as they were
     * before the claim.
     */
    @Override
    public List<QueuedMessage> due(Instant now, int limit) {
        if (limit <= 0) return List.of();
        long at = now.toEpochMilli();
        long until = now.plus(lease).toEpochMilli();
        // A claim is renewed to "now + lease": one whose end lies before this was last renewed a grace ago.
        long staleClaim = now.plus(lease).minus(DEAD_NODE_GRACE).toEpochMilli();
        return db.write(tx -> {
            List<QueuedMessage> picked = tx.s.list("SELECT " + COLUMNS + " FROM queue q"
                    + " WHERE next_attempt <= ? OR claimed_by = ?"
                    + " OR (claimed_by IS NOT NULL AND next_attempt <= ? AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a"
                    + " WHERE a.application_name = ? || q.claimed_by))"
                    + " ORDER BY queued_at, id LIMIT ? FOR UPDATE OF q SKIP LOCKED",
                    PostgresOutboundQueue::entry, at, nodeId, staleClaim, PostgresChangeFeed.LISTEN_APPLICATION, limit);
            if (!picked.isEmpty()) {
                Long[] ids = picked.stream().map(QueuedMessage::id).toArray(Long[]::new);
                tx.s.update("UPDATE queue SET next_attempt = ?, claimed_by = ? WHERE id = ANY(?)", until, nodeId,
                        tx.s.jdbc.createArrayOf("bigint", ids));
            }
            return picked;
        });
    }

    @Override
    public void deferred(long id, Instant nextAttempt, String lastError) {
        String err = lastError == null ? "" : lastError.length() > MAX_ERROR_LENGTH ? lastError.substring(0, MAX_ERROR_LENGTH) : lastError;
        db.write(tx -> {
            if (tx.s.update("UPDATE queue SET attempts = attempts + 1, next_attempt = ?, last_error = ?, claimed_by = NULL WHERE id = ?",
                    nextAttempt.toEpochMilli(), err, id) == 0) {
                throw new StoreException.NotFound("no queue entry " + id);
            }
            return null;
        });
    }

    @Override
    public boolean retryNow(long id) {
        long now = System.currentTimeMillis();
        // Never before an RFC 4865 release time: "now" for a held entry is its release.
        return db.write(tx -> tx.s.update("UPDATE queue SET next_attempt = GREATEST(?, hold_until), claimed_by = NULL WHERE id = ?",
                now, id) > 0);
    }

    @Override
    public boolean delete(long id) {
        return db.write(tx -> tx.s.update("DELETE FROM queue WHERE id = ?", id) > 0);
    }

    private static QueuedMessage entry(ResultSet rs) throws SQLException {
        List<String> recipients = Arrays.asList(rs.getString(3).split("\n"));
        Intake.Options options = new Intake.Options(nullIfEmpty(rs.getString(10)), nullIfEmpty(rs.getString(11)),
                rs.getBoolean(12), rs.getBoolean(13), rs.getLong(15) == 0 ? null : Instant.ofEpochMilli(rs.getLong(15)));
        return new QueuedMessage(rs.getLong(1), rs.getString(2), recipients, rs.getString(4), rs.getLong(5),
                Instant.ofEpochMilli(rs.getLong(6)), Instant.ofEpochMilli(rs.getLong(7)), rs.getInt(8), rs.getString(9),
                options, decodeOptions(rs.getString(14), recipients.size()));
    }
}
