#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# POP3 retrieval benchmark, Postern next to Dovecot in the same run (issue 5).
#
# Workload (../shared/bench/README.md): USERS users x PER_USER messages; each session logs in,
# LISTs, RETRs every message, QUITs; CLIENTS concurrent clients loop for SECS seconds. Both servers
# are measured over implicit TLS on 995 (pop3-load --ssl): Postern refuses passwords without TLS,
# so this is the like-for-like comparison. Prints the median of RUNS runs and Postern/Dovecot.
# The load tool is postern-bench's pop3-load (Java, virtual threads; 40 connections per 127.1.x.y source
# address, since Postern caps connections per address at 50): the Python tool used before saturated a
# core of the 2 and was what the figures measured. "gen CPU" is the cores the load generator used.
#
# Loopback only; bounded in time (SECS per run) and count (USERS, PER_USER). Needs root for
# peers_setup.sh (it apt-installs and starts Dovecot and Postfix on 127.0.0.1).
#
# Usage: bench/pop3/run.sh            (from anywhere)
# Environment (defaults in brackets):
#   CLIENTS ["10 100"]  RUNS [3]  SECS [15]  USERS [100]  PER_USER [20]
#   PORT_OFFSET [20000]           Postern's ports are the standard ones + this (995 -> 20995)
#   BENCH_DIR [/var/tmp/postern-bench-pop3]   Postern data folder, kept between runs (set-up once)
#   POSTERN_CLASSPATH             run org.postern.server.Main from this class path instead of the jar
#   KEEP_PEERS=1                  leave Dovecot/Postfix running at the end
#   JFR=1                         record a JFR profile of Postern to $BENCH_DIR/postern.jfr
#   TLS_MODES ["resume full"]     resume: TLS sessions resumed where the server offers it; full: never
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SHARED="${SHARED_BENCH:-$ROOT/../shared/bench}"
CLIENTS="${CLIENTS:-10 100}"
RUNS="${RUNS:-3}"
TLS_MODES="${TLS_MODES:-resume full}"
SECS="${SECS:-15}"
USERS="${USERS:-100}"
PER_USER="${PER_USER:-20}"
PORT_OFFSET="${PORT_OFFSET:-20000}"
BENCH_DIR="${BENCH_DIR:-/var/tmp/postern-bench-pop3}"
DOMAIN=bench.test
PASS=benchpass
POP3S=$((995 + PORT_OFFSET))
IMAPS=$((993 + PORT_OFFSET))

log() { echo "[bench/pop3] $*" >&2; }
die() { log "$*"; exit 1; }

. "$ROOT/scripts/find-jdk.sh"
JAVA="$JAVA_HOME/bin/java"
JAR="$ROOT/postern-server/target/postern.jar"
if [[ -n "${POSTERN_CLASSPATH:-}" ]]; then
  POSTERN=("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$POSTERN_CLASSPATH" org.postern.server.Main)
else
  if [[ ! -f "$JAR" ]]; then
    log "building $JAR"
    (cd "$ROOT" && mvn -q -o -DskipTests -pl postern-server -am package) >&2 || die "build failed"
  fi
  # A private copy: another build replacing the jar under the running JVM breaks its class loading.
  mkdir -p "$BENCH_DIR"
  cp "$JAR" "$BENCH_DIR/postern.jar"
  JAR="$BENCH_DIR/postern.jar"
  POSTERN=("$JAVA" --enable-native-access=ALL-UNNAMED -jar "$JAR")
fi
export POSTERN_DATA="$BENCH_DIR/data"

POSTERN_PID=""
cleanup() {
  if [[ -n "$POSTERN_PID" ]] && kill -0 "$POSTERN_PID" 2>/dev/null; then
    kill "$POSTERN_PID"; wait "$POSTERN_PID" 2>/dev/null || true
  fi
  if [[ "${KEEP_PEERS:-0}" != 1 && "${PEERS_STARTED_HERE:-0}" == 1 ]]; then
    "$SHARED/peers_setup.sh" stop >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  die "port $1 did not open"
}

# ---- Dovecot (and Postfix) from Debian packages, users test1..testN@peers.test ----
# Other benchmarks may share these peers: use the last USERS of peers_setup.sh's 500 users, touch only
# their mailboxes (no reset-mail), and stop the peers at the end only if this script started them.
PEERS_STARTED_HERE=1
if [[ -e /run/dovecot/master.pid ]] && kill -0 "$(cat /run/dovecot/master.pid)" 2>/dev/null; then PEERS_STARTED_HERE=0; fi
# 'peers_setup.sh stop' stops Postfix too: leave both running if either was running before.
if command -v postfix >/dev/null && postfix status >/dev/null 2>&1; then PEERS_STARTED_HERE=0; fi
log "setting up Dovecot with peers_setup.sh"
"$SHARED/peers_setup.sh" all >&2
mkdir -p "$BENCH_DIR"
MBOX="$BENCH_DIR/messages.mbox"
[[ -s "$MBOX" ]] || python3 "$SHARED/gen_mbox.py" -n "$PER_USER" "$MBOX" >&2
FIRST=$((500 - USERS + 1))
RANGE="$FIRST-500"
log "filling Dovecot: test$RANGE, $PER_USER messages each"
for i in $(seq "$FIRST" 500); do
  n=$(python3 "$SHARED/imap_count.py" count --port 993 --ssl --user "test$i" --password "$PASS" 2>/dev/null || echo -1)
  if [[ "$n" != "$PER_USER" ]]; then
    [[ "$n" == 0 || "$n" == -1 ]] || python3 "$SHARED/imap_count.py" purge --port 993 --ssl --user "test$i" --password "$PASS" >&2
    python3 "$SHARED/imap_count.py" append --port 993 --ssl --user "test$i" --password "$PASS" --mbox "$MBOX" \
      --per-user "$PER_USER" >&2
  fi
done

# ---- Postern on a data folder of its own, ports + PORT_OFFSET ----
start_postern() {
  local jfr=()
  if [[ "${JFR:-0}" == 1 ]]; then jfr=(-XX:StartFlightRecording=filename="$BENCH_DIR/postern.jfr",settings=profile); fi
  if [[ -n "${POSTERN_CLASSPATH:-}" ]]; then
    "$JAVA" "${jfr[@]}" --enable-native-access=ALL-UNNAMED -cp "$POSTERN_CLASSPATH" org.postern.server.Main \
      serve --port-offset "$PORT_OFFSET" >"$BENCH_DIR/postern.log" 2>&1 &
  else
    "$JAVA" "${jfr[@]}" --enable-native-access=ALL-UNNAMED -jar "$JAR" serve --port-offset "$PORT_OFFSET" \
      >"$BENCH_DIR/postern.log" 2>&1 &
  fi
  POSTERN_PID=$!
  wait_port "$POP3S"
}

if [[ ! -f "$BENCH_DIR/ready-$USERS-$PER_USER" ]]; then
  log "setting up Postern in $BENCH_DIR (once): $USERS users x $PER_USER messages"
  rm -rf "$POSTERN_DATA"
  start_postern
  "${POSTERN[@]}" domain add "$DOMAIN" >&2
  # One JVM per account (the CLI adds one at a time); two at once on two cores.
  seq 1 "$USERS" | xargs -P 2 -I{} sh -c "printf '%s\n' '$PASS' | $(printf '%q ' "${POSTERN[@]}") account add test{}@$DOMAIN --password-stdin >/dev/null"
  python3 "$SHARED/imap_count.py" append --port "$IMAPS" --ssl --user "test%d@$DOMAIN" --users "1-$USERS" \
    --password "$PASS" --mbox "$MBOX" --per-user "$PER_USER" >&2
  touch "$BENCH_DIR/ready-$USERS-$PER_USER"
else
  start_postern
fi

# ---- measure: same tool, same workload, same run ----
BENCH_JAR="$ROOT/postern-bench/target/postern-bench.jar"
if [[ ! -f "$BENCH_JAR" ]]; then
  (cd "$ROOT" && mvn -q -o -DskipTests -pl postern-bench package) >&2 || die "building postern-bench failed"
fi
# A private copy: a build replacing the jar under the running JVM would break its class loading.
cp "$BENCH_JAR" "$BENCH_DIR/postern-bench.jar"
BENCH=("$JAVA" -XX:+UseParallelGC -Xmx1g -jar "$BENCH_DIR/postern-bench.jar" pop3-load)
DOVECOT_PID=$(cat /run/dovecot/master.pid)
RESULTS="$BENCH_DIR/results-$(date +%Y%m%d-%H%M%S).jsonl"

# once SERVER CLIENTS MODE: one run of SECS seconds; appends the tool's JSON line plus the server's CPU
# seconds over the run (all of Dovecot's processes, exited children included) to $RESULTS.
once() {
  local port user users pid before after out
  if [[ "$1" == postern ]]; then port=$POP3S user="test%d@$DOMAIN" users="1-$USERS" pid=$POSTERN_PID
  else port=995 user='test%d' users="$RANGE" pid=$DOVECOT_PID; fi
  before=$(python3 "$HERE/cpu_ticks.py" "$pid")
  local resume=()
  [[ "$3" == full ]] && resume=(--no-resume)
  out=$(timeout $((SECS + 120)) "${BENCH[@]}" --port "$port" --ssl --user "$user" --users "$users" --password "$PASS" \
    --clients "$2" --seconds "$SECS" --runs 1 --label "$1" "${resume[@]}" 2>>"$BENCH_DIR/load.err" | grep '"run"')
  after=$(python3 "$HERE/cpu_ticks.py" "$pid")
  [[ -n "$out" ]] || die "pop3-load against $1 printed nothing: see $BENCH_DIR/load.err"
  echo "${out%\}},\"tls\":\"$3\",\"server_cpu_s\":$(python3 -c "print(round($after - $before, 2))")}" | tee -a "$RESULTS" >>"$BENCH_DIR/load.log"
}

# Warm-up, not measured: JIT compilation in Postern's JVM, the auth caches of both and the file cache.
# Every user logs in twice, however long that takes on a busy machine: Postern remembers a successful
# Argon2id check for 5 minutes (like Dovecot's auth cache; peers_setup.sh's Dovecot stores PLAIN
# passwords, nothing to compute), so a measured run must not pay for the first log-in of a user.
# Repeated before each TLS mode, so no measured run starts more than 5 minutes after it.
warmup() {
  for server in postern dovecot; do
    "${BENCH[@]}" --port "$([[ $server == postern ]] && echo "$POP3S" || echo 995)" --ssl \
      --user "$([[ $server == postern ]] && echo "test%d@$DOMAIN" || echo 'test%d')" \
      --users "$([[ $server == postern ]] && echo "1-$USERS" || echo "$RANGE")" --password "$PASS" \
      --clients 10 --seconds 300 --max-sessions $((2 * USERS)) --runs 1 >/dev/null 2>>"$BENCH_DIR/load.err"
  done
}

# Runs alternate between the servers, so a change in the machine's load (it is shared) hits both alike.
# TLS modes: "resume" lets the client resume TLS sessions where the server offers it (Postern does,
# Dovecot 2.3's login processes here do not), "full" gives every connection a full handshake.
for mode in $TLS_MODES; do
  warmup
  for c in $CLIENTS; do
    for r in $(seq "$RUNS"); do once postern "$c" "$mode"; once dovecot "$c" "$mode"; done
  done
done

# Throughput, and the server CPU time per message: the cost each server pays, whatever the load
# generator's own share of the two cores ("gen CPU": cores the generator used).
python3 - "$RESULTS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(server, key, f):
    return statistics.median(f(r) for r in rows if r["label"] == server and (r["tls"], r["clients"]) == key)
print(f"{'tls':<7} {'clients':<8} {'Postern msg/s':>14} {'Dovecot msg/s':>14} {'ratio':>6} {'P CPU ms/msg':>13} "
      f"{'D CPU ms/msg':>13} {'ratio':>6} {'P gen CPU':>10} {'D gen CPU':>10} {'errors P/D':>10}")
for key in sorted({(r["tls"], r["clients"]) for r in rows}, key=lambda k: (k[0] != "resume", k[1])):
    p, d = med("postern", key, lambda r: r["msgs_per_s"]), med("dovecot", key, lambda r: r["msgs_per_s"])
    cost = lambda r: 1000 * r["server_cpu_s"] / max(1, r["messages"])
    pc, dc = med("postern", key, cost), med("dovecot", key, cost)
    pg, dg = med("postern", key, lambda r: r["client_cpu_cores"]), med("dovecot", key, lambda r: r["client_cpu_cores"])
    errs = lambda s: sum(r["errors"] for r in rows if r["label"] == s and (r["tls"], r["clients"]) == key)
    print(f"{key[0]:<7} {key[1]:<8} {p:>14.1f} {d:>14.1f} {p / d:>6.2f} {pc:>13.3f} {dc:>13.3f} {dc / pc:>6.2f} {pg:>10.2f} {dg:>10.2f} "
          f"{str(errs('postern')) + '/' + str(errs('dovecot')):>10}")
PY
log "medians of $RUNS alternating runs of ${SECS}s each, both over TLS on 995 (load generator: postern-bench"
log "pop3-load, virtual threads; TLS modes: $TLS_MODES); every run in $RESULTS"
