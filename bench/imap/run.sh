#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# IMAP side by side: Postern and Dovecot on this machine, same client (postern-bench), same mbox, both
# over implicit TLS (port 993 for Dovecot, 20993 for Postern), loopback only. Prints medians and the
# Postern/Dovecot ratio. Issue 4, "Speed and memory".
#
# Usage: bench/imap/run.sh [mix|big|idle|mix-idle|all]        (default: mix)
#   mix   reconnecting mix and logged-in rates (FETCH/s, LIST/s, APPEND/s), RUNS times for each client count,
#         then the reconnecting mix once more with Postern's default Argon2 cost (ARGON2_DEFAULT_PASS=1)
#   big   Postern only: BIG_COUNT messages loaded through the store API, then SELECT,
#         UID FETCH 1:* (UID FLAGS), SEARCH BODY word (and SORT when offered), median of 5
#   idle  IDLE_CONNS connections in IDLE on each server; memory growth per connection, SMTP delivery to all
#   mix-idle  mix, then idle (all without big)
# Environment: RUNS [3] DURATION [10 s per measurement] WARMUP [3 s] CLIENT_COUNTS ["10 100"]
#   FIRST_USER [201] USERS [300] (test201..test500: bench/pop3 uses test1..test100 of the same Dovecot)
#   ARGON2 [test] (dev.argon2 for the main runs: it changes only what a login costs)
#   ARGON2_DEFAULT_PASS [1] BIG_COUNT [100000] IDLE_CONNS ["1000 5000 10000"] DOVECOT_IDLE_CONNS [90]
#   OFFSET [30000] (Postern's port_offset: IMAPS on 30993, SMTP on 30025)
#   JFR [1] (Postern runs with a flight recording, settings=profile, kept in the work folder)
#   POSTERN_JAVA_OPTS [] (extra JVM options for Postern, e.g. heap sizing flags; printed with the results)
#   MIX_TLS [tls] (tls: the mix over implicit TLS, 993 and OFFSET+993; plain: both servers in plaintext on
#     143 and OFFSET+143, Postern with its explicit opt-in allow_plaintext_auth = true: like with like when
#     comparing with Dovecot's plaintext figures. Loading stays over TLS.)
# Every Postern mix measurement also prints the server's CPU per session (utime+stime of the process from
# /proc before and after, divided by the sessions or commands the client counted; warm-up included, so
# it is an upper bound): robust on a loaded machine where sessions/s mostly measures the neighbours.
#   POSTERN_JAR, BENCH_JAR [the tree's target jars] (to measure jars built elsewhere)
#   PEERS [dovecot] (none: Postern alone, for before/after runs of a change while Dovecot serves
#     someone else; the mix and big modes only)
#   QUIET_MAX [900] (seconds to wait after loading for Postern's indexer to catch up, see wait_quiet)
#   SHARED_BENCH [../shared/bench] (peers_setup.sh, gen_mbox.py)
# Needs root (peers_setup.sh installs and starts Dovecot/Postfix). Ends only the processes it started:
# Dovecot and Postfix are stopped with 'peers_setup.sh stop' at the end only when this script started them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/scripts/find-jdk.sh"
JAVA="$JAVA_HOME/bin/java"
MODE="${1:-mix}"
case "$MODE" in mix|big|idle|mix-idle|all) ;; *) echo "usage: $0 [mix|big|idle|mix-idle|all]" >&2; exit 2 ;; esac

SHARED_BENCH="${SHARED_BENCH:-$ROOT/../shared/bench}"
RUNS="${RUNS:-3}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-3}"
CLIENT_COUNTS="${CLIENT_COUNTS:-10 100}"
USERS="${USERS:-300}"
# Other benchmarks (bench/pop3) reset and fill test1..test100 on the same Dovecot: stay clear of them.
FIRST_USER="${FIRST_USER:-201}"
ARGON2="${ARGON2:-test}"
ARGON2_DEFAULT_PASS="${ARGON2_DEFAULT_PASS:-1}"
BIG_COUNT="${BIG_COUNT:-100000}"
IDLE_CONNS="${IDLE_CONNS:-1000 5000 10000}"
# Over TLS every Dovecot connection keeps an imap-login process as its TLS proxy, and peers_setup.sh
# leaves imap-login's process_limit at 100: more than about 100 TLS connections are dropped.
DOVECOT_IDLE_CONNS="${DOVECOT_IDLE_CONNS:-90}"
JFR="${JFR:-1}"
QUIET_MAX="${QUIET_MAX:-900}"
# bench/pop3 runs its own Postern with port_offset 20000 on this machine: use another offset.
OFFSET="${OFFSET:-30000}"
PIMAPS=$((OFFSET + 993))
PIMAP=$((OFFSET + 143))
MIX_TLS="${MIX_TLS:-tls}"
PEERS="${PEERS:-dovecot}"
case "$PEERS" in dovecot|none) ;; *) echo "PEERS must be dovecot or none" >&2; exit 2 ;; esac
case "$MIX_TLS" in tls|plain) ;; *) echo "MIX_TLS must be tls or plain" >&2; exit 2 ;; esac
PSMTP=$((OFFSET + 25))
PEERS_DIR="${PEERS_DIR:-/var/tmp/peers}"
# Overridable, to measure a jar built elsewhere without touching the tree's target folders.
POSTERN_JAR="${POSTERN_JAR:-$ROOT/postern-server/target/postern.jar}"
BENCH_JAR="${BENCH_JAR:-$ROOT/postern-bench/target/postern-bench.jar}"
WORK="$(mktemp -d /tmp/postern-imap-bench.XXXXXX)"
RESULTS="$WORK/results.jsonl"
POSTERN_PID=""
STARTED_PEERS=0

log() { echo "[imap-bench $(date +%H:%M:%S)] $*" >&2; }
. "$ROOT/bench/lib.sh"
die() { log "$*"; exit 1; }

[[ -d "$SHARED_BENCH" ]] || die "no $SHARED_BENCH (set SHARED_BENCH to the folder with peers_setup.sh)"
[[ $(id -u) -eq 0 ]] || die "run as root: peers_setup.sh installs and starts Dovecot"

if [[ ! -f "$POSTERN_JAR" || ! -f "$BENCH_JAR" ]]; then
  log "building postern.jar and postern-bench.jar"
  (cd "$ROOT" && mvn -q -o -DskipTests -pl postern-server,postern-bench -am package) >&2
fi

# Private copies: another build replacing a jar under a running JVM breaks its class loading.
cp "$POSTERN_JAR" "$WORK/postern.jar"; POSTERN_JAR="$WORK/postern.jar"
cp "$BENCH_JAR" "$WORK/postern-bench.jar"; BENCH_JAR="$WORK/postern-bench.jar"

bench() { timeout 1800 "$JAVA" -Xmx3g -jar "$BENCH_JAR" "$@"; }
bench_store() { timeout 1800 "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$BENCH_JAR:$POSTERN_JAR" org.postern.bench.Main "$@"; }

# --- Postern ---------------------------------------------------------------------------------------
new_postern_data() { # DIR ARGON2
  mkdir -p "$1"
  cat > "$1/postern.conf" <<CONF
config_version = 1
hostname = bench.peers.test
listen_address = 127.0.0.1
port_offset = $OFFSET
dev.argon2 = $2
CONF
  if [[ "$MIX_TLS" == plain ]]; then echo "allow_plaintext_auth = true" >> "$1/postern.conf"; fi
}

start_postern() { # DATA TAG
  if (exec 3<>"/dev/tcp/127.0.0.1/$PIMAPS") 2>/dev/null; then
    die "port $PIMAPS is already in use by another program (another Postern?): set OFFSET"
  fi
  local jfr=()
  [[ "$JFR" == 1 ]] && jfr=("-XX:StartFlightRecording:filename=$WORK/postern-$2.jfr,settings=profile,dumponexit=true")
  # shellcheck disable=SC2086 # POSTERN_JAVA_OPTS is a list of options
  ( ulimit -n 20000; exec "$JAVA" "${jfr[@]}" ${POSTERN_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -jar "$POSTERN_JAR" --data "$1" serve ) \
    > "$WORK/postern-$2.log" 2>&1 &
  POSTERN_PID=$!
  for _ in $(seq 300); do
    kill -0 "$POSTERN_PID" 2>/dev/null || die "Postern did not start: $(tail -5 "$WORK/postern-$2.log")"
    (exec 3<>"/dev/tcp/127.0.0.1/$PIMAPS") 2>/dev/null && { log "Postern ($2) pid $POSTERN_PID on $PIMAPS"; return; }
    sleep 0.2
  done
  die "Postern did not open port $PIMAPS within 60 s"
}


cleanup() {
  stop_postern
  if [[ "$STARTED_PEERS" == 1 ]]; then bash "$SHARED_BENCH/peers_setup.sh" stop || true; fi
  log "results and logs in $WORK"
}
trap cleanup EXIT

# --- Dovecot ---------------------------------------------------------------------------------------
start_peers() {
  if [[ "$PEERS" == none ]]; then
    [[ -s "$PEERS_DIR/users.list" ]] || die "no $PEERS_DIR/users.list (run peers_setup.sh once)"
    return
  fi
  # Dovecot may already serve another benchmark: then it is not ours to stop at the end.
  if [[ -e /run/dovecot/master.pid ]] && kill -0 "$(cat /run/dovecot/master.pid)" 2>/dev/null; then
    log "Dovecot already running: using it, and leaving it running at the end"
    return
  fi
  if ! command -v dovecot >/dev/null; then
    bash "$SHARED_BENCH/peers_setup.sh" all
  else
    [[ -f "$PEERS_DIR/dovecot.conf" ]] || bash "$SHARED_BENCH/peers_setup.sh" configure
    bash "$SHARED_BENCH/peers_setup.sh" start
  fi
  STARTED_PEERS=1
  [[ -s "$PEERS_DIR/users.list" ]] || die "no $PEERS_DIR/users.list"
}

# --- shared inputs ---------------------------------------------------------------------------------
MBOX="$WORK/bench.mbox"
python3 "$SHARED_BENCH/gen_mbox.py" "$MBOX" >&2
start_peers
USERS_FILE="$WORK/users.list"
tail -n "+$FIRST_USER" "$PEERS_DIR/users.list" | head -n "$USERS" > "$USERS_FILE"
MAX_CLIENTS=0
for c in $CLIENT_COUNTS; do (( c > MAX_CLIENTS )) && MAX_CLIENTS=$c; done
DATA="$WORK/postern-data"

setup_mix() {
  new_postern_data "$DATA" "$ARGON2"
  log "Postern: $USERS accounts with dev.argon2 = $ARGON2 (postern account add, in one JVM)"
  bench_store accounts --data "$DATA" --users-file "$USERS_FILE" | tee -a "$RESULTS"
  start_postern "$DATA" main
  log "loading the $(grep -c '^From ' "$MBOX") messages into INBOX of the first $MAX_CLIENTS users of each server (APPEND over TLS)"
  if [[ "$PEERS" == dovecot ]]; then
    bench imap-load --port 993 --ssl --users-file "$USERS_FILE" --users "$MAX_CLIENTS" --mbox "$MBOX" --reset | tee -a "$RESULTS"
  fi
  bench imap-load --port "$PIMAPS" --ssl --users-file "$USERS_FILE" --users "$MAX_CLIENTS" --mbox "$MBOX" --reset | tee -a "$RESULTS"
  wait_quiet "$POSTERN_PID"
}

# Loading thousands of messages leaves Postern's full-text indexer a backlog it works through in the
# background; measuring while it does would time the loading, not the mix. Waits until the server's
# CPU use stays below 10% of one core for three samples in a row (at most QUIET_MAX seconds).
wait_quiet() { # PID [MAX_SECONDS]
  local hz prev now idle=0 waited=0 max=${2:-$QUIET_MAX}
  hz=$(getconf CLK_TCK)
  prev=$(awk '{print $14 + $15}' "/proc/$1/stat")
  while (( waited < max )); do
    sleep 2; waited=$((waited + 2))
    now=$(awk '{print $14 + $15}' "/proc/$1/stat")
    if (( (now - prev) * 10 < 2 * hz )); then idle=$((idle + 1)); else idle=0; fi
    prev=$now
    if (( idle >= 3 )); then log "Postern quiet after ${waited} s"; return; fi
  done
  log "Postern still busy after ${max} s (indexing?): measuring anyway"
}

mix_once() { # LABEL PORT CLIENTS [--stay-logged-in]
  local label=$1 port=$2 clients=$3; shift 3
  local tls=(--ssl) postern=0 cpu0=0 line
  [[ "$port" == "$PIMAPS" ]] && postern=1
  if [[ "$MIX_TLS" == plain ]]; then
    tls=()
    if [[ "$port" == 993 ]]; then port=143; else port=$PIMAP; fi
  fi
  # The previous measurement's APPENDs may still be indexed: start each one from a settled server.
  [[ "$postern" == 1 && -n "$POSTERN_PID" ]] && wait_quiet "$POSTERN_PID" 60
  [[ "$postern" == 1 && -n "$POSTERN_PID" ]] && cpu0=$(awk '{print $14 + $15}' "/proc/$POSTERN_PID/stat")
  line=$(bench imap-mix --port "$port" "${tls[@]}" --users-file "$USERS_FILE" --mbox "$MBOX" --clients "$clients" \
    --seconds "$DURATION" --warmup "$WARMUP" --label "$label" "$@")
  echo "$line" | tee -a "$RESULTS"
  if [[ "$postern" == 1 && -n "$POSTERN_PID" ]]; then
    local cpu1 cpu2 hz
    cpu1=$(awk '{print $14 + $15}' "/proc/$POSTERN_PID/stat"); hz=$(getconf CLK_TCK)
    # The indexer yields the CPUs while the machine is busy (IndexPacer): what it deferred is done
    # after the window. The second figure counts it, up to the server being quiet again.
    wait_quiet "$POSTERN_PID" 120
    cpu2=$(awk '{print $14 + $15}' "/proc/$POSTERN_PID/stat")
    echo "$line" | python3 -c '
import json, sys
# --stay-logged-in prints one line per command (FETCH, LIST, APPEND): the CPU is over all of them.
rs = [json.loads(l) for l in sys.stdin.read().splitlines() if l.strip()]; r = rs[0]
n = sum(x.get("sessions") or x.get("commands") or 0 for x in rs)
what = "session" if "sessions" in r else "command (" + "/".join(x.get("command", "?") for x in rs) + ")"
ms = lambda a, b: (int(b) - int(a)) * 1000.0 / int(sys.argv[4]) / max(n, 1)
print("server CPU %s, %s clients, %s: %.2f ms per %s (%d in %s s, warm-up included; %.2f ms with the indexing done after it), load %s"
      % (r["label"], r["clients"], "TLS" if r["tls"] else "plaintext", ms(sys.argv[1], sys.argv[2]), what, n,
         sum(float(x["seconds"]) for x in rs), ms(sys.argv[1], sys.argv[3]), open("/proc/loadavg").read().split()[0]))' \
      "$cpu0" "$cpu1" "$cpu2" "$hz" | tee -a "$WORK/server-cpu.txt" >&2
  fi
}

run_mix() {
  for run in $(seq "$RUNS"); do
    for c in $CLIENT_COUNTS; do
      log "run $run/$RUNS, $c clients"
      # Alternate which server goes first, so drift in the machine's load does not favour one.
      if (( run % 2 == 1 )); then order="dovecot postern"; else order="postern dovecot"; fi
      [[ "$PEERS" == none ]] && order=postern
      for s in $order; do
        if [[ $s == dovecot ]]; then mix_once dovecot 993 "$c"; else mix_once "postern-argon2-$ARGON2" "$PIMAPS" "$c"; fi
      done
      for s in $order; do
        if [[ $s == dovecot ]]; then mix_once dovecot 993 "$c" --stay-logged-in
        else mix_once "postern-argon2-$ARGON2" "$PIMAPS" "$c" --stay-logged-in; fi
      done
    done
  done
  if [[ "$ARGON2_DEFAULT_PASS" == 1 && "$ARGON2" != default ]]; then
    log "once more with dev.argon2 = default (passwords re-hashed; the verified-credential cache makes repeat logins cheap)"
    stop_postern
    sed -i 's/^dev.argon2 = .*/dev.argon2 = default/' "$DATA/postern.conf"
    bench_store accounts --data "$DATA" --users-file "$USERS_FILE" --users "$MAX_CLIENTS" --passwd | tee -a "$RESULTS"
    start_postern "$DATA" argon2-default
    for c in $CLIENT_COUNTS; do mix_once postern-argon2-default "$PIMAPS" "$c"; done
    sed -i "s/^dev.argon2 = .*/dev.argon2 = $ARGON2/" "$DATA/postern.conf"
  fi
}

run_idle() {
  # A fresh JVM, so the baseline is not a heap already grown by the mix runs.
  stop_postern
  start_postern "$DATA" idle
  sleep 3
  for n in $IDLE_CONNS; do
    log "Postern: $n connections in IDLE"
    ( ulimit -n 20000; bench imap-idle --port "$PIMAPS" --ssl --users-file "$USERS_FILE" --connections "$n" \
        --pid "$POSTERN_PID" --settle 10 --smtp-port "$PSMTP" --jcmd-gc --label postern ) | tee -a "$RESULTS" || log "idle $n failed"
    sleep 5
  done
  for n in $DOVECOT_IDLE_CONNS; do
    log "Dovecot: $n connections in IDLE (delivery through Postfix on port 25 and LMTP)"
    ( ulimit -n 20000; bench imap-idle --port 993 --ssl --users-file "$USERS_FILE" --connections "$n" \
        --pid "$(cat /run/dovecot/master.pid)" --settle 10 --smtp-port 25 --max-time 120 --label dovecot ) | tee -a "$RESULTS" || log "idle $n failed"
  done
}

run_big() {
  stop_postern
  local big="$WORK/postern-big"
  new_postern_data "$big" "$ARGON2"
  echo "big@peers.test benchpass" > "$WORK/big.users"
  bench_store accounts --data "$big" --users-file "$WORK/big.users" | tee -a "$RESULTS"
  log "loading $BIG_COUNT messages through the store API"
  bench_store load-store --data "$big" --account big@peers.test --count "$BIG_COUNT" --threads 4 --mbox "$MBOX" | tee -a "$RESULTS"
  start_postern "$big" big
  # The indexer has 100,000 new messages to index: measure the commands, not them (a SEARCH measured
  # while it works took ~0.7 s instead of ~20 ms).
  wait_quiet "$POSTERN_PID"
  bench imap-big --port "$PIMAPS" --ssl --user big@peers.test --password benchpass --repeats 5 --word throughput \
    --label postern | tee -a "$RESULTS"
  stop_postern
}

case "$MODE" in
  mix) setup_mix; run_mix ;;
  idle) setup_mix; run_idle ;;
  mix-idle) setup_mix; run_mix; run_idle ;;
  big) run_big ;;
  all) setup_mix; run_mix; run_idle; run_big ;;
esac
stop_postern

python3 "$ROOT/bench/imap/summarize.py" "$RESULTS" | tee "$WORK/summary.txt"
[[ -s "$WORK/server-cpu.txt" ]] && tee -a "$WORK/summary.txt" < "$WORK/server-cpu.txt"
echo "mix transport: $MIX_TLS"
[[ -n "${POSTERN_JAVA_OPTS:-}" ]] && echo "Postern JVM options: $POSTERN_JAVA_OPTS"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine makes runs noisy)"
