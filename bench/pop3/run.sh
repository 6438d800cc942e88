#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# POP3 retrieval benchmark, Postern next to Dovecot in the same run (issue 5).
#
# Workload (../shared/bench/README.md): USERS users x PER_USER messages; each session logs in,
# LISTs, RETRs every message, QUITs; CLIENTS concurrent clients loop for SECS seconds. Both servers
# are measured over implicit TLS on 995 (pop3_load.py --ssl): Postern refuses passwords without TLS,
# so this is the like-for-like comparison. Prints the median of RUNS runs and Postern/Dovecot.
# The load tool is a copy of ../shared/bench/pop3_load.py that spreads clients over 4 loopback source
# addresses (Postern caps connections per address at 50).
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
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SHARED="${SHARED_BENCH:-$ROOT/../shared/bench}"
CLIENTS="${CLIENTS:-10 100}"
RUNS="${RUNS:-3}"
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
# load PORT USER-TEMPLATE USERS CLIENTS SERVER-PID: prints "msgs/s-median server-CPU-ms-per-message"
load() {
  local before after out
  before=$(python3 "$HERE/cpu_ticks.py" "$5")
  out=$(python3 "$HERE/pop3_load.py" --sources 4 --port "$1" --ssl --user "$2" --users "$3" --password "$PASS" \
    --clients "$4" --secs "$SECS" --runs "$RUNS" 2>&1)
  after=$(python3 "$HERE/cpu_ticks.py" "$5")
  echo "$out" >>"$BENCH_DIR/load.log"
  LOAD_OUT="$out" python3 - "$before" "$after" <<'PY'
import os, re, sys
text = os.environ["LOAD_OUT"]
msgs = sum(int(m) for m in re.findall(r"'msgs': (\d+)", text))
median = re.search(r"clients: ([0-9.]+) msgs/s", text).group(1)
cpu = float(sys.argv[2]) - float(sys.argv[1])
print(median, f"{1000 * cpu / max(1, msgs):.3f}")
PY
}
# Warm-up, not measured: one session per user, so both servers start with the same warm caches
# (Postern's Argon2id check is remembered for 5 minutes, like Dovecot's auth cache; the file cache).
python3 "$HERE/pop3_load.py" --sources 4 --port 995 --ssl --user 'test%d' --users "$RANGE" --password "$PASS" \
  --clients 10 --secs 30 --max-sessions "$USERS" --runs 1 >/dev/null 2>&1
python3 "$HERE/pop3_load.py" --sources 4 --port "$POP3S" --ssl --user "test%d@$DOMAIN" --users "1-$USERS" --password "$PASS" \
  --clients 10 --secs 30 --max-sessions "$USERS" --runs 1 >/dev/null 2>&1

# Throughput is bounded by the Python client on a 2-core box, so the server CPU time per message
# (all of Dovecot's processes, exited children included) is printed too: the cost each server pays.
DOVECOT_PID=$(cat /run/dovecot/master.pid)
printf '%-8s %15s %15s %7s %19s %19s %7s\n' clients "Postern msg/s" "Dovecot msg/s" ratio \
  "Postern CPU ms/msg" "Dovecot CPU ms/msg" ratio
for c in $CLIENTS; do
  read -r p pc < <(load "$POP3S" "test%d@$DOMAIN" "1-$USERS" "$c" "$POSTERN_PID")
  read -r d dc < <(load 995 'test%d' "$RANGE" "$c" "$DOVECOT_PID")
  r=$(python3 -c "print(f'{$p/$d:.2f}')" 2>/dev/null || echo "?")
  rc=$(python3 -c "print(f'{$dc/$pc:.2f}')" 2>/dev/null || echo "?")
  printf '%-8s %15s %15s %7s %19s %19s %7s\n' "$c" "$p" "$d" "$r" "$pc" "$dc" "$rc"
done
log "medians of $RUNS runs of ${SECS}s each, both over TLS on 995; per-run figures in $BENCH_DIR/load.log"
