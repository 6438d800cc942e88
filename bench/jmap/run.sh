#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# JMAP on a big mailbox (issue 6): Email/query + Email/get of the first 50 threads of a COUNT-message INBOX
# (target: under 50 ms) and push latency from SMTP delivery to the EventSource StateChange (target: under
# 1 s). Postern only, loopback only, no root needed. Loads COUNT messages through the store API once, then
# RUNS times: starts a fresh Postern JVM, runs 'postern-bench jmap', stops it; prints each run and the
# medians. See bench/jmap/README.md.
#
# Usage: bench/jmap/run.sh
# Environment: RUNS [3] COUNT [100000] REPEATS [100] WARMUP [20] PUSHES [20]
#   OFFSET [25000] (Postern's port_offset: HTTPS on 25443, SMTP on 25025)
#   IDLE_WAIT [1800] (s to wait for Postern's background search indexing before each run)
#   JFR [0] (1: Postern runs with a flight recording, settings=profile, kept in the work folder)
#   DATA [a new folder] (reuse a data folder already loaded by an earlier run: skips the loading)
#   POSTERN_JAR BENCH_JAR (jars to measure; default the tree's target folders) SHARED_BENCH [../shared/bench]
# Ends only the Postern processes it started.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/scripts/find-jdk.sh"
JAVA="$JAVA_HOME/bin/java"
SHARED_BENCH="${SHARED_BENCH:-$ROOT/../shared/bench}"
RUNS="${RUNS:-3}"
COUNT="${COUNT:-100000}"
REPEATS="${REPEATS:-100}"
WARMUP="${WARMUP:-20}"
PUSHES="${PUSHES:-20}"
JFR="${JFR:-0}"
IDLE_WAIT="${IDLE_WAIT:-1800}"
# bench/pop3 and bench/imap use offsets 20000 and 30000 on this machine. Every port must stay below
# 32768, the start of Linux's ephemeral range (ip_local_port_range): there, any outgoing connection or
# port-0 test on the machine may hold the port when Postern starts.
OFFSET="${OFFSET:-25000}"
# A reused data folder keeps the port_offset it was made with.
if [[ -n "${DATA:-}" && -f "$DATA/postern.conf" ]]; then
  OFFSET="$(sed -n 's/^port_offset *= *//p' "$DATA/postern.conf")"; OFFSET="${OFFSET:-0}"
fi
PHTTPS=$((OFFSET + 443))
PSMTP=$((OFFSET + 25))
POSTERN_JAR="${POSTERN_JAR:-$ROOT/postern-server/target/postern.jar}"
BENCH_JAR="${BENCH_JAR:-$ROOT/postern-bench/target/postern-bench.jar}"
WORK="$(mktemp -d /tmp/postern-jmap-bench.XXXXXX)"
RESULTS="$WORK/results.jsonl"
USER_ADDR="big@peers.test"
USER_PASS="benchpass"
POSTERN_PID=""

log() { echo "[jmap-bench $(date +%H:%M:%S)] $*" >&2; }
. "$ROOT/bench/lib.sh"
die() { log "$*"; exit 1; }

[[ -d "$SHARED_BENCH" ]] || die "no $SHARED_BENCH (set SHARED_BENCH to the folder with gen_mbox.py)"
if [[ ! -f "$POSTERN_JAR" || ! -f "$BENCH_JAR" ]]; then
  log "building postern.jar and postern-bench.jar"
  (cd "$ROOT" && mvn -q -o -DskipTests -pl postern-server,postern-bench -am package) >&2
fi
# Private copies: another build replacing a jar under a running JVM breaks its class loading.
cp "$POSTERN_JAR" "$WORK/postern.jar"; POSTERN_JAR="$WORK/postern.jar"
cp "$BENCH_JAR" "$WORK/postern-bench.jar"; BENCH_JAR="$WORK/postern-bench.jar"

bench() { timeout 1800 "$JAVA" -jar "$BENCH_JAR" "$@"; }
bench_store() { timeout 3600 "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$BENCH_JAR:$POSTERN_JAR" org.postern.bench.Main "$@"; }

start_postern() { # DATA TAG
  if (exec 3<>"/dev/tcp/127.0.0.1/$PHTTPS") 2>/dev/null; then
    die "port $PHTTPS is already in use by another program (another Postern?): set OFFSET"
  fi
  local jfr=()
  [[ "$JFR" == 1 ]] && jfr=("-XX:StartFlightRecording:filename=$WORK/postern-$2.jfr,settings=profile,dumponexit=true")
  "$JAVA" "${jfr[@]}" --enable-native-access=ALL-UNNAMED -jar "$POSTERN_JAR" --data "$1" serve > "$WORK/postern-$2.log" 2>&1 &
  POSTERN_PID=$!
  for _ in $(seq 300); do
    kill -0 "$POSTERN_PID" 2>/dev/null || die "Postern did not start: $(tail -5 "$WORK/postern-$2.log")"
    (exec 3<>"/dev/tcp/127.0.0.1/$PHTTPS") 2>/dev/null && { log "Postern ($2) pid $POSTERN_PID, HTTPS on $PHTTPS"; return; }
    sleep 0.2
  done
  die "Postern did not open port $PHTTPS within 60 s"
}


# A mailbox loaded through the store API is indexed for full-text search by the server in the
# background, which on a small machine competes for the CPU with the requests being timed. Wait (at most
# IDLE_WAIT s) until Postern uses under 5% of a core over 10 s.


cleanup() {
  stop_postern
  log "results and logs in $WORK"
}
trap cleanup EXIT

if [[ -z "${DATA:-}" ]]; then
  DATA="$WORK/postern-data"
  mkdir -p "$DATA"
  # outbound.relay = false: no SPF/DKIM/DMARC look-ups of the probe's sender domain, so the push figure
  # is Postern's own path (intake, store, change feed, EventSource), not this machine's DNS.
  cat > "$DATA/postern.conf" <<CONF
config_version = 1
hostname = bench.peers.test
listen_address = 127.0.0.1
port_offset = $OFFSET
smtp_pregreet_delay = 0
outbound.relay = false
dev.argon2 = test
CONF
  echo "$USER_ADDR $USER_PASS" > "$WORK/users.list"
  bench_store accounts --data "$DATA" --users-file "$WORK/users.list" | tee -a "$RESULTS"
  MBOX="$WORK/bench.mbox"
  python3 "$SHARED_BENCH/gen_mbox.py" "$MBOX" >&2
  log "loading $COUNT messages into $USER_ADDR's INBOX through the store API"
  bench_store load-store --data "$DATA" --account "$USER_ADDR" --count "$COUNT" --threads 4 --mbox "$MBOX" | tee -a "$RESULTS"
fi

for run in $(seq "$RUNS"); do
  # A fresh JVM each run: its first request is the cold one a user meets after a restart.
  start_postern "$DATA" "run$run"
  echo "{\"bench\":\"idle-wait\",\"seconds\":$(wait_idle)}" >> "$RESULTS"
  log "run $run/$RUNS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  bench jmap --port "$PHTTPS" --smtp-port "$PSMTP" --user "$USER_ADDR" --password "$USER_PASS" --pid "$POSTERN_PID" \
    --repeats "$REPEATS" --warmup "$WARMUP" --pushes "$PUSHES" --label "postern-run$run" | tee -a "$RESULTS"
  stop_postern
done

python3 "$ROOT/bench/jmap/summarize.py" "$RESULTS" | tee "$WORK/summary.txt"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine makes runs noisy)"
