#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Scale-out on one machine (issue 9): Postern on PostgreSQL with one node, then with two nodes on the
# same database, under the same SMTP delivery and IMAP mix loads. Prints both, the ratio, and where
# the time went: CPU seconds of PostgreSQL, of the Postern nodes and of the load generators during
# each measurement, and PostgreSQL's WAL flushes (one fsync per group of commits).
#
# Workloads (the generators of bench/smtp and bench/imap):
#   smtp  smtp-source (Debian's postfix package), SESSIONS sessions, MESSAGES messages of SIZE bytes to
#         one local recipient, split evenly over the nodes; the clock stops when the recipient's INBOX,
#         asked over IMAP on node 1, holds all of them ("250" means committed in PostgreSQL).
#   imap  postern-bench imap-mix, reconnecting sessions (TLS, LOGIN, LIST, STATUS, SELECT, FETCH,
#         STORE, EXPUNGE, APPEND, LOGOUT), CLIENTS clients split evenly over the nodes, each node's
#         clients on their own users; sessions/s summed.
# On one machine two nodes share its cores with PostgreSQL and the generators, so the ratio says
# whether a second node adds throughput here and what saturates first, not what two machines would do.
#
# Usage: bench/cluster/run.sh
# Environment: SESSIONS [20] MESSAGES [3000] SIZE [10240] CLIENTS [20] DURATION [15 s] WARMUP [5 s]
#   QUIET_MAX [300 s] (before each measurement, wait for the nodes' background indexing to settle)
#   USERS [20] OFFSET [45000] (node 1 port_offset; node 2 uses OFFSET+1000; PostgreSQL OFFSET+5432)
#   PG_BIN [/usr/lib/postgresql/15/bin] SHARED_BENCH [../shared/bench] (gen_mbox.py)
#   POSTERN_JAR, BENCH_JAR [the tree's target jars]
# Loopback only; no root needed. Ends only what it started (by pid), and removes its work folder
# unless KEEP=1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/scripts/find-jdk.sh"
JAVA="$JAVA_HOME/bin/java"
SHARED_BENCH="${SHARED_BENCH:-$ROOT/../shared/bench}"
SESSIONS="${SESSIONS:-20}" MESSAGES="${MESSAGES:-3000}" SIZE="${SIZE:-10240}"
CLIENTS="${CLIENTS:-20}" DURATION="${DURATION:-15}" WARMUP="${WARMUP:-5}" USERS="${USERS:-20}"
OFFSET="${OFFSET:-45000}" PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}" KEEP="${KEEP:-0}"
POSTERN_JAR="${POSTERN_JAR:-$ROOT/postern-server/target/postern.jar}"
BENCH_JAR="${BENCH_JAR:-$ROOT/postern-bench/target/postern-bench.jar}"
PGPORT=$((OFFSET + 5432))
OFFSETS=("$OFFSET" "$((OFFSET + 1000))")
DOMAIN=cluster.test RCPT="sink@cluster.test" PASS=benchpass
WORK="$(mktemp -d /tmp/postern-cluster-bench.XXXXXX)"
NODE_PIDS=() PG_STARTED=0

log() { echo "[cluster-bench $(date +%H:%M:%S)] $*" >&2; }
die() { log "$*"; exit 1; }

[[ -x "$PG_BIN/postgres" ]] || die "no PostgreSQL in $PG_BIN (apt-get install postgresql, or set PG_BIN)"
command -v smtp-source >/dev/null || [[ -x /usr/sbin/smtp-source ]] || die "smtp-source not found (apt-get install postfix)"
SMTP_SOURCE="$(command -v smtp-source || echo /usr/sbin/smtp-source)"
[[ -f "$POSTERN_JAR" && -f "$BENCH_JAR" ]] || die "build first: mvn -o -q -pl postern-server,postern-bench package -DskipTests"
# Private copies: a rebuild replacing a jar under a running JVM breaks its class loading.
cp "$POSTERN_JAR" "$WORK/postern.jar"; POSTERN_JAR="$WORK/postern.jar"
cp "$BENCH_JAR" "$WORK/postern-bench.jar"; BENCH_JAR="$WORK/postern-bench.jar"

stop_nodes() {
  for pid in "${NODE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${NODE_PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  NODE_PIDS=()
}
cleanup() {
  stop_nodes
  [[ "$PG_STARTED" == 1 ]] && su_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true
  if [[ "$KEEP" == 1 ]]; then log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# PostgreSQL refuses to run as root: as root, run it as the 'postgres' system user (or 'nobody').
if [[ $(id -u) -eq 0 ]]; then
  PG_USER=$(id -u postgres >/dev/null 2>&1 && echo postgres || echo nobody)
  chmod 755 "$WORK"
  su_pg() { runuser -u "$PG_USER" -- "$@"; }
else
  su_pg() { "$@"; }
fi

# --- PostgreSQL: defaults, so commits are durable (fsync, synchronous_commit = on) -----------------
mkdir -p "$WORK/pg"; [[ $(id -u) -eq 0 ]] && chown "$PG_USER" "$WORK/pg"
su_pg "$PG_BIN/initdb" -D "$WORK/pg" -U postgres -A trust >/dev/null
cat >> "$WORK/pg/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$WORK/pg'
max_connections = 200
track_wal_io_timing = on
CONF
su_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/log" -w start >/dev/null
PG_STARTED=1
psql_q() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -Atq -c "$1"; }
log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT"

# --- two data folders naming the same database ------------------------------------------------------
for i in 0 1; do
  d="$WORK/node$i"; mkdir -p "$d"
  cat > "$d/postern.conf" <<CONF
config_version = 1
hostname = node$i.$DOMAIN
listen_address = 127.0.0.1
port_offset = ${OFFSETS[$i]}
smtp_pregreet_delay = 0
dev.argon2 = test
store = postgres://postgres@127.0.0.1:$PGPORT/postgres
CONF
done
USERS_FILE="$WORK/users.txt"
{ echo "$RCPT $PASS"; for u in $(seq "$USERS"); do echo "bench$u@$DOMAIN $PASS"; done; } > "$USERS_FILE"
bench() { "$JAVA" -Xmx1g -jar "$BENCH_JAR" "$@"; }
# Postern's own 'domain add' and 'account add' in one JVM: the loader opens the store node0's
# postern.conf names, so the accounts go to PostgreSQL.
"$JAVA" --enable-native-access=ALL-UNNAMED -cp "$BENCH_JAR:$POSTERN_JAR" org.postern.bench.Main accounts \
  --data "$WORK/node0" --users-file "$USERS_FILE" >&2
log "$(wc -l < "$USERS_FILE") accounts in PostgreSQL"
MBOX="$WORK/bench.mbox"
python3 "$SHARED_BENCH/gen_mbox.py" -n 100 --domain "$DOMAIN" "$MBOX" >/dev/null
# Each node's IMAP clients log in as their own half of the users (the first line is the SMTP sink).
tail -n +2 "$USERS_FILE" | head -n $((USERS / 2)) > "$WORK/users-0.txt"
tail -n +2 "$USERS_FILE" | tail -n $((USERS / 2)) > "$WORK/users-1.txt"

start_node() { # INDEX
  local i=$1 imaps=$((${OFFSETS[$1]} + 993))
  ( ulimit -n 20000; exec "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$POSTERN_JAR" --data "$WORK/node$i" serve ) \
    > "$WORK/node$i.log" 2>&1 &
  NODE_PIDS+=($!)
  for _ in $(seq 300); do
    kill -0 "${NODE_PIDS[-1]}" 2>/dev/null || die "node $i did not start: $(tail -5 "$WORK/node$i.log")"
    (exec 3<>"/dev/tcp/127.0.0.1/$imaps") 2>/dev/null && { log "node $i: pid ${NODE_PIDS[-1]}, port_offset ${OFFSETS[$i]}"; return; }
    sleep 0.2
  done
  die "node $i did not open its ports"
}

# CPU seconds (user + system) of processes, from /proc: PostgreSQL = the postmaster and its children.
cpu_of() { # PIDS...
  local hz total=0 p; hz=$(getconf CLK_TCK)
  for p in "$@"; do [[ -r /proc/$p/stat ]] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  awk "BEGIN { printf \"%.1f\", $total / $hz }"
}
pg_pids() { local pm; pm=$(head -1 "$WORK/pg/postmaster.pid"); echo "$pm" $(pgrep -P "$pm" || true); }
machine_cpu() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
wal_syncs() { psql_q "SELECT wal_sync FROM pg_stat_wal"; }
snapshot() { echo "$(cpu_of $(pg_pids)) $(cpu_of "${NODE_PIDS[@]}") $(machine_cpu) $(wal_syncs) $(date +%s.%N)"; }
report() { # LABEL BEFORE AFTER -> where the CPU went during the measurement
  read -r pg0 n0 m0 w0 t0 <<<"$2"; read -r pg1 n1 m1 w1 t1 <<<"$3"
  awk -v l="$1" -v a="$pg0 $n0 $m0 $w0 $t0" -v b="$pg1 $n1 $m1 $w1 $t1" -v hz="$(getconf CLK_TCK)" -v cores="$(nproc)" 'BEGIN {
    split(a, x, " "); split(b, y, " "); s = y[5] - x[5];
    printf "  %s: %.1f s; CPU cores busy: PostgreSQL %.2f, Postern nodes %.2f, everything %.2f of %d; WAL fsyncs %.0f/s\n",
      l, s, (y[1] - x[1]) / s, (y[2] - x[2]) / s, (y[3] - x[3]) / hz / s, cores, (y[4] - x[4]) / s }' >&2
}

# A node indexes every message of every account (its own Lucene index, fed by the shared change feed),
# so a node that just started, or the nodes after a load, work through a backlog in the background:
# wait until each node's CPU stays below 10% of a core for three 2 s samples (at most QUIET_MAX s).
wait_quiet() {
  local hz prev now idle=0 waited=0; hz=$(getconf CLK_TCK)
  prev=$(cpu_ticks "${NODE_PIDS[@]}")
  while (( waited < ${QUIET_MAX:-300} )); do
    sleep 2; waited=$((waited + 2))
    now=$(cpu_ticks "${NODE_PIDS[@]}")
    if (( (now - prev) * 10 < 2 * hz * ${#NODE_PIDS[@]} )); then idle=$((idle + 1)); else idle=0; fi
    prev=$now
    if (( idle >= 3 )); then log "nodes quiet after ${waited} s"; return; fi
  done
  log "nodes still busy after ${QUIET_MAX:-300} s (indexing?): measuring anyway"
}
cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }

smtp_run() { # NODES -> messages/s
  local nodes=$1 base before after t0 t1 per=$((MESSAGES / $1)) pids=()
  base=$(python3 "$ROOT/bench/smtp/wait_count.py" --port $((OFFSET + 993)) --user "$RCPT" --password "$PASS" --count)
  before=$(snapshot); t0=$(date +%s.%N)
  for i in $(seq 0 $((nodes - 1))); do
    "$SMTP_SOURCE" -s $((SESSIONS / nodes)) -m "$per" -l "$SIZE" -f bench@sender.test -t "$RCPT" \
      "127.0.0.1:$((${OFFSETS[$i]} + 25))" & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  python3 "$ROOT/bench/smtp/wait_count.py" --port $((OFFSET + 993)) --user "$RCPT" --password "$PASS" \
    --target $((base + per * nodes)) --timeout 600 >/dev/null || die "not all messages arrived"
  t1=$(date +%s.%N); after=$(snapshot)
  report "SMTP, $nodes node(s)" "$before" "$after"
  awk "BEGIN { printf \"%.1f\", $((per * nodes)) / ($t1 - $t0) }"
}

imap_run() { # NODES -> sessions/s
  local nodes=$1 before after out pids=()
  before=$(snapshot)
  for i in $(seq 0 $((nodes - 1))); do
    bench imap-mix --port $((${OFFSETS[$i]} + 993)) --ssl --users-file "$WORK/users-$i.txt" --mbox "$MBOX" \
      --clients $((CLIENTS / nodes)) --seconds "$DURATION" --warmup "$WARMUP" --label "node$i" > "$WORK/mix-$nodes-$i.json" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  after=$(snapshot)
  report "IMAP mix, $nodes node(s)" "$before" "$after"
  cat "$WORK"/mix-"$nodes"-*.json | grep -o '"sessions_per_s":[0-9.]*' | cut -d: -f2 | awk '{s += $1} END { printf "%.1f", s }'
}

start_node 0
log "loading the mbox into the IMAP users' INBOXes (APPEND through node 0)"
bench imap-load --port $((OFFSET + 993)) --ssl --users-file "$WORK/users-0.txt" --mbox "$MBOX" --reset >/dev/null
bench imap-load --port $((OFFSET + 993)) --ssl --users-file "$WORK/users-1.txt" --mbox "$MBOX" --reset >/dev/null

wait_quiet; log "one node: SMTP"; smtp1=$(smtp_run 1)
wait_quiet; log "one node: IMAP mix"; imap1=$(imap_run 1)
start_node 1
t_index=$(date +%s)
wait_quiet; log "node 1 built its index of everything already stored in $(( $(date +%s) - t_index )) s"
log "two nodes: SMTP"; smtp2=$(smtp_run 2)
wait_quiet; log "two nodes: IMAP mix"; imap2=$(imap_run 2)

echo "cluster bench ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), PostgreSQL on 127.0.0.1):"
printf '  SMTP delivery %5d x %d B, %d sessions:  1 node %8s msg/s   2 nodes %8s msg/s   ratio %s\n' \
  "$MESSAGES" "$SIZE" "$SESSIONS" "$smtp1" "$smtp2" "$(awk "BEGIN { printf \"%.2f\", $smtp2 / $smtp1 }")"
printf '  IMAP mix, %d clients, %d s:               1 node %8s sess/s  2 nodes %8s sess/s  ratio %s\n' \
  "$CLIENTS" "$DURATION" "$imap1" "$imap2" "$(awk "BEGIN { printf \"%.2f\", $imap2 / $imap1 }")"
